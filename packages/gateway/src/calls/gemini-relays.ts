/**
 * Stream relays to and from Gemini: on the Gemini ingress, Gemini events
 * passed through from a Gemini upstream or translated from OpenAI chat chunks
 * and Anthropic events, written as `data:` server-sent events (`alt=sse`);
 * on the other ingresses, a Gemini upstream's events translated to OpenAI
 * chat, Anthropic and Responses events.
 *
 * @module
 */

import type { PreloopError } from '@preloop/core';
import {
  encodeAnthropicEvent,
  encodeOpenAIChatChunk,
  encodeOpenAIStreamError,
  encodeResponsesEvent,
  openAIStreamDone,
} from '../sse/serialize-sse.js';
import { createAnthropicToOpenAIStreamTranslator } from '../translate/anthropic-to-openai-stream.js';
import { createOpenAIChatToResponsesStreamTranslator } from '../translate/chat-to-responses-stream.js';
import { createGeminiToOpenAIStreamTranslator } from '../translate/gemini-to-openai-response.js';
import { createOpenAIToAnthropicStreamTranslator } from '../translate/openai-to-anthropic-stream.js';
import type { ToolNameMap } from '../translate/gemini-tool-names.js';
import { createOpenAIToGeminiStreamTranslator } from '../translate/openai-to-gemini-stream.js';
import type { AnthropicErrorBody, AnthropicStreamEvent } from '../wire/anthropic-types.js';
import type { ResponsesRequest } from '../wire/openai-responses-types.js';
import type { GeminiGenerateContentResponse } from '../wire/gemini-types.js';
import type { OpenAIChatCompletionChunk, OpenAIErrorBody } from '../wire/openai-types.js';
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

type GeminiEvent = WithError<GeminiGenerateContentResponse>;

/** A relay from a Gemini upstream: each event becomes OpenAI chat chunks, which `encode` turns into the client's text. */
function fromGemini(
  includeUsage: boolean,
  encodeChunks: (chunks: OpenAIChatCompletionChunk[], closing: boolean) => string,
  fail: (error: PreloopError) => string,
): StreamRelay {
  const translator = createGeminiToOpenAIStreamTranslator({ includeUsage });
  return relay<GeminiEvent>(
    createGeminiMeter(),
    (_event, value) => {
      if (value.error) {
        const failure = streamError(value.error.message, value.error.status);
        return { text: fail(failure), failure };
      }
      return encodeChunks(translator.push(value), false);
    },
    () => encodeChunks(translator.end(), true),
    fail,
  );
}

/**
 * Gemini → OpenAI chat, event by event; the usage chunk only when the client
 * asked for it.
 *
 * @example
 * ```ts
 * const relay = createGeminiToOpenAIChatRelay({ includeUsage: true });
 * ```
 */
export function createGeminiToOpenAIChatRelay(options: { includeUsage: boolean }): StreamRelay {
  return fromGemini(
    options.includeUsage,
    (chunks, closing) => chunks.map(encodeOpenAIChatChunk).join('') + (closing ? openAIStreamDone : ''),
    (error) => encodeOpenAIStreamError(errorBody('openai', error) as OpenAIErrorBody),
  );
}

/**
 * Gemini → Anthropic Messages (through OpenAI chat chunks).
 *
 * @example
 * ```ts
 * const relay = createGeminiToAnthropicRelay();
 * ```
 */
export function createGeminiToAnthropicRelay(): StreamRelay {
  const toAnthropic = createOpenAIToAnthropicStreamTranslator();
  return fromGemini(
    true,
    (chunks, closing) => {
      const events = chunks.flatMap((chunk) => toAnthropic.push(chunk));
      if (closing) events.push(...toAnthropic.end());
      return events.map(encodeAnthropicEvent).join('');
    },
    (error) => encodeAnthropicEvent(errorBody('anthropic', error) as AnthropicErrorBody as AnthropicStreamEvent),
  );
}

/**
 * Gemini → OpenAI Responses (through OpenAI chat chunks).
 *
 * @example
 * ```ts
 * const relay = createGeminiToResponsesRelay(request);
 * ```
 */
export function createGeminiToResponsesRelay(request: ResponsesRequest): StreamRelay {
  const toResponses = createOpenAIChatToResponsesStreamTranslator({ request });
  let sequence = 0;
  return fromGemini(
    true,
    (chunks, closing) => {
      const events = chunks.flatMap((chunk) => toResponses.push(chunk));
      if (closing) events.push(...toResponses.end());
      sequence += events.length;
      return events.map(encodeResponsesEvent).join('');
    },
    (error) =>
      encodeResponsesEvent({
        type: 'error',
        sequence_number: sequence++,
        code: (error.details as { errorCode?: string } | undefined)?.errorCode ?? 'server_error',
        message: error.message,
        param: null,
      }),
  );
}
