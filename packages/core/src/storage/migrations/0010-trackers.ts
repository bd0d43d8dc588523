import type { PreloopMigration } from '../migrations.js';
import { columnTypes } from '../migrations.js';

/**
 * Tracker connections (one per connected GitHub/GitLab/Jira account or app,
 * per Preloop account; their secrets live in the secret store) and the
 * webhook deliveries already processed (unique per connection and delivery
 * id, so a replay is recognized on every instance).
 */
export const trackersMigration: PreloopMigration = {
  name: '0010-trackers',
  async up({ db, dialect }) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('tracker_connections')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('tracker', 'text', (column) => column.notNull())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('settings', t.json, (column) => column.notNull())
      .addColumn('secret_names', t.json, (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', t.bigint, (column) => column.notNull())
      .addColumn('updated_at', t.bigint, (column) => column.notNull())
      .addUniqueConstraint('tracker_connections_account_name', ['account_id', 'name'])
      .execute();
    await db.schema
      .createTable('tracker_webhook_deliveries')
      .addColumn('connection_id', 'text', (column) => column.notNull())
      .addColumn('delivery_id', 'text', (column) => column.notNull())
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('received_at', t.bigint, (column) => column.notNull())
      .addPrimaryKeyConstraint('tracker_webhook_deliveries_pk', ['connection_id', 'delivery_id'])
      .execute();
    await db.schema.createIndex('tracker_webhook_deliveries_received').on('tracker_webhook_deliveries').column('received_at').execute();
  },
};
