/**
 * A push-style server-sent event decoder for the relay: feed it upstream byte
 * chunks, get back every event they complete. It shares the parsing rules of
 * `parseServerSentEvents` (eventsource-parser, a size limit, a last event
 * without its blank line still counts) without an async generator per event,
 * so one upstream chunk costs one pass.
 *
 * @module
 */

import { PreloopError } from '@preloop/core';
import { createParser } from 'eventsource-parser';
import { defaultMaxServerSentEventSize, type ServerSentEvent } from '../sse/parse-sse.js';

/** A push-style SSE decoder. */
export interface SseDecoder {
  /** Decodes one chunk; returns the events it completed. Throws `UPSTREAM_ERROR` past the size limit. */
  push(chunk: Uint8Array): ServerSentEvent[];
  /** Flushes at the end of the stream; returns a last event that lacked only its blank line. */
  end(): ServerSentEvent[];
}

/**
 * Creates a decoder.
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
  const take = () => {
    if (tooLarge) throw new PreloopError('UPSTREAM_ERROR', 'The upstream event stream sent an event larger than allowed.', { details: { errorCode: 'upstream_event_too_large' } });
    const out = events;
    events = [];
    return out;
  };
  return {
    push(chunk) {
      const text = decoder.decode(chunk, { stream: true });
      if (text !== '') {
        parser.feed(text);
        last = text[text.length - 1]!;
      }
      return take();
    },
    end() {
      const text = decoder.decode();
      if (text !== '') {
        parser.feed(text);
        last = text[text.length - 1]!;
      }
      if (last === '\n' || last === '\r') parser.feed('\n\n');
      return take();
    },
  };
}
