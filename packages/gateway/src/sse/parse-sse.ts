/**
 * Parsing of an upstream server-sent event stream (`text/event-stream`) into
 * events, with `eventsource-parser`: one push-style decoder (the relay feeds it
 * chunks) and a pull-style async generator built on it.
 *
 * @module
 */

import { createParser } from 'eventsource-parser';
import { PreloopError } from '@preloop/core';

/** One server-sent event. */
export interface ServerSentEvent {
  /** The `event:` field, when present. */
  event?: string;
  /** The `data:` field (lines joined with `\n`). */
  data: string;
  /** The `id:` field, when present. */
  id?: string;
}

/** Options of {@link parseServerSentEvents}. */
export interface ParseServerSentEventsOptions {
  /**
   * Largest event (in characters) buffered before the stream is rejected as
   * malformed. @default 33554432 (32 Mi characters)
   */
  maxBufferSize?: number;
}

/** The default {@link ParseServerSentEventsOptions.maxBufferSize}. */
export const defaultMaxServerSentEventSize = 32 * 1024 * 1024;

/** A push-style SSE decoder. */
export interface SseDecoder {
  /** Decodes one chunk; returns the events it completed. Throws `UPSTREAM_ERROR` past the size limit. */
  push(chunk: Uint8Array): ServerSentEvent[];
  /** Flushes at the end of the stream; returns a last event that lacked only its blank line. */
  end(): ServerSentEvent[];
}

/**
 * Creates a push-style decoder: feed it upstream byte chunks, get back every
 * event they complete (one pass a chunk, no generator per event). A last event
 * cut off mid-line (an interrupted upstream) is discarded at {@link SseDecoder.end},
 * while one that only lacks the final blank line is still returned. Unknown
 * fields and invalid `retry:` values are ignored, as browsers do; an event
 * larger than `maxEventSize` characters is an `UPSTREAM_ERROR`
 * (`upstream_event_too_large`).
 *
 * @example
 * ```ts
 * const decoder = createSseDecoder();
 * for (const event of decoder.push(chunk)) relay.push(event);
 * ```
 */
export function createSseDecoder(maxEventSize = defaultMaxServerSentEventSize): SseDecoder {
  let events: ServerSentEvent[] = [];
  let tooLarge = false;
  const parser = createParser({
    maxBufferSize: maxEventSize,
    onEvent(message) {
      const event: ServerSentEvent = { data: message.data };
      if (message.event !== undefined) event.event = message.event;
      if (message.id !== undefined) event.id = message.id;
      events.push(event);
    },
    onError(error) {
      if (error.type === 'max-buffer-size-exceeded') tooLarge = true;
    },
  });
  const decoder = new TextDecoder();
  let last = '';
  const feed = (text: string) => {
    if (text === '') return;
    parser.feed(text);
    last = text[text.length - 1]!;
  };
  const take = () => {
    if (tooLarge)
      throw new PreloopError('UPSTREAM_ERROR', 'The upstream event stream sent an event larger than allowed.', {
        details: { errorCode: 'upstream_event_too_large' },
      });
    const out = events;
    events = [];
    return out;
  };
  return {
    push(chunk) {
      feed(decoder.decode(chunk, { stream: true }));
      return take();
    },
    end() {
      feed(decoder.decode());
      if (last === '\n' || last === '\r') parser.feed('\n\n');
      return take();
    },
  };
}

/**
 * Parses a byte stream of server-sent events with {@link createSseDecoder}.
 * Events are yielded as soon as their terminating blank line arrives.
 * Stopping the iteration early (`break`, or an exception in the consumer)
 * cancels the upstream stream, which aborts the upstream request.
 *
 * @example
 * ```ts
 * const response = await fetch(url, { method: 'POST', body });
 * for await (const event of parseServerSentEvents(response.body!)) {
 *   console.log(event.event, event.data);
 * }
 * ```
 */
export async function* parseServerSentEvents(
  body: ReadableStream<Uint8Array>,
  options: ParseServerSentEventsOptions = {},
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const decoder = createSseDecoder(options.maxBufferSize ?? defaultMaxServerSentEventSize);
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      const events = done ? decoder.end() : decoder.push(value);
      for (const event of events) yield event;
      if (done) break;
    }
    finished = true;
  } finally {
    if (finished) reader.releaseLock();
    else await reader.cancel().catch(() => undefined);
  }
}
