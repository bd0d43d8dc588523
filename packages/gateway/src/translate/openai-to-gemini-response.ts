/**
 * OpenAI chat completion → Gemini `generateContent` response.
 *
 * @module
 */

import { fromOpenAIChatUsage } from '../usage/usage.js';
import { toGeminiUsage } from '../usage/gemini-usage.js';
import type { GeminiFinishReason, GeminiGenerateContentResponse, GeminiPart } from '../wire/gemini-types.js';
import type { OpenAIChatCompletion, OpenAIChatFinishReason } from '../wire/openai-types.js';
import type { ToolNameMap } from './gemini-tool-names.js';
import { parseToolArguments } from './shared.js';

/**
 * Maps an OpenAI finish reason to Gemini's: `length` is `MAX_TOKENS`,
 * `content_filter` is `SAFETY`, the rest (tool calls included: Gemini ends a
 * function-calling turn with `STOP`) is `STOP`.
 *
 * @example
 * ```ts
 * toGeminiFinishReason('length'); // 'MAX_TOKENS'
 * ```
 */
export function toGeminiFinishReason(reason: OpenAIChatFinishReason | null | undefined): GeminiFinishReason {
  if (reason === 'length') return 'MAX_TOKENS';
  if (reason === 'content_filter') return 'SAFETY';
  return 'STOP';
}

/** The reasoning text some OpenAI-compatible servers add to a message or delta. */
export function reasoningOf(message: unknown): string {
  const value =
    (message as { reasoning_content?: unknown; reasoning?: unknown } | null)?.reasoning_content ??
    (message as { reasoning?: unknown } | null)?.reasoning;
  return typeof value === 'string' ? value : '';
}

/**
 * Translates a chat completion: each choice becomes a candidate whose parts
 * are the reasoning (a `thought` part, when the server returns any), the text
 * and one `functionCall` per tool call (arguments parsed, the name mapped back
 * to the client's, the call id kept as `id`); `usage` becomes
 * `usageMetadata`.
 *
 * @example
 * ```ts
 * const response = toGeminiResponse(completion, { names });
 * response.candidates[0].content.parts; // [{ text: 'Hello' }]
 * ```
 */
export function toGeminiResponse(completion: OpenAIChatCompletion, options: { names: ToolNameMap }): GeminiGenerateContentResponse {
  const candidates = (completion.choices ?? []).map((choice) => {
    const parts: GeminiPart[] = [];
    const reasoning = reasoningOf(choice.message);
    if (reasoning) parts.push({ text: reasoning, thought: true });
    if (typeof choice.message?.content === 'string' && choice.message.content !== '') parts.push({ text: choice.message.content });
    if (typeof choice.message?.refusal === 'string' && choice.message.refusal !== '') parts.push({ text: choice.message.refusal });
    for (const call of choice.message?.tool_calls ?? []) {
      if (call.type !== 'function') continue;
      parts.push({
        functionCall: {
          id: call.id,
          name: options.names.toClient(call.function.name),
          args: parseToolArguments(call.function.arguments, { toolCallId: call.id, toolName: call.function.name, code: 'UPSTREAM_ERROR' }),
        },
      });
    }
    return { content: { role: 'model', parts }, finishReason: toGeminiFinishReason(choice.finish_reason), index: choice.index };
  });
  const response: GeminiGenerateContentResponse = { candidates, modelVersion: completion.model, responseId: completion.id };
  if (completion.usage) response.usageMetadata = toGeminiUsage(fromOpenAIChatUsage(completion.usage));
  return response;
}
