/**
 * Internal barrel of the pure translators between the OpenAI chat completions,
 * OpenAI Responses and Anthropic Messages wire formats.
 *
 * @module
 */

export {
  defaultAnthropicMaxTokens,
  toAnthropicRequest,
  type ToAnthropicRequestOptions,
} from './openai-to-anthropic-request.js';
export { toOpenAIChatCompletion, type ToOpenAIChatCompletionOptions } from './anthropic-to-openai-response.js';
export {
  createAnthropicToOpenAIStreamTranslator,
  type AnthropicToOpenAIStreamOptions,
} from './anthropic-to-openai-stream.js';
export {
  isAnthropicClientTool,
  toOpenAIChatRequest,
  type ToOpenAIChatRequestOptions,
} from './anthropic-to-openai-request.js';
export { toAnthropicMessage, type ToAnthropicMessageOptions } from './openai-to-anthropic-response.js';
export {
  createOpenAIToAnthropicStreamTranslator,
  type OpenAIToAnthropicStreamOptions,
} from './openai-to-anthropic-stream.js';
export {
  toOpenAIChatRequestFromResponses,
  type FromResponsesRequestOptions,
} from './responses-to-chat-request.js';
export { toResponsesResponse, type ToResponsesResponseOptions } from './chat-to-responses-response.js';
export {
  createOpenAIChatToResponsesStreamTranslator,
  type ChatToResponsesStreamOptions,
} from './chat-to-responses-stream.js';
export { flatToolName, flattenNamespaceTools, namespacedToolNames, restoreNamespace, type NamespacedName } from './namespace-tools.js';
export { toAnthropicStopReason, toOpenAIFinishReason } from './shared.js';
export type { StreamTranslator } from './stream-translator.js';
