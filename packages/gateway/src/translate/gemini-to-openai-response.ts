/**
 * Gemini `generateContent` response (and stream) → OpenAI chat completion
 * (and chunks): the way back from a Gemini-format alias to the OpenAI,
 * Responses and Anthropic ingresses.
 *
 * @module
 */

import { createGeminiUsageAccumulator, fromGeminiUsage } from '../usage/gemini-usage.js';
import { toOpenAIChatUsage } from '../usage/usage.js';
import type { GeminiCandidate, GeminiGenerateContentResponse } from '../wire/gemini-types.js';
import type {
  OpenAIChatChunkToolCall,
  OpenAIChatCompletion,
  OpenAIChatCompletionChunk,
  OpenAIChatFinishReason,
  OpenAIChatToolCall,
} from '../wire/openai-types.js';
import { nowInSeconds } from './shared.js';
import type { StreamTranslator } from './stream-translator.js';

const filtered = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']);

/**
 * Maps a Gemini finish reason to OpenAI's: a turn with function calls is
 * `tool_calls`, `MAX_TOKENS` is `length`, safety and recitation stops are
 * `content_filter`, the rest `stop`.
 *
 * @example
 * ```ts
 * toOpenAIFinishReasonFromGemini('MAX_TOKENS', false); // 'length'
 * ```
 */
export function toOpenAIFinishReasonFromGemini(reason: string | undefined, calledTools: boolean): OpenAIChatFinishReason {
  if (calledTools) return 'tool_calls';
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason && filtered.has(reason)) return 'content_filter';
  return 'stop';
}

function toolCallsOf(candidate: GeminiCandidate, first: number): OpenAIChatToolCall[] {
  return (candidate.content?.parts ?? [])
    .filter((part) => part.functionCall)
    .map((part, index) => ({
      id: part.functionCall!.id || `call_gemini_${first + index + 1}`,
      type: 'function' as const,
      function: { name: part.functionCall!.name, arguments: JSON.stringify(part.functionCall!.args ?? {}) },
    }));
}

const textOf = (candidate: GeminiCandidate) =>
  (candidate.content?.parts ?? [])
    .filter((part) => typeof part.text === 'string' && part.thought !== true)
    .map((part) => part.text)
    .join('');

/**
 * Translates a Gemini response: each candidate becomes a choice (text parts
 * joined, thought parts dropped, function calls as tool calls with their
 * `id` or a generated one); `usageMetadata` becomes `usage`.
 *
 * @example
 * ```ts
 * toOpenAIChatCompletionFromGemini({ candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }] });
 * ```
 */
export function toOpenAIChatCompletionFromGemini(response: GeminiGenerateContentResponse): OpenAIChatCompletion {
  const completion: OpenAIChatCompletion = {
    id: response.responseId ? `chatcmpl-${response.responseId}` : 'chatcmpl-gemini',
    object: 'chat.completion',
    created: nowInSeconds(),
    model: response.modelVersion ?? 'gemini',
    choices: (response.candidates ?? []).map((candidate, index) => {
      const calls = toolCallsOf(candidate, 0);
      const text = textOf(candidate);
      return {
        index: candidate.index ?? index,
        message: {
          role: 'assistant',
          content: text === '' && calls.length > 0 ? null : text,
          refusal: null,
          ...(calls.length > 0 ? { tool_calls: calls } : {}),
        },
        finish_reason: toOpenAIFinishReasonFromGemini(candidate.finishReason, calls.length > 0),
        logprobs: null,
      };
    }),
  };
  if (response.usageMetadata) completion.usage = toOpenAIChatUsage(fromGeminiUsage(response.usageMetadata));
  return completion;
}

/**
 * Creates the translator of one Gemini stream to OpenAI chat chunks: text as
 * content deltas, each function call as one whole tool call delta, the finish
 * reason once the stream ends, then (with `includeUsage`) the usage chunk.
 *
 * @example
 * ```ts
 * const translator = createGeminiToOpenAIStreamTranslator({ includeUsage: true });
 * ```
 */
export function createGeminiToOpenAIStreamTranslator(options: {
  includeUsage: boolean;
}): StreamTranslator<GeminiGenerateContentResponse, OpenAIChatCompletionChunk> {
  const usage = createGeminiUsageAccumulator();
  const created = nowInSeconds();
  let id = 'chatcmpl-gemini';
  let model = 'gemini';
  let started = false;
  let calls = 0;
  let finish: string | undefined;
  const chunk = (delta: OpenAIChatCompletionChunk['choices'][number]['delta'], finishReason: OpenAIChatFinishReason | null = null) => ({
    id,
    object: 'chat.completion.chunk' as const,
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  return {
    push(event) {
      usage.push(event);
      if (!started) {
        if (event.responseId) id = `chatcmpl-${event.responseId}`;
        if (event.modelVersion) model = event.modelVersion;
      }
      const out: OpenAIChatCompletionChunk[] = [];
      const candidate = event.candidates?.find((entry) => (entry.index ?? 0) === 0);
      if (!candidate) return out;
      if (!started) {
        started = true;
        out.push(chunk({ role: 'assistant', content: '' }));
      }
      const text = textOf(candidate);
      if (text) out.push(chunk({ content: text }));
      const toolCalls: OpenAIChatChunkToolCall[] = toolCallsOf(candidate, calls).map((call, index) => ({
        index: calls + index,
        id: call.id,
        type: 'function',
        function: {
          name: (call as { function: { name: string } }).function.name,
          arguments: (call as { function: { arguments: string } }).function.arguments,
        },
      }));
      if (toolCalls.length > 0) {
        calls += toolCalls.length;
        out.push(chunk({ tool_calls: toolCalls }));
      }
      if (candidate.finishReason) finish = candidate.finishReason;
      return out;
    },
    end() {
      const out: OpenAIChatCompletionChunk[] = [];
      if (!started) out.push(chunk({ role: 'assistant', content: '' }));
      out.push(chunk({}, toOpenAIFinishReasonFromGemini(finish, calls > 0)));
      if (options.includeUsage) out.push({ ...chunk({}), choices: [], usage: toOpenAIChatUsage(usage.usage) });
      return out;
    },
    get usage() {
      return usage.usage;
    },
  };
}
