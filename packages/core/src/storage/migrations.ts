import { type Kysely, type Migration, Migrator } from 'kysely';
import { PreloopError } from '../errors.js';
import type { DialectName } from './database.js';

/** Context handed to a migration: the database and its dialect, for the few dialect-specific statements. */
export interface MigrationContext {
  db: Kysely<any>;
  dialect: DialectName;
}

/**
 * One schema migration owned by core or a plugin. Names sort in apply order
 * (use a numeric prefix such as `0001-accounts`).
 */
export interface PreloopMigration {
  /** Unique, sortable name within its owner. */
  name: string;
  /** Applies the change. Must work on SQLite and PostgreSQL. */
  up(context: MigrationContext): Promise<void>;
}

/**
 * Helps inference when declaring migrations.
 *
 * @example
 * ```ts
 * export const migrations = defineMigrations([{ name: '0001-widgets', up: async ({ db }) => {  } }]);
 * ```
 */
export function defineMigrations(migrations: PreloopMigration[]): PreloopMigration[] {
  return migrations;
}

/** Dialect-appropriate SQL column types: epoch-millisecond times and micro-dollar amounts are 64-bit integers. */
export function columnTypes(dialect: DialectName) {
  return {
    /** 64-bit integer (times in epoch ms, money in micro-dollars, counters). */
    bigint: dialect === 'postgres' ? ('bigint' as const) : ('integer' as const),
    /** JSON stored as text on both dialects (parse in code). */
    json: 'text' as const,
    /** Booleans as 0/1 integers on both dialects. */
    boolean: 'integer' as const,
  };
}

/**
 * Applies the pending migrations of one owner (`core` or a plugin id), each
 * owner tracking its own history table, so plugins migrate independently.
 *
 * @example
 * ```ts
 * await runMigrations({ db, dialect }, 'core', coreMigrations);
 * ```
 */
export async function runMigrations(context: MigrationContext, owner: string, migrations: PreloopMigration[]): Promise<string[]> {
  const safeOwner = owner.replace(/[^a-zA-Z0-9]/g, '_');
  const provider = {
    async getMigrations(): Promise<Record<string, Migration>> {
      const result: Record<string, Migration> = {};
      for (const migration of migrations) {
        result[migration.name] = { up: (db: Kysely<any>) => migration.up({ db, dialect: context.dialect }) };
      }
      return result;
    },
  };
  const migrator = new Migrator({
    db: context.db,
    provider,
    migrationTableName: `preloop_migrations_${safeOwner}`,
    migrationLockTableName: `preloop_migrations_${safeOwner}_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      `Migration ${failed ? `"${failed.migrationName}" ` : ''}of "${owner}" failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
