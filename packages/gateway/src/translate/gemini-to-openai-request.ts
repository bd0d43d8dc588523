/**
 * Gemini `generateContent` request → OpenAI chat completions request (and,
 * through `toAnthropicRequest`, an Anthropic Messages request).
 *
 * @module
 */

import type {
  OpenAIChatAssistantMessage,
  OpenAIChatCompletionRequest,
  OpenAIChatFunctionToolCall,
  OpenAIChatMessage,
  OpenAIChatTool,
  OpenAIChatToolChoice,
  OpenAIChatUserContentPart,
  OpenAIReasoningEffort,
} from '../wire/openai-types.js';
import type { GeminiContent, GeminiGenerateContentRequest, GeminiPart, GeminiThinkingConfig, GeminiTool } from '../wire/gemini-types.js';
import { createToolNameMap, type ToolNameMap } from './gemini-tool-names.js';
import { untranslatable } from './shared.js';

/** The translated request and the function-name map the answer is translated back with. */
export interface FromGeminiRequest {
  request: OpenAIChatCompletionRequest;
  names: ToolNameMap;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Converts a Gemini `Schema` (the OpenAPI subset with upper-case `type`s and
 * `nullable`) to JSON Schema; a JSON Schema passes through unchanged.
 *
 * @example
 * ```ts
 * toJsonSchema({ type: 'OBJECT', properties: { n: { type: 'INTEGER', nullable: true } } });
 * // { type: 'object', properties: { n: { type: ['integer', 'null'] } } }
 * ```
 */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'propertyOrdering') continue;
    if (key === 'type' && typeof value === 'string') out.type = value.toLowerCase();
    else if (key === 'properties' && isObject(value))
      out.properties = Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, toJsonSchema(inner)]));
    else if (key === 'items' || key === 'anyOf' || key === 'oneOf' || key === 'allOf' || key === 'additionalProperties')
      out[key] = toJsonSchema(value);
    else out[key] = value;
  }
  if (schema.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

/**
 * The OpenAI reasoning effort of a `thinkingConfig`: `thinkingLevel` maps by
 * name; a positive `thinkingBudget` maps to `low` (≤ 2048 tokens), `medium`
 * (≤ 8192) or `high`; a budget of 0 or -1 (off, dynamic) sets none.
 *
 * @example
 * ```ts
 * toReasoningEffort({ thinkingBudget: 4096 }); // 'medium'
 * ```
 */
export function toReasoningEffort(config: GeminiThinkingConfig | undefined): OpenAIReasoningEffort | null {
  if (!config) return null;
  const level = typeof config.thinkingLevel === 'string' ? config.thinkingLevel.toLowerCase() : '';
  if (level === 'minimal' || level === 'low' || level === 'medium' || level === 'high') return level;
  const budget = config.thinkingBudget;
  if (typeof budget !== 'number' || budget <= 0) return null;
  return budget <= 2048 ? 'low' : budget <= 8192 ? 'medium' : 'high';
}

/** Checks the request's shape, naming the first malformed field (a 400). */
export function checkGeminiRequest(body: Record<string, unknown>): void {
  if (!Array.isArray(body.contents)) untranslatable('contents: must be an array of contents', { issues: [{ path: 'contents' }] });
  body.contents.forEach((content: unknown, index) => {
    if (!isObject(content) || !Array.isArray(content.parts))
      untranslatable(`contents[${index}].parts: must be an array of parts`, { issues: [{ path: `contents[${index}].parts` }] });
  });
  if (body.tools !== undefined && !Array.isArray(body.tools)) untranslatable('tools: must be an array', { issues: [{ path: 'tools' }] });
  if (body.generationConfig !== undefined && !isObject(body.generationConfig))
    untranslatable('generationConfig: must be an object', { issues: [{ path: 'generationConfig' }] });
}

function textOfContent(content: GeminiContent | string | undefined): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return (content.parts ?? [])
    .filter((part) => typeof part.text === 'string' && part.thought !== true)
    .map((part) => part.text)
    .join('\n');
}

function dataPart(mimeType: string, data: string, where: string): OpenAIChatUserContentPart {
  if (mimeType.startsWith('image/')) return { type: 'image_url', image_url: { url: `data:${mimeType};base64,${data}` } };
  if (mimeType === 'application/pdf')
    return { type: 'file', file: { file_data: `data:${mimeType};base64,${data}`, filename: 'document.pdf' } };
  if (mimeType.startsWith('text/') || mimeType === 'application/json')
    return { type: 'text', text: Buffer.from(data, 'base64').toString('utf8') };
  return untranslatable(`${where}.inlineData: the mime type "${mimeType}" cannot be sent to this model alias.`);
}

