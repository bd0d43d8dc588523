/**
 * Anthropic Messages request → OpenAI chat completions request.
 *
 * @module
 */

import type {
  AnthropicContentBlockParam,
  AnthropicImageBlockParam,
  AnthropicMessagesRequest,
  AnthropicServerTool,
  AnthropicTextBlockParam,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolResultBlockParam,
} from '../wire/anthropic-types.js';
import type {
  OpenAIChatCompletionRequest,
  OpenAIChatFunctionToolCall,
  OpenAIChatMessage,
  OpenAIChatTextPart,
  OpenAIChatToolChoice,
  OpenAIChatUserContentPart,
  OpenAIReasoningEffort,
} from '../wire/openai-types.js';
import { stringifyToolInput, toDataUrl, untranslatable } from './shared.js';

/** Options of {@link toOpenAIChatRequest}. */
export interface ToOpenAIChatRequestOptions {
  /** The upstream model id. @default the request's `model` */
  model?: string;
}

/**
 * True for a client tool (`type` absent or `custom`), false for server tools.
 *
 * @example
 * ```ts
 * const serverTools = (request.tools ?? []).filter((tool) => !isAnthropicClientTool(tool));
 * ```
 */
export function isAnthropicClientTool(tool: AnthropicTool | AnthropicServerTool): tool is AnthropicTool {
  return tool.type == null || tool.type === 'custom';
}

function imagePart(block: AnthropicImageBlockParam): OpenAIChatUserContentPart {
  const source = block.source;
  if (source.type === 'base64') return { type: 'image_url', image_url: { url: toDataUrl(source.media_type, source.data) } };
  if (source.type === 'url') return { type: 'image_url', image_url: { url: source.url } };
  return untranslatable('Images by file_id cannot be sent to OpenAI models; send them inline.');
}

function userPart(block: AnthropicContentBlockParam): OpenAIChatUserContentPart | null {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'image':
      return imagePart(block);
    case 'document': {
      const source = block.source;
      if (source.type === 'text') return { type: 'text', text: source.data };
      if (source.type === 'base64') {
        return {
          type: 'file',
          file: { file_data: toDataUrl(source.media_type, source.data), filename: block.title ?? 'document.pdf' },
        };
      }
      return untranslatable('Documents by URL or file_id cannot be sent to OpenAI models; send them inline.');
    }
    case 'thinking':
    case 'redacted_thinking':
      return null;
    default:
      return untranslatable(`Content block type "${block.type}" is not supported in user messages.`);
  }
}

/** A tool result becomes a tool message (text) plus, for its images, user parts. */
function toolResult(block: AnthropicToolResultBlockParam): { message: OpenAIChatMessage; extraParts: OpenAIChatUserContentPart[] } {
  const content = block.content ?? '';
  if (typeof content === 'string') {
    return { message: { role: 'tool', tool_call_id: block.tool_use_id, content }, extraParts: [] };
  }
  const texts: OpenAIChatTextPart[] = [];
  const extraParts: OpenAIChatUserContentPart[] = [];
  for (const part of content) {
    if (part.type === 'text') texts.push({ type: 'text', text: part.text });
    else {
      const converted = userPart(part);
      if (converted) extraParts.push(converted);
    }
  }
  return { message: { role: 'tool', tool_call_id: block.tool_use_id, content: texts }, extraParts };
}

function userMessages(content: string | AnthropicContentBlockParam[]): OpenAIChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const messages: OpenAIChatMessage[] = [];
  const parts: OpenAIChatUserContentPart[] = [];
  for (const block of content) {
    if (block.type === 'tool_result') {
      const { message, extraParts } = toolResult(block);
      messages.push(message);
      parts.push(...extraParts);
    } else {
      const part = userPart(block);
      if (part) parts.push(part);
    }
  }
  if (parts.length > 0) messages.push({ role: 'user', content: parts });
  return messages;
}

function assistantMessage(content: string | AnthropicContentBlockParam[]): OpenAIChatMessage | null {
  if (typeof content === 'string') return { role: 'assistant', content };
  const texts: string[] = [];
  const toolCalls: OpenAIChatFunctionToolCall[] = [];
  for (const block of content) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: stringifyToolInput(block.input) } });
    } else if (block.type !== 'thinking' && block.type !== 'redacted_thinking') {
      untranslatable(`Content block type "${block.type}" is not supported in assistant messages.`);
    }
  }
  if (texts.length === 0 && toolCalls.length === 0) return null;
  return {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : null,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}

function systemMessages(system: string | AnthropicTextBlockParam[]): OpenAIChatMessage[] {
  if (typeof system === 'string') return system === '' ? [] : [{ role: 'system', content: system }];
  return system.map((block) => ({ role: 'system', content: block.text }));
}

