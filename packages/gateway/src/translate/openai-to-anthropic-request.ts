/**
 * OpenAI chat completions request → Anthropic Messages request.
 *
 * @module
 */

import type {
  AnthropicBase64ImageSource,
  AnthropicContentBlockParam,
  AnthropicConversationMessageParam,
  AnthropicMessagesRequest,
  AnthropicTextBlockParam,
  AnthropicTool,
  AnthropicToolChoice,
} from '../wire/anthropic-types.js';
import type {
  OpenAIChatAssistantMessage,
  OpenAIChatCompletionRequest,
  OpenAIChatTextPart,
  OpenAIChatTool,
  OpenAIChatToolChoice,
  OpenAIChatToolMessage,
  OpenAIChatUserContentPart,
} from '../wire/openai-types.js';
import { parseDataUrl, parseToolArguments, textOf, untranslatable } from './shared.js';

/**
 * The `max_tokens` sent to Anthropic, which requires it, when the OpenAI request
 * sets neither `max_completion_tokens` nor `max_tokens`.
 */
export const defaultAnthropicMaxTokens = 4096;

/** Options of {@link toAnthropicRequest}. */
export interface ToAnthropicRequestOptions {
  /** The upstream model id. @default the request's `model` */
  model?: string;
  /** `max_tokens` when the request sets none. @default 4096 ({@link defaultAnthropicMaxTokens}) */
  defaultMaxTokens?: number;
}

const anthropicImageTypes = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

type Content = string | AnthropicContentBlockParam[];

function toBlocks(content: Content): AnthropicContentBlockParam[] {
  return typeof content === 'string' ? (content === '' ? [] : [{ type: 'text', text: content }]) : content;
}

function textBlocks(content: string | OpenAIChatTextPart[]): AnthropicTextBlockParam[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.filter((part) => part.type === 'text' && part.text !== '').map((part) => ({ type: 'text', text: part.text }));
}

function imageBlock(url: string): AnthropicContentBlockParam {
  const dataUrl = parseDataUrl(url);
  if (dataUrl) {
    if (!anthropicImageTypes.has(dataUrl.mediaType)) {
      untranslatable(`Image type ${dataUrl.mediaType} is not supported by Anthropic models (use JPEG, PNG, GIF or WebP).`);
    }
    const source: AnthropicBase64ImageSource = {
      type: 'base64',
      media_type: dataUrl.mediaType as AnthropicBase64ImageSource['media_type'],
      data: dataUrl.data,
    };
    return { type: 'image', source };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  return untranslatable('An image_url must be an http(s) URL or a base64 data: URL.');
}

function userContent(content: string | OpenAIChatUserContentPart[]): Content {
  if (typeof content === 'string') return content;
  const blocks: AnthropicContentBlockParam[] = [];
  for (const part of content) {
    switch (part.type) {
      case 'text':
        if (part.text !== '') blocks.push({ type: 'text', text: part.text });
        break;
      case 'image_url':
        blocks.push(imageBlock(part.image_url.url));
        break;
      case 'file': {
        const { file_data: fileData, filename } = part.file;
        if (!fileData) untranslatable('Files by file_id cannot be sent to Anthropic models; send file_data instead.');
        const dataUrl = parseDataUrl(fileData);
        const mediaType = dataUrl?.mediaType ?? 'application/pdf';
        if (mediaType !== 'application/pdf') untranslatable(`File type ${mediaType} is not supported; only PDF files are.`);
        blocks.push({
          type: 'document',
          source: { type: 'base64', media_type: 'application/pdf', data: dataUrl?.data ?? fileData },
          ...(filename ? { title: filename } : {}),
        });
        break;
      }
      case 'input_audio':
        untranslatable('Audio input is not supported by Anthropic models.');
        break;
      default:
        untranslatable(`Unsupported content part type "${(part as { type: string }).type}".`);
    }
  }
  return blocks;
}

function assistantContent(message: OpenAIChatAssistantMessage): Content {
  const text = textOf(message.content) || (message.refusal ?? '');
  const toolCalls = message.tool_calls ?? [];
  if (message.function_call) untranslatable('Legacy function_call messages are not supported; use tool_calls.');
  if (toolCalls.length === 0 && (typeof message.content === 'string' || message.content == null)) return text;
  const blocks: AnthropicContentBlockParam[] = text === '' ? [] : [{ type: 'text', text }];
  for (const call of toolCalls) {
    if (call.type !== 'function') untranslatable('Custom tool calls are not supported by Anthropic models.');
    blocks.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseToolArguments(call.function.arguments, {
        toolCallId: call.id,
        toolName: call.function.name,
        code: 'VALIDATION_ERROR',
      }),
    });
  }
  return blocks;
}

