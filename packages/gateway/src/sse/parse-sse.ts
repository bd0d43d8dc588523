/**
 * Parsing of an upstream server-sent event stream (`text/event-stream`) into
 * events, with `eventsource-parser`.
 *
 * @module
 */

import { createParser, type ParseError } from 'eventsource-parser';
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

/**
 * Parses a byte stream of server-sent events. Events are yielded as soon as
 * their terminating blank line arrives; a last event cut off mid-line (an
 * interrupted upstream) is discarded, while one that only lacks the final
 * blank line is still yielded. Stopping the iteration early (`break`, or an
 * exception in the consumer) cancels the upstream stream, which aborts the
 * upstream request.
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
  const queue: ServerSentEvent[] = [];
  let failure: ParseError | null = null;
  const parser = createParser({
    maxBufferSize: options.maxBufferSize ?? defaultMaxServerSentEventSize,
    onEvent(message) {
      const event: ServerSentEvent = { data: message.data };
      if (message.event !== undefined) event.event = message.event;
      if (message.id !== undefined) event.id = message.id;
      queue.push(event);
    },
    onError(error) {
      // Unknown fields and invalid `retry:` values are ignored, as browsers do.
      if (error.type === 'max-buffer-size-exceeded') failure = error;
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let lastCharacter = '';
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (text !== '') {
        parser.feed(text);
        lastCharacter = text.at(-1)!;
      }
      if (done && (lastCharacter === '\n' || lastCharacter === '\r')) parser.feed('\n\n');
      if (failure) {
        throw new PreloopError('UPSTREAM_ERROR', 'The upstream event stream sent an event larger than allowed.', {
          cause: failure,
        });
      }
      while (queue.length > 0) yield queue.shift()!;
      if (done) break;
    }
    finished = true;
  } finally {
    if (finished) reader.releaseLock();
    else await reader.cancel().catch(() => undefined);
  }
}
