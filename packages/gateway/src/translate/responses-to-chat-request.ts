/**
 * OpenAI Responses request → OpenAI chat completions request.
 *
 * @module
 */

import type {
  ResponsesFunctionCall,
  ResponsesFunctionCallOutput,
  ResponsesInputContent,
  ResponsesInputItem,
  ResponsesInputMessage,
  ResponsesOutputContent,
  ResponsesOutputMessage,
  ResponsesRequest,
  ResponsesTool,
  ResponsesToolChoice,
} from '../wire/openai-responses-types.js';
import type {
  OpenAIChatAssistantMessage,
  OpenAIChatCompletionRequest,
  OpenAIChatMessage,
  OpenAIChatTextPart,
  OpenAIChatTool,
  OpenAIChatToolChoice,
  OpenAIChatUserContentPart,
} from '../wire/openai-types.js';
import { flatToolName, flattenNamespaceTools } from './namespace-tools.js';
import { untranslatable } from './shared.js';

/** Options of {@link toOpenAIChatRequestFromResponses}. */
export interface FromResponsesRequestOptions {
  /** The upstream model id. @default the request's `model` */
  model?: string;
}

function inputPart(part: ResponsesInputContent | ResponsesOutputContent): OpenAIChatUserContentPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: part.text };
    case 'refusal':
      return { type: 'text', text: part.refusal };
    case 'input_image': {
      if (!part.image_url) untranslatable('Images by file_id are not supported by this model; send image_url.');
      const detail = part.detail === 'low' || part.detail === 'high' || part.detail === 'auto' ? { detail: part.detail } : {};
      return { type: 'image_url', image_url: { url: part.image_url, ...detail } };
    }
    case 'input_file':
      if (!part.file_data) untranslatable('Files by file_id or file_url are not supported by this model; send file_data.');
      return { type: 'file', file: { file_data: part.file_data, ...(part.filename ? { filename: part.filename } : {}) } };
    default:
      return untranslatable(`Input content type "${(part as { type: string }).type}" is not supported.`);
  }
}

function textParts(content: ResponsesInputMessage['content']): string | OpenAIChatTextPart[] {
  if (typeof content === 'string') return content;
  return content.map((part) => {
    const converted = inputPart(part);
    if (converted.type !== 'text') untranslatable('System, developer and assistant messages may hold text only.');
    return converted;
  });
}

function messageOf(item: ResponsesInputMessage | ResponsesOutputMessage): OpenAIChatMessage {
  switch (item.role) {
    case 'system':
      return { role: 'system', content: textParts(item.content) };
    case 'developer':
      return { role: 'developer', content: textParts(item.content) };
    case 'assistant': {
      const content = textParts(item.content);
      return { role: 'assistant', content: typeof content === 'string' ? content : content.map((part) => part.text).join('') };
    }
    default:
      return {
        role: 'user',
        content: typeof item.content === 'string' ? item.content : item.content.map(inputPart),
      };
  }
}

function functionCallOutput(item: ResponsesFunctionCallOutput): OpenAIChatMessage[] {
  if (typeof item.output === 'string') return [{ role: 'tool', tool_call_id: item.call_id, content: item.output }];
  const texts: OpenAIChatTextPart[] = [];
  const others: OpenAIChatUserContentPart[] = [];
  for (const part of item.output) {
    const converted = inputPart(part);
    if (converted.type === 'text') texts.push(converted);
    else others.push(converted);
  }
  const tool: OpenAIChatMessage = { role: 'tool', tool_call_id: item.call_id, content: texts };
  return others.length > 0 ? [tool, { role: 'user', content: others }] : [tool];
}

function isMessage(item: ResponsesInputItem): item is ResponsesInputMessage | ResponsesOutputMessage {
  return 'role' in item && (item.type === undefined || item.type === 'message');
}

function messages(request: ResponsesRequest): OpenAIChatMessage[] {
  const result: OpenAIChatMessage[] = [];
  if (request.instructions) result.push({ role: 'system', content: request.instructions });
  if (typeof request.input === 'string') {
    result.push({ role: 'user', content: request.input });
    return result;
  }
  for (const item of request.input ?? []) {
    if (isMessage(item)) {
      result.push(messageOf(item));
      continue;
    }
    switch (item.type) {
      case 'function_call': {
        const call = item as ResponsesFunctionCall;
        const toolCall = {
          id: call.call_id,
          type: 'function' as const,
          function: { name: call.namespace ? flatToolName(call.namespace, call.name) : call.name, arguments: call.arguments },
        };
        const last = result.at(-1);
        if (last?.role === 'assistant') (last as OpenAIChatAssistantMessage).tool_calls = [...(last.tool_calls ?? []), toolCall];
        else result.push({ role: 'assistant', content: null, tool_calls: [toolCall] });
        break;
      }
      case 'function_call_output':
        result.push(...functionCallOutput(item as ResponsesFunctionCallOutput));
        break;
      case 'reasoning':
        break;
      case 'item_reference':
      case undefined:
      case null:
        untranslatable('Item references need stored responses, which this gateway does not keep; send the items.');
        break;
      default:
        untranslatable(`Input items of type "${item.type}" are not supported by this model.`);
    }
  }
  return result;
}

