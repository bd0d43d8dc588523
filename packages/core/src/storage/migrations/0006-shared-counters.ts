import { sql } from 'kysely';
import type { PreloopMigration } from '../migrations.js';
import { columnTypes } from '../migrations.js';

/**
 * State that several instances (or processes on one SQLite file) share:
 * rate-limit counters, and the change table the SQLite Bus polls.
 */
export const sharedCountersMigration: PreloopMigration = {
  name: '0006-shared-counters',
  async up({ db, dialect }) {
    const t = columnTypes(dialect);
    // Counters are short-lived and rebuilt by traffic: on PostgreSQL the table is UNLOGGED (no WAL, no fsync per hit; emptied after a crash).
    let counters = db.schema.createTable('rate_limit_counters');
    if (dialect === 'postgres') counters = counters.modifyFront(sql`unlogged`);
    await counters
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('window_start', t.bigint, (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('expires_at', t.bigint, (c) => c.notNull())
      .addPrimaryKeyConstraint('rate_limit_counters_pk', ['key', 'window_start'])
      .execute();
    await db.schema.createIndex('rate_limit_counters_expires').on('rate_limit_counters').column('expires_at').execute();
    await db.schema
      .createTable('bus_messages')
      .addColumn('id', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
      )
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', t.bigint, (c) => c.notNull())
      .execute();
  },
};
