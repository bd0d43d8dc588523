/**
 * Stream relays: turn upstream server-sent events into the client's events,
 * event by event, metering usage on the way. Same-format relays pass each
 * event's bytes on unchanged (OpenAI chat only drops the usage chunk the
 * gateway asked for on the client's behalf); cross-format relays run the
 * phase-1 translators.
 *
 * @module
 */

import { isPreloopError, PreloopError } from '@preloop/core';
import {
  encodeAnthropicEvent,
  encodeOpenAIChatChunk,
  encodeOpenAIStreamError,
  encodeResponsesEvent,
  openAIStreamDone,
  serializeServerSentEvent,
} from '../sse/serialize-sse.js';
import type { ServerSentEvent } from '../sse/parse-sse.js';
import { createAnthropicToOpenAIStreamTranslator } from '../translate/anthropic-to-openai-stream.js';
import { createOpenAIChatToResponsesStreamTranslator } from '../translate/chat-to-responses-stream.js';
import { createOpenAIToAnthropicStreamTranslator } from '../translate/openai-to-anthropic-stream.js';
import type { AnthropicErrorBody, AnthropicStreamEvent } from '../wire/anthropic-types.js';
import type { ResponsesRequest, ResponsesStreamEvent } from '../wire/openai-responses-types.js';
import type { OpenAIChatCompletionChunk, OpenAIErrorBody } from '../wire/openai-types.js';
import { errorBody } from './ingress-errors.js';
import { createAnthropicMeter, createOpenAIChatMeter, createResponsesMeter, type UsageMeter } from './usage-meter.js';

/** Relays one upstream stream to the client. */
export interface StreamRelay {
  /** Relays upstream events; returns the client's text. After a failure it relays nothing more. */
  push(events: readonly ServerSentEvent[]): string;
  /** The client's closing text after the upstream ended cleanly. */
  end(): string;
  /** The client's text reporting `error` (a timeout, a broken upstream); the stream ends after it. */
  fail(error: PreloopError): string;
  /** The error the upstream reported inside the stream (already relayed), or null. */
  readonly failure: PreloopError | null;
  /** The usage seen so far. */
  readonly meter: UsageMeter<never>;
}

function parse<T>(data: string): T {
  try {
    return JSON.parse(data) as T;
  } catch (cause) {
    throw new PreloopError('UPSTREAM_ERROR', 'The upstream stream sent an event that is not valid JSON.', {
      cause,
      details: { errorCode: 'upstream_malformed' },
    });
  }
}

/** The event's bytes as the upstream sent them (a plain `data:` line when that is all it was). */
export function raw(event: ServerSentEvent): string {
  return event.event === undefined && event.id === undefined && !event.data.includes('\n')
    ? `data: ${event.data}\n\n`
    : serializeServerSentEvent(event);
}

/** The error an upstream reported inside its stream, as an `UPSTREAM_ERROR` with `details.errorCode`. */
export function streamError(message: unknown, type: unknown): PreloopError {
  return new PreloopError(
    'UPSTREAM_ERROR',
    typeof message === 'string' && message ? message : 'The upstream reported an error mid-stream.',
    {
      details: { errorCode: typeof type === 'string' ? type : 'upstream_stream_error' },
    },
  );
}

const openAIFail = (error: PreloopError) => encodeOpenAIStreamError(errorBody('openai', error) as OpenAIErrorBody);
const anthropicFail = (error: PreloopError) =>
  encodeAnthropicEvent(errorBody('anthropic', error) as AnthropicErrorBody as AnthropicStreamEvent);

/** Builds a relay over a parse → meter → translate step, catching translator errors as stream failures. */
export function relay<Input>(
  meter: UsageMeter<Input>,
  step: (event: ServerSentEvent, value: Input) => string | { text: string; failure: PreloopError },
  closing: () => string,
  fail: (error: PreloopError) => string,
  skip: (event: ServerSentEvent) => 'skip' | 'done' | null = () => null,
): StreamRelay {
  let failure: PreloopError | null = null;
  let done = false;
  return {
    push(events) {
      let out = '';
      for (const event of events) {
        if (failure || done) break;
        const verdict = event.data === '' ? 'skip' : skip(event);
        if (verdict === 'done') done = true;
        if (verdict !== null) continue;
        const value = parse<Input>(event.data);
        meter.push(value);
        try {
          const result = step(event, value);
          if (typeof result === 'string') out += result;
          else {
            out += result.text;
            failure = result.failure;
          }
        } catch (error) {
          // The translators raise the upstream's own error events as UPSTREAM_ERROR with `details.type`.
          const type = isPreloopError(error) ? (error.details as { type?: unknown; errorCode?: unknown } | undefined) : undefined;
          failure =
            isPreloopError(error) && type?.errorCode ? error : streamError((error as Error)?.message, type?.type ?? 'translation_failed');
          out += fail(failure);
        }
      }
      return out;
    },
    end: () => (failure ? '' : closing()),
    fail,
    get failure() {
      return failure;
    },
    meter: meter as UsageMeter<never>,
  };
}