function unsupportedPart(part: GeminiPart, where: string): never {
  const kind = Object.keys(part).find((key) => key !== 'thoughtSignature') ?? 'empty';
  return untranslatable(
    `${where}: "${kind}" parts cannot be sent to this model alias (only text, inlineData, functionCall and functionResponse).`,
  );
}

function functionTools(tools: GeminiTool[], names: ToolNameMap): OpenAIChatTool[] {
  const out: OpenAIChatTool[] = [];
  tools.forEach((tool, index) => {
    for (const key of Object.keys(tool)) {
      if (key !== 'functionDeclarations')
        untranslatable(`tools[${index}].${key}: only functionDeclarations can be sent to this model alias.`, {
          issues: [{ path: `tools[${index}].${key}` }],
        });
    }
    for (const declaration of tool.functionDeclarations ?? []) {
      const parameters = declaration.parametersJsonSchema ?? toJsonSchema(declaration.parameters) ?? { type: 'object', properties: {} };
      out.push({
        type: 'function',
        function: {
          name: names.toUpstream(declaration.name),
          ...(declaration.description ? { description: declaration.description } : {}),
          parameters: parameters as Record<string, unknown>,
        },
      });
    }
  });
  return out;
}

function toolChoice(request: GeminiGenerateContentRequest, names: ToolNameMap): OpenAIChatToolChoice | undefined {
  const config = request.toolConfig?.functionCallingConfig;
  if (!config?.mode) return undefined;
  const allowed = (config.allowedFunctionNames ?? []).map((name) => names.toUpstream(name));
  switch (config.mode) {
    case 'NONE':
      return 'none';
    case 'ANY':
      if (allowed.length === 1) return { type: 'function', function: { name: allowed[0]! } };
      if (allowed.length > 1)
        return {
          type: 'allowed_tools',
          allowed_tools: { mode: 'required', tools: allowed.map((name) => ({ type: 'function', function: { name } })) },
        };
      return 'required';
    default:
      if (allowed.length > 0)
        return {
          type: 'allowed_tools',
          allowed_tools: { mode: 'auto', tools: allowed.map((name) => ({ type: 'function', function: { name } })) },
        };
      return 'auto';
  }
}

/** Every function name the request uses, declarations first. */
function namesOf(request: GeminiGenerateContentRequest): string[] {
  const names: string[] = [];
  for (const tool of request.tools ?? []) for (const declaration of tool.functionDeclarations ?? []) names.push(declaration.name);
  for (const content of request.contents)
    for (const part of content.parts) {
      if (part.functionCall?.name) names.push(part.functionCall.name);
      if (part.functionResponse?.name) names.push(part.functionResponse.name);
    }
  return names;
}

/**
 * Translates a Gemini request to an OpenAI chat completions request.
 *
 * - `systemInstruction` becomes a system message; `contents` with role
 *   `model` become assistant messages (thought parts are dropped), others
 *   user messages; `functionCall` parts become `tool_calls` (with the part's
 *   `id`, else a generated one) and `functionResponse` parts tool messages
 *   answering the call with the same `id`, else the earliest unanswered call
 *   of that name.
 * - `inlineData` images become `image_url` data URLs, PDFs file parts, text
 *   is decoded; `fileData` with an image URL becomes an `image_url`.
 * - `generationConfig`: `temperature`, `topP`, `maxOutputTokens`
 *   (`max_completion_tokens`), `stopSequences`, `candidateCount` (`n`),
 *   penalties and `seed` map one to one; `responseMimeType:
 *   application/json` with `responseJsonSchema` or `responseSchema` becomes a
 *   `json_schema` response format, type names in lower case (without a schema `json_object`);
 *   `thinkingConfig` becomes `reasoning_effort` ({@link toReasoningEffort}).
 *   `topK` is dropped.
 * - `tools[].functionDeclarations` become function tools (`parameters`
 *   converted from Gemini's `Schema`, `parametersJsonSchema` as it is) under
 *   names that fit OpenAI's pattern ({@link createToolNameMap});
 *   `toolConfig.functionCallingConfig` becomes `tool_choice`. Other tools
 *   (`googleSearch`, `codeExecution`, `urlContext`) are a 400.
 * - Dropped: `safetySettings`, `labels`. `cachedContent` is a 400.
 *
 * @example
 * ```ts
 * const { request } = toOpenAIChatRequestFromGemini({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }, { model: 'gpt-4.1' });
 * // { model: 'gpt-4.1', messages: [{ role: 'user', content: 'Hi' }] }
 * ```
 */
