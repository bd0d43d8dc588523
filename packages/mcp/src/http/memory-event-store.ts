import type { EventStore } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * The SSE stream an event id of {@link createMemoryEventStore} belongs to
 * (ids read `<streamId>_<sequence>`); null for an id of any other shape.
 *
 * @example
 * ```ts
 * streamIdOfEventId('0b9c…-4f1e_12'); // '0b9c…-4f1e'
 * ```
 */
export function streamIdOfEventId(eventId: string): string | null {
  const match = /^([0-9A-Za-z-]{1,64})_\d{1,15}$/.exec(eventId);
  return match ? match[1]! : null;
}

/**
 * A bounded in-memory event store for one MCP session, so a client whose SSE
 * stream broke (for example while a call waits for approval) can reconnect with
 * `Last-Event-ID` and receive what it missed. Event ids name their stream and
 * are only meaningful inside the session that made them.
 *
 * @example
 * ```ts
 * const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator, eventStore: createMemoryEventStore() });
 * ```
 */
export function createMemoryEventStore(options: { maxEvents?: number; maxBytes?: number } = {}): EventStore {
  const maxEvents = options.maxEvents ?? 200;
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  const events: Array<{ id: string; streamId: string; message: JSONRPCMessage; bytes: number }> = [];
  let bytes = 0;
  let sequence = 0;
  return {
    async storeEvent(streamId, message) {
      const id = `${streamId}_${++sequence}`;
      const size = JSON.stringify(message).length;
      events.push({ id, streamId, message, bytes: size });
      bytes += size;
      while (events.length > maxEvents || (bytes > maxBytes && events.length > 1)) bytes -= events.shift()!.bytes;
      return id;
    },
    async getStreamIdForEventId(eventId) {
      return events.find((event) => event.id === eventId)?.streamId;
    },
    async replayEventsAfter(lastEventId, { send }) {
      const index = events.findIndex((event) => event.id === lastEventId);
      if (index === -1) throw new Error('unknown event id');
      const { streamId } = events[index]!;
      for (const event of events.slice(index + 1)) {
        // Priming events carry no message; only real messages of the same stream are replayed.
        if (event.streamId === streamId && 'jsonrpc' in event.message) await send(event.id, event.message);
      }
      return streamId;
    },
  };
}
