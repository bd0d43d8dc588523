import { createParser } from 'eventsource-parser';

/** One server-sent event. */
export interface ServerSentEvent {
  /** The `event:` field. @default 'message' */
  event: string;
  /** The `data:` lines, joined with newlines. */
  data: string;
  /** The last event id seen on the stream (this event's `id:` or an earlier one's), if any. */
  id: string | null;
}

/**
 * An incremental parser of a `text/event-stream` body, on `eventsource-parser`
 * (the parser the gateway uses): feed it text chunks as they arrive, and it
 * calls `onEvent` for each complete event and `onRetry` for each valid `retry:`
 * field. Comments (`: keep-alive`), unknown fields and invalid `retry:` values
 * are ignored, as browsers do.
 *
 * @example
 * ```ts
 * const parser = createSseParser((event) => console.log(event.event, JSON.parse(event.data)));
 * parser.feed('event: audit-recorded\ndata: {"seq":1}\n\n');
 * ```
 */
export function createSseParser(onEvent: (event: ServerSentEvent) => void, onRetry?: (milliseconds: number) => void) {
  let id: string | null = null;
  const parser = createParser({
    onEvent(message) {
      if (message.id !== undefined) id = message.id;
      onEvent({ event: message.event || 'message', data: message.data, id });
    },
    onRetry: (milliseconds) => onRetry?.(milliseconds),
  });
  return {
    /** Feeds the next chunk of text. */
    feed(chunk: string) {
      parser.feed(chunk);
    },
    /** The last event id seen (for `Last-Event-ID`). */
    get lastEventId() {
      return id;
    },
  };
}
