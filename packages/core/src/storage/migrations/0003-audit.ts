import type { PreloopMigration } from '../migrations.js';

/** Audit: lookup indexes for the audit query filters (runtime session, actor, target), newest first by chain position. */
export const auditMigration: PreloopMigration = {
  name: '0003-audit',
  async up({ db }) {
    await db.schema.createIndex('audit_records_session').on('audit_records').columns(['account_id', 'runtime_session_id', 'seq']).execute();
    await db.schema.createIndex('audit_records_actor').on('audit_records').columns(['account_id', 'actor_id', 'seq']).execute();
    await db.schema
      .createIndex('audit_records_target')
      .on('audit_records')
      .columns(['account_id', 'target_type', 'target_id', 'seq'])
      .execute();
  },
};
