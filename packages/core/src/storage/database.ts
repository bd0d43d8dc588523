import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { PreloopError } from '../errors.js';

/** The SQL dialects Preloop runs on. */
export type DialectName = 'sqlite' | 'postgres';

/** A database connection as the kernel and plugins use it. */
export interface PreloopDatabase {
  /** The Kysely instance. Plugins cast it to their own table types. */
  db: Kysely<any>;
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
 * SQLite runs in WAL mode with a busy timeout; PostgreSQL returns BIGINT
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

function openSqlite(file: string): PreloopDatabase {
  let connection: BetterSqlite3.Database;
  try {
    connection = new BetterSqlite3(file);
  } catch (cause) {
    throw new PreloopError('CONFIGURATION_ERROR', `database: cannot open SQLite file "${file}": ${(cause as Error).message}`, { cause });
  }
  connection.pragma('journal_mode = WAL');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  connection.pragma('synchronous = NORMAL');
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: connection }) });
  return { db, dialect: 'sqlite', postgresUrl: null, close: () => db.destroy() };
}

const numericTypeParsers = {
  getTypeParser(oid: number, format?: string) {
    // 20 = int8 (bigint), 1700 = numeric: return numbers, not strings.
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    return (pg.types.getTypeParser as (oid: number, format?: string) => (value: string) => unknown)(oid, format);
  },
};

async function openPostgres(url: string): Promise<PreloopDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: 10, types: numericTypeParsers as pg.CustomTypesConfig });
  pool.on('error', () => {
    // An idle client died (for example the server restarted); the pool replaces it.
  });
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
  return { db, dialect: 'postgres', postgresUrl: url, close: () => db.destroy() };
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
