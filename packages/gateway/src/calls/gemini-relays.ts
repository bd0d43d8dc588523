/**
 * Stream relays of the Gemini ingress: Gemini events passed through from a
 * Gemini upstream, or translated from OpenAI chat chunks and Anthropic events,
 * written as `data:` server-sent events (`alt=sse`).
 *
 * @module
 */

import type { PreloopError } from '@preloop/core';
import { createAnthropicToOpenAIStreamTranslator } from '../translate/anthropic-to-openai-stream.js';
import type { ToolNameMap } from '../translate/gemini-tool-names.js';
import { createOpenAIToGeminiStreamTranslator } from '../translate/openai-to-gemini-stream.js';
import type { AnthropicStreamEvent } from '../wire/anthropic-types.js';
import type { GeminiGenerateContentResponse } from '../wire/gemini-types.js';
import type { OpenAIChatCompletionChunk } from '../wire/openai-types.js';
import { errorBody } from './ingress-errors.js';
import { raw, relay, streamError, type StreamRelay } from './stream-relays.js';
import { createAnthropicMeter, createGeminiMeter, createOpenAIChatMeter } from './usage-meter.js';

/** One Gemini stream event as a server-sent event. */
export function encodeGeminiEvent(event: GeminiGenerateContentResponse | object): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}

const geminiFail = (error: PreloopError) => encodeGeminiEvent(errorBody('gemini', error));
const encode = (events: GeminiGenerateContentResponse[]) => events.map(encodeGeminiEvent).join('');

type WithError<T> = T & { error?: { message?: string; type?: string; status?: string } };

/**
 * Gemini → Gemini: every event passes unchanged (an error event included,
 * after which the stream ends).
 *
 * @example
 * ```ts
 * const relay = createGeminiPassthrough();
 * ```
 */
export function createGeminiPassthrough(): StreamRelay {
  return relay<WithError<GeminiGenerateContentResponse>>(
    createGeminiMeter(),
    (event, value) => (value.error ? { text: raw(event), failure: streamError(value.error.message, value.error.status) } : raw(event)),
    () => '',
    geminiFail,
  );
}

/**
 * OpenAI chat → Gemini, translated chunk by chunk; function names mapped
 * back with `names`.
 *
 * @example
 * ```ts
 * const relay = createOpenAIChatToGeminiRelay(names);
 * ```
 */
export function createOpenAIChatToGeminiRelay(names: ToolNameMap): StreamRelay {
  const translator = createOpenAIToGeminiStreamTranslator({ names });
  return relay<WithError<OpenAIChatCompletionChunk>>(
    createOpenAIChatMeter(),
    (_event, chunk) => {
      if (chunk.error) {
        const failure = streamError(chunk.error.message, chunk.error.type);
        return { text: geminiFail(failure), failure };
      }
      return encode(translator.push(chunk));
    },
    () => encode(translator.end()),
    geminiFail,
    (event) => (event.data.startsWith('[DONE]') ? 'done' : null),
  );
}

/**
 * Anthropic → Gemini: Anthropic events become OpenAI chat chunks, which
 * become Gemini events.
 *
 * @example
 * ```ts
 * const relay = createAnthropicToGeminiRelay(names);
 * ```
 */
export function createAnthropicToGeminiRelay(names: ToolNameMap): StreamRelay {
  const toChat = createAnthropicToOpenAIStreamTranslator({ includeUsage: true });
  const toGemini = createOpenAIToGeminiStreamTranslator({ names });
  const step = (chunks: OpenAIChatCompletionChunk[]) => chunks.flatMap((chunk) => toGemini.push(chunk));
  return relay<AnthropicStreamEvent>(
    createAnthropicMeter(),
    (_event, value) => encode(step(toChat.push(value))),
    () => encode([...step(toChat.end()), ...toGemini.end()]),
    geminiFail,
  );
}
