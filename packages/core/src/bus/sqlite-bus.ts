import { EventEmitter } from 'eventemitter3';
import { sql, type Kysely } from 'kysely';
import { createToken } from '../ids.js';
import { busReconnectedChannel, createMemoryBus, type Bus, type BusStatus } from './bus.js';

/** Options of {@link createSqliteBus}. */
export interface SqliteBusOptions {
  /** The kernel's Kysely instance over a SQLite file (not `:memory:`, which no other process can open). */
  db: Kysely<any>;
  /** How often to look for other processes' messages, in ms. @default 250 */
  pollIntervalMs?: number;
  /** How long a message stays in the table for slow readers, in ms. @default 60000 */
  retentionMs?: number;
  /** Called when a poll fails (polling goes on). */
  onError?: (error: Error) => void;
}

/**
 * Creates a Bus for several processes on one SQLite file (the server and the
 * `preloop` CLI, or a few workers): `publish` appends a row to `bus_messages`
 * and delivers locally at once; every `pollIntervalMs` each process checks
 * `PRAGMA data_version` (which changes only when another connection
 * committed, so an idle poll reads no table) and delivers the rows other
 * processes appended since its last look. A poll that fails reports the Bus
 * disconnected; the first one that works again delivers what was missed and
 * emits {@link busReconnectedChannel} locally.
 *
 * @example
 * ```ts
 * const bus = await createSqliteBus({ db });
 * bus.subscribe('identity', (payload) => console.log(payload));
 * ```
 */
export async function createSqliteBus(options: SqliteBusOptions): Promise<Bus> {
  const { db } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const retentionMs = options.retentionMs ?? 60_000;
  const origin = createToken(12);
  const emitter = new EventEmitter();
  const dataVersion = async (): Promise<number> =>
    Number((await sql<{ data_version: number }>`pragma data_version`.execute(db)).rows[0]?.data_version ?? 0);
  const newest = await db.selectFrom('bus_messages').select(db.fn.max('id').as('id')).executeTakeFirst();
  let lastId = Number(newest?.id ?? 0);
  let lastVersion = await dataVersion();
  let lastSweep = Date.now();
  let status: BusStatus = { connected: true };
  let polling = false;
  let closed = false;

  const poll = async () => {
    if (polling || closed) return;
    polling = true;
    try {
      const version = await dataVersion();
      const wasDown = !status.connected;
      if (version !== lastVersion || wasDown) {
        lastVersion = version;
        const rows = await db
          .selectFrom('bus_messages')
          .select(['id', 'origin', 'channel', 'payload'])
          .where('id', '>', lastId)
          .orderBy('id')
          .execute();
        for (const row of rows) {
          lastId = Math.max(lastId, Number(row.id));
          if (row.origin === origin || closed) continue;
          try {
            emitter.emit(row.channel, JSON.parse(row.payload) as unknown);
          } catch {
            // A malformed row or a throwing handler must not stop the others.
          }
        }
      }
      if (Date.now() - lastSweep > retentionMs) {
        lastSweep = Date.now();
        await db
          .deleteFrom('bus_messages')
          .where('created_at', '<', lastSweep - retentionMs)
          .execute();
      }
      status = { connected: true };
      if (wasDown) emitter.emit(busReconnectedChannel, null);
    } catch (error) {
      status = { connected: false, reason: (error as Error).message };
      options.onError?.(error as Error);
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), pollIntervalMs);
  timer.unref?.();

  return {
    async publish(channel, payload) {
      const text = JSON.stringify(payload ?? null);
      await db.insertInto('bus_messages').values({ origin, channel, payload: text, created_at: Date.now() }).execute();
      const copy = JSON.parse(text) as unknown;
      queueMicrotask(() => emitter.emit(channel, copy));
    },
    subscribe(channel, handler) {
      emitter.on(channel, handler);
      return () => emitter.off(channel, handler);
    },
    status: () => status,
    async close() {
      closed = true;
      clearInterval(timer);
      emitter.removeAllListeners();
    },
  };
}

/**
 * The SQLite file a `database` option names, or null for `:memory:`,
 * PostgreSQL or a host-supplied Kysely instance.
 *
 * @example
 * ```ts
 * sqliteFileOf('sqlite:./preloop.db'); // "./preloop.db"
 * sqliteFileOf(':memory:');           // null
 * ```
 */
export function sqliteFileOf(database: unknown): string | null {
  if (typeof database !== 'string' || !database.startsWith('sqlite:')) return null;
  const file = database.slice('sqlite:'.length);
  return file === '' || file === ':memory:' ? null : file;
}

/**
 * The Bus of a kernel whose database is not PostgreSQL: the SQLite Bus when
 * the database is a SQLite file (so the CLI and other processes on that file
 * reach the server), the in-process Bus otherwise (`:memory:`, or a
 * host-supplied Kysely instance).
 *
 * @example
 * ```ts
 * const bus = await createLocalBus({ db, database: 'sqlite:./preloop.db' });
 * ```
 */
export async function createLocalBus(options: { db: Kysely<any>; database: unknown; onError?: (error: Error) => void }): Promise<Bus> {
  return sqliteFileOf(options.database) ? createSqliteBus({ db: options.db, onError: options.onError }) : createMemoryBus();
}