const openAIDone = (event: ServerSentEvent) => (event.data.startsWith('[DONE]') ? 'done' : null);

/**
 * OpenAI chat → OpenAI chat: events pass unchanged; the final usage chunk is
 * dropped when only the gateway asked for it (`stripUsage`).
 *
 * @example
 * ```ts
 * const relay = createOpenAIChatPassthrough({ stripUsage: !body.stream_options?.include_usage });
 * ```
 */
export function createOpenAIChatPassthrough(options: { stripUsage: boolean }): StreamRelay {
  return relay<OpenAIChatCompletionChunk & { error?: { message?: string; type?: string } }>(
    createOpenAIChatMeter(),
    (event, chunk) => {
      if (chunk.error) return { text: raw(event), failure: streamError(chunk.error.message, chunk.error.type) };
      if (options.stripUsage && chunk.usage && Array.isArray(chunk.choices) && chunk.choices.length === 0) return '';
      return raw(event);
    },
    () => openAIStreamDone,
    openAIFail,
    openAIDone,
  );
}

/**
 * Anthropic → Anthropic: every event passes unchanged (an `error` event
 * included, after which the stream ends).
 *
 * @example
 * ```ts
 * const relay = createAnthropicPassthrough();
 * ```
 */
export function createAnthropicPassthrough(): StreamRelay {
  return relay<AnthropicStreamEvent>(
    createAnthropicMeter(),
    (event, value) =>
      value.type === 'error' ? { text: raw(event), failure: streamError(value.error?.message, value.error?.type) } : raw(event),
    () => '',
    anthropicFail,
  );
}

/**
 * OpenAI Responses → OpenAI Responses: every event passes unchanged.
 *
 * @example
 * ```ts
 * const relay = createResponsesPassthrough();
 * ```
 */
export function createResponsesPassthrough(): StreamRelay {
  let sequence = 0;
  return relay<ResponsesStreamEvent & { response?: { error?: { message?: string; code?: string } | null } }>(
    createResponsesMeter(),
    (event, value) => {
      if (typeof value.sequence_number === 'number') sequence = value.sequence_number + 1;
      if (value.type === 'error') return { text: raw(event), failure: streamError(value.message, value.code) };
      if ((value.type as string) === 'response.failed')
        return { text: raw(event), failure: streamError(value.response?.error?.message, value.response?.error?.code) };
      return raw(event);
    },
    () => '',
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

/**
 * Anthropic → OpenAI chat, translated event by event.
 *
 * @example
 * ```ts
 * const relay = createAnthropicToOpenAIChatRelay({ includeUsage: true });
 * ```
 */
export function createAnthropicToOpenAIChatRelay(options: { includeUsage: boolean }): StreamRelay {
  const translator = createAnthropicToOpenAIStreamTranslator({ includeUsage: options.includeUsage });
  const encode = (chunks: OpenAIChatCompletionChunk[]) => chunks.map(encodeOpenAIChatChunk).join('');
  return relay<AnthropicStreamEvent>(
    createAnthropicMeter(),
    (_event, value) => encode(translator.push(value)),
    () => encode(translator.end()) + openAIStreamDone,
    openAIFail,
  );
}

/**
 * OpenAI chat → Anthropic, translated chunk by chunk.
 *
 * @example
 * ```ts
 * const relay = createOpenAIChatToAnthropicRelay();
 * ```
 */
export function createOpenAIChatToAnthropicRelay(): StreamRelay {
  const translator = createOpenAIToAnthropicStreamTranslator();
  const encode = (events: AnthropicStreamEvent[]) => events.map(encodeAnthropicEvent).join('');
  return relay<OpenAIChatCompletionChunk & { error?: { message?: string; type?: string } }>(
    createOpenAIChatMeter(),
    (_event, chunk) => {
      if (chunk.error) {
        const failure = streamError(chunk.error.message, chunk.error.type);
        return { text: anthropicFail(failure), failure };
      }
      return encode(translator.push(chunk));
    },
    () => encode(translator.end()),
    anthropicFail,
    openAIDone,
  );
}

/**
 * Anthropic → OpenAI Responses: Anthropic events become chat chunks, which
 * become Responses events.
 *
 * @example
 * ```ts
 * const relay = createAnthropicToResponsesRelay(request);
 * ```
 */
export function createAnthropicToResponsesRelay(request: ResponsesRequest): StreamRelay {
  const toChat = createAnthropicToOpenAIStreamTranslator({ includeUsage: true });
  const toResponses = createOpenAIChatToResponsesStreamTranslator({ request });
  let sequence = 0;
  const encode = (chunks: OpenAIChatCompletionChunk[], closing: boolean) => {
    const events = chunks.flatMap((chunk) => toResponses.push(chunk));
    if (closing) events.push(...toResponses.end());
    sequence += events.length;
    return events.map(encodeResponsesEvent).join('');
  };
  return relay<AnthropicStreamEvent>(
    createAnthropicMeter(),
    (_event, value) => encode(toChat.push(value), false),
    () => encode(toChat.end(), true),
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
