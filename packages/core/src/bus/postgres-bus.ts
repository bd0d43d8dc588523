import type pg from 'pg';
import { EventEmitter } from 'eventemitter3';
import { createPostgresPool, postgresConnectTimeoutMs } from '../storage/database.js';
import { loadPostgresDriver } from '../storage/drivers.js';
import { toStoreUnavailableError } from '../storage/store-unavailable.js';
import { busReconnectedChannel, type Bus } from './bus.js';

const notifyChannel = 'preloop_bus';

/** Options for {@link createPostgresBus}. */
export interface PostgresBusOptions {
  /** PostgreSQL connection string. */
  url: string;
  /** First delay before reconnecting a dropped LISTEN connection, in ms; it doubles on each failed attempt. @default 1000 */
  reconnectDelayMs?: number;
  /** The longest delay between two reconnection attempts, in ms. @default 5000 */
  maxReconnectDelayMs?: number;
  /** Called when the listening connection fails or a reconnection attempt fails (it keeps trying until closed). */
  onError?: (error: Error) => void;
  /** Called when the listening connection is back after a failure. */
  onReconnect?: () => void;
}

/**
 * Creates a Bus over PostgreSQL `LISTEN/NOTIFY`, so instances sharing one
 * database see each other's signals. The publisher receives its own messages
 * through the same path.
 *
 * Outages never end the process: every connection has an `'error'` handler,
 * and a lost LISTEN connection is re-established with exponential back-off
 * (from `reconnectDelayMs` up to `maxReconnectDelayMs`) for as long as the
 * Bus is open. Signals sent while it was down are lost; on reconnection the
 * Bus delivers one message on {@link busReconnectedChannel} so caches drop what
 * they hold. `publish` rejects with `STORE_UNAVAILABLE` while the database
 * cannot be reached.
 *
 * @example
 * ```ts
 * const bus = await createPostgresBus({ url: process.env.DATABASE_URL! });
 * ```
 */
export async function createPostgresBus(options: PostgresBusOptions): Promise<Bus> {
  const emitter = new EventEmitter();
  const driver = await loadPostgresDriver();
  const publisher = await createPostgresPool(options.url, { max: 2 });
  const baseDelay = options.reconnectDelayMs ?? 1000;
  const maxDelay = Math.max(baseDelay, options.maxReconnectDelayMs ?? 5000);
  let listener: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  let failures = 0;
  let lastError: Error | null = null;

  const report = (error: unknown) => {
    lastError = error as Error;
    try {
      options.onError?.(error as Error);
    } catch {
      // A failing error callback must not break reconnection.
    }
  };

  /** One LISTEN connection; throws when it cannot be made. */
  const connect = async (): Promise<void> => {
    const client = new driver.Client({ connectionString: options.url, keepAlive: true, connectionTimeoutMillis: postgresConnectTimeoutMs });
    let lost = false;
    const onLost = (error: Error) => {
      if (lost) return;
      lost = true;
      if (closed) return;
      client.end().catch(() => {});
      if (listener !== client) return;
      listener = null;
      report(error);
      scheduleReconnect();
    };
    // Attached before connecting: an 'error' event without a listener would kill the process.
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('Connection terminated')));
    client.on('notification', (message) => {
      if (message.channel !== notifyChannel || !message.payload) return;
      try {
        const { channel, payload } = JSON.parse(message.payload) as { channel: string; payload: unknown };
        emitter.emit(channel, payload);
      } catch {
        // A malformed notification is not ours; ignore it.
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${notifyChannel}`);
    } catch (error) {
      lost = true;
      await client.end().catch(() => {});
      throw error;
    }
    if (lost) throw new Error('Connection terminated');
    if (closed) {
      await client.end().catch(() => {});
      return;
    }
    listener = client;
  };

  const scheduleReconnect = () => {
    if (closed || retry) return;
    const delay = Math.min(maxDelay, baseDelay * 2 ** Math.min(failures, 16));
    retry = setTimeout(() => {
      retry = null;
      connect().then(
        () => {
          if (closed) return;
          failures = 0;
          lastError = null;
          options.onReconnect?.();
          emitter.emit(busReconnectedChannel, null);
        },
        (error: unknown) => {
          failures++;
          report(error);
          scheduleReconnect();
        },
      );
    }, delay);
    retry.unref?.();
  };

  await connect();

  return {
    async publish(channel, payload) {
      const text = JSON.stringify({ channel, payload: payload ?? null });
      try {
        await publisher.query('select pg_notify($1, $2)', [notifyChannel, text]);
      } catch (error) {
        throw toStoreUnavailableError(error) ?? error;
      }
    },
    subscribe(channel, handler) {
      emitter.on(channel, handler);
      return () => emitter.off(channel, handler);
    },
    status() {
      // A short, classified reason (readiness is public): never the driver's message, which names hosts.
      const reason = (toStoreUnavailableError(lastError)?.details as { reason?: string } | undefined)?.reason;
      return listener ? { connected: true } : { connected: false, reason: reason ?? 'reconnecting' };
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      retry = null;
      emitter.removeAllListeners();
      await listener?.end().catch(() => {});
      listener = null;
      await publisher.end().catch(() => {});
    },
  };
}
