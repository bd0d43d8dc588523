import type { PreloopMigration } from '../migrations.js';
import { columnTypes } from '../migrations.js';

/** Versioned policy documents. The active version and the kill switch live in `kernel_state`. */
export const governanceMigration: PreloopMigration = {
  name: '0004-governance',
  async up({ db, dialect }) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('policy_versions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('version', t.bigint, (c) => c.notNull())
      .addColumn('document', t.json, (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('comment', 'text')
      .addColumn('created_by', 'text')
      .addColumn('created_at', t.bigint, (c) => c.notNull())
      .addUniqueConstraint('policy_versions_account_version', ['account_id', 'version'])
      .execute();
  },
};