function toolChoice(choice: AnthropicToolChoice): { tool_choice: OpenAIChatToolChoice; parallel_tool_calls?: boolean } {
  const parallel = 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use ? { parallel_tool_calls: false } : {};
  switch (choice.type) {
    case 'auto':
      return { tool_choice: 'auto', ...parallel };
    case 'any':
      return { tool_choice: 'required', ...parallel };
    case 'tool':
      return { tool_choice: { type: 'function', function: { name: choice.name } }, ...parallel };
    default:
      return { tool_choice: 'none' };
  }
}

const efforts: Record<string, OpenAIReasoningEffort> = { low: 'low', medium: 'medium', high: 'high', xhigh: 'xhigh', max: 'xhigh' };

/**
 * Translates an Anthropic Messages request into an OpenAI chat completions
 * request, the reverse of `toAnthropicRequest`.
 *
 * - `system` becomes one system message (a string) or one per text block;
 *   `system` messages inside `messages` stay in place.
 * - `tool_result` blocks become `tool` messages placed before the rest of
 *   their user message; images inside a tool result move to a user message
 *   right after (OpenAI tool messages hold text only). `is_error` has no
 *   OpenAI equivalent and is dropped.
 * - `tool_use` blocks become `tool_calls` with JSON string `arguments`; image
 *   blocks become `image_url` parts (base64 → `data:` URL); base64 PDF
 *   documents become `file` parts, plain-text documents text parts.
 * - `max_tokens` becomes `max_completion_tokens`; `stop_sequences` → `stop`;
 *   `metadata.user_id` → `user`; `output_config.format` → a `json_schema`
 *   response format; `output_config.effort` → `reasoning_effort` (`max` →
 *   `xhigh`); `disable_parallel_tool_use` → `parallel_tool_calls: false`.
 *   Streaming requests ask for `stream_options.include_usage`, so usage is
 *   always accounted.
 * - Dropped: thinking blocks and the `thinking` option, `top_k`,
 *   `cache_control`, `service_tier`.
 * - Rejected with a 400 `VALIDATION_ERROR`: server tools (web search, code
 *   execution, …) and sources by `file_id` or URL documents.
 *
 * @example
 * ```ts
 * const upstream = toOpenAIChatRequest({
 *   model: 'gpt', max_tokens: 1024, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }],
 * }, { model: 'gpt-4.1' });
 * // { model: 'gpt-4.1', messages: [{ role: 'system', … }, { role: 'user', content: 'Hi' }], max_completion_tokens: 1024 }
 * ```
 */
export function toOpenAIChatRequest(
  request: AnthropicMessagesRequest,
  options: ToOpenAIChatRequestOptions = {},
): OpenAIChatCompletionRequest {
  const messages: OpenAIChatMessage[] = request.system ? systemMessages(request.system) : [];
  for (const [index, message] of request.messages.entries()) {
    if (message.role === 'system') messages.push(...systemMessages(message.content));
    else if (message.role === 'user') messages.push(...userMessages(message.content));
    else if (message.role === 'assistant') {
      const assistant = assistantMessage(message.content);
      if (assistant) messages.push(assistant);
    } else {
      // Never drop a message: an unknown role is refused.
      untranslatable(
        `messages[${index}].role: must be "user", "assistant" or "system" (got ${JSON.stringify((message as { role: unknown }).role)}).`,
      );
    }
  }

  const result: OpenAIChatCompletionRequest = {
    model: options.model ?? request.model,
    messages,
    max_completion_tokens: request.max_tokens,
  };
  if (request.stop_sequences && request.stop_sequences.length > 0) result.stop = request.stop_sequences;
  if (request.temperature != null) result.temperature = request.temperature;
  if (request.top_p != null) result.top_p = request.top_p;
  if (request.tools && request.tools.length > 0) {
    result.tools = request.tools.map((tool) => {
      if (!isAnthropicClientTool(tool)) {
        untranslatable(`Server tool "${tool.name}" (${tool.type}) cannot run on an OpenAI model.`);
      }
      return {
        type: 'function',
        function: {
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          parameters: tool.input_schema as Record<string, unknown>,
          ...(tool.strict === true ? { strict: true } : {}),
        },
      };
    });
    if (request.tool_choice) Object.assign(result, toolChoice(request.tool_choice));
  }
  if (request.metadata?.user_id) result.user = request.metadata.user_id;
  const format = request.output_config?.format;
  if (format?.type === 'json_schema') {
    result.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: format.schema, strict: true } };
  }
  const effort = request.output_config?.effort;
  if (effort && efforts[effort]) result.reasoning_effort = efforts[effort];
  if (request.stream) {
    result.stream = true;
    result.stream_options = { include_usage: true };
  }
  return result;
}
