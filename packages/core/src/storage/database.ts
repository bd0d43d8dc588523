import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type pg from 'pg';
import { PreloopError } from '../errors.js';
import { loadPostgresDriver, loadSqliteDriver, type PostgresDriver } from './drivers.js';
import type { KernelTables } from './schema.js';

/** The SQL dialects Preloop runs on. */
export type DialectName = 'sqlite' | 'postgres';

/** A database connection as the kernel and plugins use it. */
export interface PreloopDatabase {
  /**
   * The Kysely instance, typed with the kernel's tables. A plugin adds its own
   * with Kysely's `db.withTables<MyTables>()` (a typed copy: same connection).
   */
  db: Kysely<KernelTables>;
  /** Which dialect `db` speaks. */
  dialect: DialectName;
  /** The PostgreSQL connection string, when the database is PostgreSQL and was given as a URL (used by the Bus). */
  postgresUrl: string | null;
  /** Closes the connection, unless the host supplied the Kysely instance. */
  close(): Promise<void>;
}

/** What the `database` option accepts: `sqlite:<file>`, `:memory:`, `postgres://…`, or a host's Kysely instance. */
export type DatabaseOption = string | { kysely: Kysely<any>; dialect: DialectName };

/**
 * Opens the database named by `option`.
 *
 * The driver (`better-sqlite3` or `pg`, optional peer dependencies) is loaded
 * on first use. SQLite runs in WAL mode with a busy timeout; PostgreSQL returns BIGINT
 * columns as numbers (times are epoch milliseconds and money is integer micro-dollars,
 * both well inside 2^53).
 *
 * @example
 * ```ts
 * const database = await openDatabase('sqlite:./preloop.db');
 * ```
 */
export async function openDatabase(option: DatabaseOption): Promise<PreloopDatabase> {
  if (typeof option !== 'string') {
    return { db: option.kysely, dialect: option.dialect, postgresUrl: null, close: async () => {} };
  }
  if (option.startsWith('postgres://') || option.startsWith('postgresql://')) {
    return openPostgres(option);
  }
  if (option === ':memory:' || option.startsWith('sqlite:')) {
    const file = option === ':memory:' ? ':memory:' : option.slice('sqlite:'.length);
    return openSqlite(file === '' ? ':memory:' : file);
  }
  throw new PreloopError(
    'CONFIGURATION_ERROR',
    `database: "${redactUrl(option)}" is not a database URL; use "sqlite:<file>", ":memory:" or "postgres://user:password@host/database".`,
  );
}

async function openSqlite(file: string): Promise<PreloopDatabase> {
  const Database = await loadSqliteDriver();
  let connection: BetterSqlite3.Database;
  try {
    connection = new Database(file);
  } catch (cause) {
    throw new PreloopError('CONFIGURATION_ERROR', `database: cannot open SQLite file "${file}": ${(cause as Error).message}`, { cause });
  }
  connection.pragma('journal_mode = WAL');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  connection.pragma('synchronous = NORMAL');
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: connection }) });
  sqliteConnections.set(db, connection);
  return { db, dialect: 'sqlite', postgresUrl: null, close: () => db.destroy() };
}

const sqliteConnections = new WeakMap<Kysely<any>, BetterSqlite3.Database>();

/**
 * The `better-sqlite3` connection behind a Kysely instance that {@link openDatabase}
 * opened, for synchronous hot paths (the audit trail's appends); null for
 * PostgreSQL and for a host's own Kysely instance. A caller must not run a
 * statement while `connection.inTransaction` is true: that transaction belongs
 * to whoever holds Kysely's connection.
 *
 * @example
 * ```ts
 * const connection = sqliteConnectionOf(database.db);
 * if (connection && !connection.inTransaction) connection.prepare('select 1').get();
 * ```
 */
export function sqliteConnectionOf(db: Kysely<any>): BetterSqlite3.Database | null {
  return sqliteConnections.get(db) ?? null;
}

/** Type parsers returning BIGINT and NUMERIC columns as numbers, not strings. */
function numericTypeParsers(driver: PostgresDriver): pg.CustomTypesConfig {
  return {
    getTypeParser(oid: number, format?: string) {
      // 20 = int8 (bigint), 1700 = numeric: return numbers, not strings.
      if (oid === 20 || oid === 1700) return (value: string) => Number(value);
      return (driver.types.getTypeParser as (oid: number, format?: string) => (value: string) => unknown)(oid, format);
    },
  } as pg.CustomTypesConfig;
}

async function openPostgres(url: string): Promise<PreloopDatabase> {
  const driver = await loadPostgresDriver();
  const pool = await createPostgresPool(url, { max: 10, types: numericTypeParsers(driver) });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (cause) {
    await db.destroy().catch(() => {});
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      `database: cannot connect to PostgreSQL at ${redactUrl(url)}: ${(cause as Error).message}. Is the server running and the URL right?`,
      { cause },
    );
  }
  postgresPools.set(db, pool);
  return { db, dialect: 'postgres', postgresUrl: url, close: () => db.destroy() };
}

const postgresPools = new WeakMap<Kysely<any>, pg.Pool>();

/**
 * The `pg` pool behind a Kysely instance that {@link openDatabase} opened, for
 * hot paths that use named (server-side prepared) statements, which Kysely
 * cannot; null for SQLite and for a host's own Kysely instance.
 *
 * @example
 * ```ts
 * const pool = postgresPoolOf(database.db);
 * await pool?.query({ name: 'ping', text: 'select 1' });
 * ```
 */
export function postgresPoolOf(db: Kysely<any>): pg.Pool | null {
  return postgresPools.get(db) ?? null;
}

/** How long a query waits for a PostgreSQL connection (a new one, or a free one of the pool) before it fails as unavailable, in ms. */
export const postgresConnectTimeoutMs = 10_000;

/**
 * Creates a `pg` pool that survives database outages: every client it makes
 * has an `'error'` handler for its whole life (pg-pool only guards idle
 * clients, so a connection lost while a client is checked out, for example
 * between two statements of a transaction, would otherwise be an unhandled
 * `'error'` event that kills the process), connections time out instead of
 * waiting forever, and TCP keepalive detects a vanished server. A broken
 * client fails its next query and is dropped on release; the pool connects a
 * new one when the database is back.
 *
 * @example
 * ```ts
 * const pool = await createPostgresPool('postgres://u:p@127.0.0.1/db', { max: 2 });
 * ```
 */
export async function createPostgresPool(url: string, options: Omit<pg.PoolConfig, 'connectionString'> = {}): Promise<pg.Pool> {
  const driver = await loadPostgresDriver();
  const pool = new driver.Pool({ connectionTimeoutMillis: postgresConnectTimeoutMs, keepAlive: true, ...options, connectionString: url });
  pool.on('error', () => {
    // An idle client died (for example the server restarted); the pool replaces it.
  });
  pool.on('connect', (client) => {
    client.on('error', () => {
      // A checked-out client lost its connection: its current or next query fails with the error, and the pool drops it on release.
    });
  });
  return pool;
}

/**
 * Replaces the password in a connection URL with `***` so it can be logged.
 *
 * @example
 * ```ts
 * redactUrl('postgres://u:secret@h/db'); // "postgres://u:***@h/db"
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
