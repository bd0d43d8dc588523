import type { PreloopMigration } from '../migrations.js';
import { columnTypes } from '../migrations.js';

/**
 * Audit anchors: which signed checkpoint (by id and signature, so a re-signed
 * checkpoint is exported again) each anchor sink has durably received.
 */
export const auditAnchorsMigration: PreloopMigration = {
  name: '0005-audit-anchors',
  async up({ db, dialect }) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('audit_anchor_exports')
      .addColumn('sink', 'text', (c) => c.notNull())
      .addColumn('checkpoint_id', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('exported_at', t.bigint, (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_anchor_exports_pk', ['sink', 'checkpoint_id', 'signature'])
      .execute();
  },
};