export function toOpenAIChatRequestFromGemini(
  request: GeminiGenerateContentRequest,
  options: { model: string; stream?: boolean },
): FromGeminiRequest {
  if (request.cachedContent) untranslatable('cachedContent: cached contents exist only on Gemini models; send the contents instead.');
  const names = createToolNameMap(namesOf(request));
  const messages: OpenAIChatMessage[] = [];
  const system = textOfContent(request.systemInstruction);
  if (system) messages.push({ role: 'system', content: system });
  let pending: OpenAIChatFunctionToolCall[] = [];
  let generated = 0;
  request.contents.forEach((content, contentIndex) => {
    const where = `contents[${contentIndex}]`;
    if (content.role === 'model') {
      const texts: string[] = [];
      const calls: OpenAIChatFunctionToolCall[] = [];
      content.parts.forEach((part, partIndex) => {
        if (part.thought === true) return;
        if (typeof part.text === 'string') texts.push(part.text);
        else if (part.functionCall) {
          calls.push({
            id: part.functionCall.id || `call_gemini_${++generated}`,
            type: 'function',
            function: { name: names.toUpstream(part.functionCall.name), arguments: JSON.stringify(part.functionCall.args ?? {}) },
          });
        } else if (part.thoughtSignature === undefined || Object.keys(part).length > 1)
          unsupportedPart(part, `${where}.parts[${partIndex}]`);
      });
      if (texts.length === 0 && calls.length === 0) return;
      const message: OpenAIChatAssistantMessage = { role: 'assistant', content: texts.length > 0 ? texts.join('') : null };
      if (calls.length > 0) message.tool_calls = calls;
      messages.push(message);
      pending = [...calls];
      return;
    }
    const parts: OpenAIChatUserContentPart[] = [];
    content.parts.forEach((part, partIndex) => {
      const at = `${where}.parts[${partIndex}]`;
      if (part.functionResponse) {
        const name = names.toUpstream(part.functionResponse.name);
        const index = pending.findIndex((call) =>
          part.functionResponse!.id ? call.id === part.functionResponse!.id : call.function.name === name,
        );
        if (index === -1)
          untranslatable(
            `${at}.functionResponse: no functionCall of "${part.functionResponse.name}" in the model turn before it to answer.`,
          );
        const [call] = pending.splice(index, 1);
        messages.push({ role: 'tool', tool_call_id: call!.id, content: JSON.stringify(part.functionResponse.response ?? {}) });
      } else if (typeof part.text === 'string') {
        if (part.thought !== true) parts.push({ type: 'text', text: part.text });
      } else if (part.inlineData) parts.push(dataPart(part.inlineData.mimeType, part.inlineData.data, at));
      else if (part.fileData && (part.fileData.mimeType ?? '').startsWith('image/'))
        parts.push({ type: 'image_url', image_url: { url: part.fileData.fileUri } });
      else if (part.thoughtSignature === undefined || Object.keys(part).length > 1) unsupportedPart(part, at);
    });
    if (parts.length === 0) return;
    messages.push({
      role: 'user',
      content: parts.every((part) => part.type === 'text') ? parts.map((part) => (part as { text: string }).text).join('\n') : parts,
    });
  });

  const result: OpenAIChatCompletionRequest = { model: options.model, messages };
  const config = request.generationConfig ?? {};
  if (typeof config.maxOutputTokens === 'number') result.max_completion_tokens = config.maxOutputTokens;
  if (typeof config.temperature === 'number') result.temperature = config.temperature;
  if (typeof config.topP === 'number') result.top_p = config.topP;
  if (Array.isArray(config.stopSequences) && config.stopSequences.length > 0) result.stop = config.stopSequences;
  if (typeof config.candidateCount === 'number' && config.candidateCount > 1) result.n = config.candidateCount;
  if (typeof config.presencePenalty === 'number') result.presence_penalty = config.presencePenalty;
  if (typeof config.frequencyPenalty === 'number') result.frequency_penalty = config.frequencyPenalty;
  if (typeof config.seed === 'number') result.seed = config.seed;
  if (config.responseMimeType === 'application/json') {
    // Gemini CLI's classifier sends a responseJsonSchema with Gemini's upper-case type names ("OBJECT"), which Google accepts and OpenAI and Anthropic refuse.
    const given = config.responseJsonSchema ?? config.responseSchema;
    const schema = given ? toJsonSchema(given) : undefined;
    result.response_format = schema
      ? { type: 'json_schema', json_schema: { name: 'response', schema: schema as Record<string, unknown>, strict: false } }
      : { type: 'json_object' };
  }
  const effort = toReasoningEffort(config.thinkingConfig);
  if (effort) result.reasoning_effort = effort;
  const tools = functionTools(request.tools ?? [], names);
  if (tools.length > 0) {
    result.tools = tools;
    const choice = toolChoice(request, names);
    if (choice) result.tool_choice = choice;
  }
  if (options.stream) {
    result.stream = true;
    result.stream_options = { include_usage: true };
  }
  return { request: result, names };
}
