/** One server-sent event. */
export interface ServerSentEvent {
  /** The `event:` field. @default 'message' */
  event: string;
  /** The `data:` lines, joined with newlines. */
  data: string;
  /** The `id:` field, if any. */
  id: string | null;
}

/**
 * An incremental parser of a `text/event-stream` body: feed it text chunks as
 * they arrive, and it calls `onEvent` for each complete event and `onRetry`
 * for each `retry:` field. Comments (`: keep-alive`) are ignored.
 *
 * @example
 * ```ts
 * const parser = createSseParser((event) => console.log(event.event, JSON.parse(event.data)));
 * parser.feed('event: audit-recorded\ndata: {"seq":1}\n\n');
 * ```
 */
export function createSseParser(onEvent: (event: ServerSentEvent) => void, onRetry?: (milliseconds: number) => void) {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | null = null;
  let hasData = false;

  const dispatch = () => {
    if (hasData) onEvent({ event: event || 'message', data: data.join('\n'), id });
    event = '';
    data = [];
    hasData = false;
  };

  const line = (text: string) => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') {
      data.push(value);
      hasData = true;
    } else if (field === 'id') id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry?.(Number(value));
  };

  return {
    /** Feeds the next chunk of text. */
    feed(chunk: string) {
      buffer += chunk;
      let index: number;
      while ((index = buffer.search(/\r\n|\r|\n/)) !== -1) {
        if (buffer[index] === '\r' && index === buffer.length - 1) break; // a CRLF may be split across chunks
        const newline = buffer[index] === '\r' && buffer[index + 1] === '\n' ? 2 : 1;
        line(buffer.slice(0, index));
        buffer = buffer.slice(index + newline);
      }
    },
    /** The last event id seen (for `Last-Event-ID`). */
    get lastEventId() {
      return id;
    },
  };
}
