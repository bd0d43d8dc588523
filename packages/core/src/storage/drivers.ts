import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { PreloopError } from '../errors.js';

/** The `pg` module (PostgreSQL driver). */
export type PostgresDriver = typeof pg;

/** The `better-sqlite3` module's database constructor (SQLite driver). */
export type SqliteDriver = typeof BetterSqlite3;

let postgres: Promise<PostgresDriver> | null = null;
let sqlite: Promise<SqliteDriver> | null = null;

/**
 * Loads the PostgreSQL driver (`pg`) on first use. It is an optional peer
 * dependency: an application on SQLite never needs it installed.
 *
 * @throws `CONFIGURATION_ERROR` naming the package to install when it is missing.
 * @example
 * ```ts
 * const pg = await loadPostgresDriver();
 * const pool = new pg.Pool({ connectionString: url });
 * ```
 */
export function loadPostgresDriver(): Promise<PostgresDriver> {
  postgres ??= import('pg').then(
    (module) => (module.default ?? module) as PostgresDriver,
    (cause) => {
      postgres = null;
      throw missingDriver('pg', 'PostgreSQL', cause);
    },
  );
  return postgres;
}

/**
 * Loads the SQLite driver (`better-sqlite3`) on first use. It is an optional
 * peer dependency: an application on PostgreSQL never needs it (nor a compiler
 * to build it) installed.
 *
 * @throws `CONFIGURATION_ERROR` naming the package to install when it is missing.
 * @example
 * ```ts
 * const Database = await loadSqliteDriver();
 * const connection = new Database(':memory:');
 * ```
 */
export function loadSqliteDriver(): Promise<SqliteDriver> {
  sqlite ??= import('better-sqlite3').then(
    (module) => (module.default ?? module) as SqliteDriver,
    (cause) => {
      sqlite = null;
      throw missingDriver('better-sqlite3', 'SQLite', cause);
    },
  );
  return sqlite;
}

function missingDriver(name: string, database: string, cause: unknown): PreloopError {
  return new PreloopError(
    'CONFIGURATION_ERROR',
    `database: ${database} needs the "${name}" package, which is not installed (or failed to load: ${(cause as Error).message}). Install it next to @preloop/core: npm install ${name}`,
    { cause },
  );
}
