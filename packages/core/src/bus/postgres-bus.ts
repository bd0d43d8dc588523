import pg from 'pg';
import { EventEmitter } from 'eventemitter3';
import type { Bus } from './bus.js';

const notifyChannel = 'preloop_bus';

/** Options for {@link createPostgresBus}. */
export interface PostgresBusOptions {
  /** PostgreSQL connection string. */
  url: string;
  /** Delay before reconnecting a dropped LISTEN connection, in ms. @default 1000 */
  reconnectDelayMs?: number;
  /** Called when the listening connection fails (it is re-established). */
  onError?: (error: Error) => void;
}

/**
 * Creates a Bus over PostgreSQL `LISTEN/NOTIFY`, so instances sharing one
 * database see each other's signals. The publisher receives its own messages
 * through the same path.
 *
 * @example
 * ```ts
 * const bus = await createPostgresBus({ url: process.env.DATABASE_URL! });
 * ```
 */
export async function createPostgresBus(options: PostgresBusOptions): Promise<Bus> {
  const emitter = new EventEmitter();
  const publisher = new pg.Pool({ connectionString: options.url, max: 2 });
  publisher.on('error', () => {});
  let listener: pg.Client | null = null;
  let closed = false;

  const connect = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: options.url });
    client.on('notification', (message) => {
      if (message.channel !== notifyChannel || !message.payload) return;
      try {
        const { channel, payload } = JSON.parse(message.payload) as { channel: string; payload: unknown };
        emitter.emit(channel, payload);
      } catch {
        // A malformed notification is not ours; ignore it.
      }
    });
    client.on('error', (error) => {
      options.onError?.(error);
      if (closed) return;
      listener = null;
      client.end().catch(() => {});
      setTimeout(() => void connect().catch((e) => options.onError?.(e as Error)), options.reconnectDelayMs ?? 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${notifyChannel}`);
    listener = client;
  };
  await connect();

  return {
    async publish(channel, payload) {
      const text = JSON.stringify({ channel, payload: payload ?? null });
      await publisher.query('select pg_notify($1, $2)', [notifyChannel, text]);
    },
    subscribe(channel, handler) {
      emitter.on(channel, handler);
      return () => emitter.off(channel, handler);
    },
    async close() {
      closed = true;
      emitter.removeAllListeners();
      await listener?.end().catch(() => {});
      await publisher.end().catch(() => {});
    },
  };
}