function toolResult(message: OpenAIChatToolMessage): AnthropicContentBlockParam[] {
  const content = typeof message.content === 'string' ? message.content : textBlocks(message.content);
  return [{ type: 'tool_result', tool_use_id: message.tool_call_id, content }];
}

/** Collects messages, merging consecutive messages of the same role. */
function createConversation() {
  const messages: AnthropicConversationMessageParam[] = [];
  return {
    messages,
    push(role: 'user' | 'assistant', content: Content) {
      if (toBlocks(content).length === 0) return;
      const last = messages.at(-1);
      if (last?.role === role) last.content = [...toBlocks(last.content), ...toBlocks(content)];
      else messages.push({ role, content });
    },
  };
}

/** Anthropic wants a user message's tool results before any other block. */
function toolResultsFirst(message: AnthropicConversationMessageParam): AnthropicConversationMessageParam {
  if (message.role !== 'user' || typeof message.content === 'string') return message;
  const results = message.content.filter((block) => block.type === 'tool_result');
  if (results.length === 0) return message;
  return { role: 'user', content: [...results, ...message.content.filter((block) => block.type !== 'tool_result')] };
}

function tools(definitions: OpenAIChatTool[]): AnthropicTool[] {
  return definitions.map((tool) => {
    if (tool.type !== 'function') untranslatable('Custom tools are not supported by Anthropic models.');
    const { name, description, parameters, strict } = tool.function;
    return {
      name,
      ...(description ? { description } : {}),
      input_schema: { type: 'object', ...(parameters ?? { properties: {} }) } as AnthropicTool['input_schema'],
      ...(strict === true ? { strict: true } : {}),
    };
  });
}

function toolNamesOf(allowed: Array<Record<string, unknown>>): Set<string> {
  const names = new Set<string>();
  for (const entry of allowed) {
    const fn = entry.function as { name?: unknown } | undefined;
    const name = fn?.name ?? entry.name;
    if (typeof name === 'string') names.add(name);
  }
  return names;
}

function toolChoice(choice: OpenAIChatToolChoice | undefined, parallelToolCalls: boolean | undefined): AnthropicToolChoice | undefined {
  const noParallel = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallelToolCalls === false ? { type: 'auto', ...noParallel } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...noParallel };
  if (choice === 'required') return { type: 'any', ...noParallel };
  if (choice.type === 'function') return { type: 'tool', name: choice.function.name, ...noParallel };
  if (choice.type === 'allowed_tools') {
    return { type: choice.allowed_tools.mode === 'required' ? 'any' : 'auto', ...noParallel };
  }
  return untranslatable('Custom tool choices are not supported by Anthropic models.');
}

