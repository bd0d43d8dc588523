import type { PreloopMigration } from '../migrations.js';
import { columnTypes } from '../migrations.js';

/**
 * Session taint: when untrusted content (a result of a tool marked untrusted)
 * entered a runtime session, why, and from which tool. Sticky for the
 * session's life; policy reads it as `session.tainted`.
 */
export const sessionTaintMigration: PreloopMigration = {
  name: '0007-session-taint',
  async up({ db, dialect }) {
    const t = columnTypes(dialect);
    await db.schema.alterTable('runtime_sessions').addColumn('tainted_at', t.bigint).execute();
    await db.schema.alterTable('runtime_sessions').addColumn('taint_reason', 'text').execute();
    await db.schema.alterTable('runtime_sessions').addColumn('taint_source', 'text').execute();
  },
};
