import type { PreloopEvents } from '../events/create-event-bus.js';

/** Options of {@link createEventStream}. */
export interface EventStreamOptions {
  /** Only events whose payload names this account are sent. */
  accountId: string;
  /** Seconds between keep-alive comments. @default 15 */
  keepAliveSeconds?: number;
  /** Aborts the stream (the client went away). */
  signal?: AbortSignal;
}

const privateEvents = new Set(['hook-failed', 'principal-authenticated']);

/**
 * A `text/event-stream` response carrying the account's kernel events live:
 * `event: <name>` and `data: <json payload>`, with an `id` per event and
 * keep-alive comments. Clients reconnect with EventSource's built-in retry.
 *
 * @example
 * ```ts
 * return createEventStream(preloop.events, { accountId: principal.accountId, signal: request.signal });
 * ```
 */
export function createEventStream(events: PreloopEvents, options: EventStreamOptions): Response {
  const encoder = new TextEncoder();
  let stop = () => {};
  let counter = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      send(`retry: 2000\n: connected\n\n`);
      const unsubscribe = events.onAny((name, payload) => {
        if (privateEvents.has(name)) return;
        if ((payload as { accountId?: unknown } | null)?.accountId !== options.accountId) return;
        counter += 1;
        send(`id: ${Date.now()}-${counter}\nevent: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
      });
      const timer = setInterval(() => send(`: keep-alive\n\n`), (options.keepAliveSeconds ?? 15) * 1000);
      timer.unref?.();
      stop = () => {
        unsubscribe();
        clearInterval(timer);
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      options.signal?.addEventListener('abort', () => stop(), { once: true });
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