/**
 * Translates an OpenAI chat completions request into an Anthropic Messages
 * request.
 *
 * - `system` and `developer` messages, wherever they are, become the top-level
 *   `system` (a string for one, text blocks for several), order kept.
 * - `tool` messages become `tool_result` blocks of a user message, before any
 *   other block; consecutive messages of one role are merged.
 * - Assistant `tool_calls` become `tool_use` blocks with the JSON `arguments`
 *   parsed (empty arguments are `{}`; invalid JSON is a 400).
 * - `image_url` parts become image blocks (`data:` URLs become base64
 *   sources); PDF `file` parts become document blocks.
 * - `max_completion_tokens` (else `max_tokens`, else `defaultMaxTokens`)
 *   becomes `max_tokens`; `stop` becomes `stop_sequences`; `temperature` is
 *   clamped to Anthropic's 0–1 and `top_p` is sent only without a
 *   `temperature` (recent Claude models refuse both); `user` or `safety_identifier` becomes
 *   `metadata.user_id`; a `json_schema` response format becomes
 *   `output_config.format`; `parallel_tool_calls: false` becomes
 *   `disable_parallel_tool_use`.
 * - Dropped, having no Anthropic equivalent: `name`, `n` = 1, `seed`,
 *   penalties, `logprobs`, `logit_bias`, `json_object` format,
 *   `reasoning_effort`, `metadata`, `store`, `stream_options` (Anthropic
 *   always streams usage).
 * - Rejected with a 400 `VALIDATION_ERROR`: `n` > 1, audio input, files by
 *   id, custom tools, legacy `functions`/`function_call`.
 *
 * @example
 * ```ts
 * const upstream = toAnthropicRequest(
 *   { model: 'claude', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] },
 *   { model: 'claude-sonnet-4-5' },
 * );
 * // { model: 'claude-sonnet-4-5', max_tokens: 4096, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] }
 * ```
 */
export function toAnthropicRequest(
  request: OpenAIChatCompletionRequest,
  options: ToAnthropicRequestOptions = {},
): AnthropicMessagesRequest {
  if (request.n != null && request.n > 1) untranslatable('n > 1 is not supported by Anthropic models.');
  if (request.functions || request.function_call) {
    untranslatable('Legacy functions/function_call are not supported; use tools/tool_choice.');
  }
  const system: AnthropicTextBlockParam[] = [];
  const conversation = createConversation();
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message.content));
        break;
      case 'user':
        conversation.push('user', userContent(message.content));
        break;
      case 'assistant':
        conversation.push('assistant', assistantContent(message));
        break;
      case 'tool':
        conversation.push('user', toolResult(message));
        break;
      default:
        untranslatable(`Messages with role "${message.role}" are not supported; use tool messages.`);
    }
  }

  const result: AnthropicMessagesRequest = {
    model: options.model ?? request.model,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? options.defaultMaxTokens ?? defaultAnthropicMaxTokens,
    messages: conversation.messages.map(toolResultsFirst),
  };
  if (system.length === 1) result.system = system[0]!.text;
  else if (system.length > 1) result.system = system;
  if (request.stop != null) {
    const stops = (typeof request.stop === 'string' ? [request.stop] : request.stop).filter((stop) => stop !== '');
    if (stops.length > 0) result.stop_sequences = stops;
  }
  if (request.temperature != null) result.temperature = Math.min(1, Math.max(0, request.temperature));
  // Recent Claude models accept temperature or top_p, not both; temperature wins.
  else if (request.top_p != null) result.top_p = request.top_p;

  let definitions = request.tools ?? [];
  if (typeof request.tool_choice === 'object' && request.tool_choice.type === 'allowed_tools') {
    const allowed = toolNamesOf(request.tool_choice.allowed_tools.tools);
    definitions = definitions.filter((tool) => tool.type === 'function' && allowed.has(tool.function.name));
  }
  if (definitions.length > 0) {
    result.tools = tools(definitions);
    const choice = toolChoice(request.tool_choice, request.parallel_tool_calls);
    if (choice) result.tool_choice = choice;
  }

  const userId = request.user ?? request.safety_identifier;
  if (userId) result.metadata = { user_id: userId };
  if (request.response_format?.type === 'json_schema') {
    result.output_config = { format: { type: 'json_schema', schema: request.response_format.json_schema.schema ?? {} } };
  }
  if (request.stream) result.stream = true;
  return result;
}