function tools(definitions: ResponsesTool[]): OpenAIChatTool[] {
  return definitions.map((tool) => {
    if (tool.type !== 'function') {
      const hint = tool.type === 'web_search' ? ' (Codex sends it unless its config.toml says web_search = "disabled")' : '';
      untranslatable(`Built-in tool "${tool.type}" is not supported by this model; remove it from tools${hint}.`);
    }
    const { name, description, parameters, strict } = tool as Extract<ResponsesTool, { type: 'function'; strict: unknown }>;
    return {
      type: 'function',
      function: {
        name,
        ...(description ? { description } : {}),
        ...(parameters ? { parameters } : {}),
        ...(strict != null ? { strict } : {}),
      },
    };
  });
}

function toolChoice(toolChoiceOption: ResponsesToolChoice): OpenAIChatToolChoice {
  if (typeof toolChoiceOption === 'string') return toolChoiceOption;
  const choice = toolChoiceOption as { type: string } & Record<string, unknown>;
  if (choice.type === 'function' && typeof choice.name === 'string') {
    return { type: 'function', function: { name: choice.name } };
  }
  if (choice.type === 'allowed_tools' && Array.isArray(choice.tools)) {
    const mode = choice.mode === 'required' ? 'required' : 'auto';
    const allowed = (choice.tools as Array<Record<string, unknown>>).map((tool) =>
      tool.type === 'function' && typeof tool.name === 'string' ? { type: 'function', function: { name: tool.name } } : tool,
    );
    return { type: 'allowed_tools', allowed_tools: { mode, tools: allowed } };
  }
  return untranslatable(`Tool choice "${choice.type}" is not supported by this model.`);
}

/**
 * Translates an OpenAI Responses request into a chat completions request, so
 * `/v1/responses` can be served by a chat-completions (or, translated once
 * more, an Anthropic) upstream.
 *
 * - `instructions` becomes the first system message; a string `input` a user
 *   message; input messages keep their role; consecutive `function_call`
 *   items join the preceding assistant message as `tool_calls`;
 *   `function_call_output` items become `tool` messages (non-text output parts
 *   move to a user message right after); `reasoning` items are dropped.
 * - Function tools are un-flattened; the functions of `namespace` tools
 *   become functions named `<namespace>__<name>` (see `flattenNamespaceTools`),
 *   and `function_call` items with a `namespace` use that name; `tool_choice`, `max_output_tokens` (→
 *   `max_completion_tokens`), `temperature`, `top_p`, `parallel_tool_calls`,
 *   `text.format` (→ `response_format`), `text.verbosity`,
 *   `reasoning.effort` (→ `reasoning_effort`), `user`, `safety_identifier`,
 *   `prompt_cache_key` and `service_tier` carry over. Streaming requests ask
 *   for `stream_options.include_usage`.
 * - Dropped: `store` (nothing is stored), `include`, `truncation`,
 *   `metadata`, `background`.
 * - Rejected with a 400 `VALIDATION_ERROR`: `previous_response_id`,
 *   `conversation` and item references (they need stored state), built-in
 *   tools, and images or files by id.
 *
 * @example
 * ```ts
 * toOpenAIChatRequestFromResponses({ model: 'gpt-4.1', instructions: 'Be brief.', input: 'Hi' });
 * // { model: 'gpt-4.1', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] }
 * ```
 */
export function toOpenAIChatRequestFromResponses(
  request: ResponsesRequest,
  options: FromResponsesRequestOptions = {},
): OpenAIChatCompletionRequest {
  if (request.previous_response_id) {
    untranslatable('previous_response_id needs stored responses, which this gateway does not keep; send the full input.');
  }
  if (request.conversation) untranslatable('Conversations are not supported by this gateway; send the full input.');
  const model = options.model ?? request.model;
  if (!model) untranslatable('The request has no model.');
  const result: OpenAIChatCompletionRequest = { model, messages: messages(request) };
  if (request.max_output_tokens != null) result.max_completion_tokens = request.max_output_tokens;
  if (request.temperature != null) result.temperature = request.temperature;
  if (request.top_p != null) result.top_p = request.top_p;
  if (request.tools && request.tools.length > 0) {
    result.tools = tools(flattenNamespaceTools(request.tools).tools);
    if (request.tool_choice !== undefined) result.tool_choice = toolChoice(request.tool_choice);
    if (request.parallel_tool_calls != null) result.parallel_tool_calls = request.parallel_tool_calls;
  }
  const format = request.text?.format;
  if (format?.type === 'json_schema') {
    result.response_format = {
      type: 'json_schema',
      json_schema: {
        name: format.name,
        schema: format.schema,
        ...(format.description ? { description: format.description } : {}),
        ...(format.strict != null ? { strict: format.strict } : {}),
      },
    };
  } else if (format?.type === 'json_object') result.response_format = { type: 'json_object' };
  if (request.text?.verbosity) result.verbosity = request.text.verbosity;
  if (request.reasoning?.effort) result.reasoning_effort = request.reasoning.effort;
  if (request.user) result.user = request.user;
  if (request.safety_identifier) result.safety_identifier = request.safety_identifier;
  if (request.prompt_cache_key) result.prompt_cache_key = request.prompt_cache_key;
  if (request.service_tier) result.service_tier = request.service_tier;
  if (request.stream) {
    result.stream = true;
    result.stream_options = { include_usage: true };
  }
  return result;
}
