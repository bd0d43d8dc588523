/**
 * OpenAI chat completions request → Gemini `generateContent` request: how the
 * OpenAI, Responses and Anthropic ingresses (all through the chat shape) reach
 * a Gemini-format alias.
 *
 * @module
 */

import type {
  GeminiContent,
  GeminiGenerateContentRequest,
  GeminiGenerationConfig,
  GeminiPart,
  GeminiToolConfig,
} from '../wire/gemini-types.js';
import type {
  OpenAIChatCompletionRequest,
  OpenAIChatTextPart,
  OpenAIChatUserContentPart,
  OpenAIReasoningEffort,
} from '../wire/openai-types.js';
import { parseDataUrl, parseToolArguments, untranslatable } from './shared.js';

const thinkingBudgets: Record<OpenAIReasoningEffort, number> = {
  none: 0,
  minimal: 512,
  low: 2048,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
};

function textOf(content: string | Array<OpenAIChatTextPart | { type: string }> | null | undefined): string {
  if (typeof content === 'string') return content;
  return (content ?? [])
    .map((part) => (part.type === 'text' ? (part as OpenAIChatTextPart).text : ((part as { refusal?: string }).refusal ?? '')))
    .join('');
}

function userParts(content: string | OpenAIChatUserContentPart[], where: string): GeminiPart[] {
  if (typeof content === 'string') return [{ text: content }];
  return content.map((part, index): GeminiPart => {
    if (part.type === 'text') return { text: part.text };
    if (part.type === 'image_url') {
      const data = parseDataUrl(part.image_url.url);
      if (!data) untranslatable(`${where}[${index}].image_url: Gemini models take images as data: URLs only.`);
      return { inlineData: { mimeType: data.mediaType, data: data.data } };
    }
    if (part.type === 'file' && part.file.file_data) {
      const data = parseDataUrl(part.file.file_data);
      if (data) return { inlineData: { mimeType: data.mediaType, data: data.data } };
    }
    if (part.type === 'input_audio') return { inlineData: { mimeType: `audio/${part.input_audio.format}`, data: part.input_audio.data } };
    return untranslatable(`${where}[${index}]: "${part.type}" parts cannot be sent to a Gemini model alias.`);
  });
}

function toolConfigOf(request: OpenAIChatCompletionRequest): GeminiToolConfig | undefined {
  const choice = request.tool_choice;
  if (choice === undefined) return undefined;
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (choice.type === 'function') return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  if (choice.type === 'allowed_tools') {
    const names = choice.allowed_tools.tools
      .map((tool) => (tool as { function?: { name?: string }; name?: string }).function?.name ?? (tool as { name?: string }).name)
      .filter((name): name is string => typeof name === 'string');
    return { functionCallingConfig: { mode: choice.allowed_tools.mode === 'required' ? 'ANY' : 'AUTO', allowedFunctionNames: names } };
  }
  return untranslatable('tool_choice: custom tools cannot be sent to a Gemini model alias.');
}

/**
 * Translates an OpenAI chat request to a Gemini request.
 *
 * - System and developer messages become `systemInstruction`; user and tool
 *   messages `user` contents (tool results as `functionResponse` parts named
 *   after the call they answer, `{ output }` holding the text); assistant
 *   messages `model` contents (tool calls as `functionCall` parts, ids kept).
 *   Consecutive contents of one role are merged.
 * - Images and files as `data:` URLs and audio become `inlineData` (an image
 *   by `https:` URL is a 400: Gemini takes no image URLs).
 * - `max_completion_tokens` (else `max_tokens`), `temperature`, `top_p`,
 *   `stop`, `n`, penalties and `seed` become `generationConfig`; a
 *   `json_schema` response format `responseMimeType: application/json` with
 *   `responseJsonSchema` (`json_object`: the mime type alone);
 *   `reasoning_effort` a `thinkingConfig.thinkingBudget` (`none` 0, `minimal`
 *   512, `low` 2048, `medium` 8192, `high` 24576, `xhigh` 32768).
 * - Function tools become `functionDeclarations` with `parametersJsonSchema`;
 *   `tool_choice` becomes `toolConfig.functionCallingConfig`.
 * - Dropped: `user`, `metadata`, `store`, `logprobs`, `logit_bias`,
 *   `parallel_tool_calls`, `stream_options`. Custom tools are a 400.
 *
 * @example
 * ```ts
 * toGeminiRequest({ model: 'x', messages: [{ role: 'user', content: 'Hi' }] });
 * // { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }
 * ```
 */
export function toGeminiRequest(request: OpenAIChatCompletionRequest): GeminiGenerateContentRequest {
  const system: string[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  const push = (role: 'user' | 'model', parts: GeminiPart[]) => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  request.messages.forEach((message, index) => {
    const where = `messages[${index}].content`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(textOf(message.content));
        break;
      case 'user':
        push('user', userParts(message.content, where));
        break;
      case 'assistant': {
        const parts: GeminiPart[] = [];
        const text = textOf(message.content);
        if (text) parts.push({ text });
        for (const call of message.tool_calls ?? []) {
          if (call.type !== 'function')
            untranslatable(`messages[${index}].tool_calls: custom tool calls cannot be sent to a Gemini model alias.`);
          callNames.set(call.id, call.function.name);
          const args = parseToolArguments(call.function.arguments, {
            toolCallId: call.id,
            toolName: call.function.name,
            code: 'VALIDATION_ERROR',
          });
          parts.push({ functionCall: { id: call.id, name: call.function.name, args } });
        }
        push('model', parts);
        break;
      }
      case 'tool': {
        const name = callNames.get(message.tool_call_id);
        if (!name) untranslatable(`messages[${index}].tool_call_id: no assistant tool call "${message.tool_call_id}" before it.`);
        push('user', [{ functionResponse: { id: message.tool_call_id, name, response: { output: textOf(message.content) } } }]);
        break;
      }
      default:
        untranslatable(`messages[${index}].role: "${message.role}" messages cannot be sent to a Gemini model alias.`);
    }
  });
  const result: GeminiGenerateContentRequest = { contents };
  if (system.length > 0) result.systemInstruction = { parts: [{ text: system.join('\n') }] };
  const config: GeminiGenerationConfig = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) config.maxOutputTokens = maxTokens;
  if (request.temperature != null) config.temperature = request.temperature;
  if (request.top_p != null) config.topP = request.top_p;
  if (request.stop != null) config.stopSequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (request.n != null && request.n > 1) config.candidateCount = request.n;
  if (request.presence_penalty != null) config.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty != null) config.frequencyPenalty = request.frequency_penalty;
  if (request.seed != null) config.seed = request.seed;
  if (request.response_format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    if (request.response_format.json_schema.schema) config.responseJsonSchema = request.response_format.json_schema.schema;
  } else if (request.response_format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (request.reasoning_effort) config.thinkingConfig = { thinkingBudget: thinkingBudgets[request.reasoning_effort] };
  if (Object.keys(config).length > 0) result.generationConfig = config;
  const declarations = (request.tools ?? []).map((tool, index) => {
    if (tool.type !== 'function') return untranslatable(`tools[${index}]: custom tools cannot be sent to a Gemini model alias.`);
    return {
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      ...(tool.function.parameters ? { parametersJsonSchema: tool.function.parameters } : {}),
    };
  });
  if (declarations.length > 0) {
    result.tools = [{ functionDeclarations: declarations }];
    const toolConfig = toolConfigOf(request);
    if (toolConfig) result.toolConfig = toolConfig;
  }
  return result;
}
