import type { PreloopMigration } from '../migrations.js';
import { columnTypes } from '../migrations.js';

/**
 * Audit boundaries: per account, the last record archived and pruned (its seq
 * and hash), so verification of the live chain starts from there. The
 * checkpoint that signs that position stays in `audit_checkpoints`.
 */
export const auditBoundariesMigration: PreloopMigration = {
  name: '0008-audit-boundaries',
  async up({ db, dialect }) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('audit_boundaries')
      .addColumn('account_id', 'text', (c) => c.primaryKey())
      .addColumn('seq', t.bigint, (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('checkpoint_id', 'text', (c) => c.notNull())
      .addColumn('archived_at', t.bigint, (c) => c.notNull())
      .execute();
  },
};
