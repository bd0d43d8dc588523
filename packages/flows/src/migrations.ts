import { columnTypes, defineMigrations, type PreloopMigration } from '@preloop/core';

/**
 * The flows plugin's migrations (owner `flows`): flows, executions, their
 * logs, claimed schedule ticks and seen webhook deliveries, on SQLite and
 * PostgreSQL.
 */
export const flowMigrations: PreloopMigration[] = defineMigrations([
  {
    name: '0001-flows',
    async up({ db, dialect }) {
      const types = columnTypes(dialect);
      await db.schema
        .createTable('flows')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('account_id', 'text', (column) => column.notNull().references('accounts.id'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('description', 'text', (column) => column.notNull().defaultTo(''))
        .addColumn('enabled', types.boolean, (column) => column.notNull().defaultTo(1))
        .addColumn('definition', types.json, (column) => column.notNull())
        .addColumn('agent_id', 'text')
        .addColumn('version', 'integer', (column) => column.notNull().defaultTo(1))
        .addColumn('created_at', types.bigint, (column) => column.notNull())
        .addColumn('updated_at', types.bigint, (column) => column.notNull())
        .addUniqueConstraint('flows_account_name', ['account_id', 'name'])
        .execute();

      await db.schema
        .createTable('flow_executions')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('account_id', 'text', (column) => column.notNull())
        .addColumn('flow_id', 'text', (column) => column.notNull().references('flows.id').onDelete('cascade'))
        .addColumn('flow_version', 'integer', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('trigger', types.json, (column) => column.notNull())
        .addColumn('dedupe_key', 'text')
        .addColumn('input', types.json, (column) => column.notNull())
        .addColumn('rendered_prompt', 'text')
        .addColumn('attempt', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('failures', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('run_after', types.bigint, (column) => column.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', types.bigint)
        .addColumn('lease_version', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('deadline_at', types.bigint)
        .addColumn('runtime_session_id', 'text')
        .addColumn('approval_request_id', 'text')
        .addColumn('checkpoint', types.json)
        .addColumn('cancel_requested', types.boolean, (column) => column.notNull().defaultTo(0))
        .addColumn('result', 'text')
        .addColumn('error', 'text')
        .addColumn('cost_micros', types.bigint, (column) => column.notNull().defaultTo(0))
        .addColumn('usage', types.json)
        .addColumn('created_at', types.bigint, (column) => column.notNull())
        .addColumn('updated_at', types.bigint, (column) => column.notNull())
        .addColumn('started_at', types.bigint)
        .addColumn('finished_at', types.bigint)
        .addUniqueConstraint('flow_executions_dedupe', ['flow_id', 'dedupe_key'])
        .execute();
      await db.schema.createIndex('flow_executions_flow').on('flow_executions').columns(['account_id', 'flow_id', 'id']).execute();
      await db.schema.createIndex('flow_executions_status_run').on('flow_executions').columns(['status', 'run_after']).execute();
      await db.schema.createIndex('flow_executions_status_lease').on('flow_executions').columns(['status', 'lease_expires_at']).execute();
      await db.schema.createIndex('flow_executions_session').on('flow_executions').columns(['runtime_session_id']).execute();
      await db.schema.createIndex('flow_executions_approval').on('flow_executions').columns(['approval_request_id']).execute();

      await db.schema
        .createTable('flow_execution_logs')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('account_id', 'text', (column) => column.notNull())
        .addColumn('execution_id', 'text', (column) => column.notNull().references('flow_executions.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (column) => column.notNull())
        .addColumn('time', types.bigint, (column) => column.notNull())
        .addColumn('stream', 'text', (column) => column.notNull())
        .addColumn('text', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('flow_execution_logs_execution').on('flow_execution_logs').columns(['execution_id', 'seq']).execute();

      await db.schema
        .createTable('flow_schedule_ticks')
        .addColumn('flow_id', 'text', (column) => column.notNull().references('flows.id').onDelete('cascade'))
        .addColumn('scheduled_at', types.bigint, (column) => column.notNull())
        .addColumn('account_id', 'text', (column) => column.notNull())
        .addColumn('claimed_by', 'text', (column) => column.notNull())
        .addColumn('claimed_at', types.bigint, (column) => column.notNull())
        .addPrimaryKeyConstraint('flow_schedule_ticks_pk', ['flow_id', 'scheduled_at'])
        .execute();

      await db.schema
        .createTable('flow_webhook_deliveries')
        .addColumn('flow_id', 'text', (column) => column.notNull().references('flows.id').onDelete('cascade'))
        .addColumn('delivery_id', 'text', (column) => column.notNull())
        .addColumn('account_id', 'text', (column) => column.notNull())
        .addColumn('received_at', types.bigint, (column) => column.notNull())
        .addPrimaryKeyConstraint('flow_webhook_deliveries_pk', ['flow_id', 'delivery_id'])
        .execute();
      await db.schema.createIndex('flow_webhook_deliveries_received').on('flow_webhook_deliveries').columns(['received_at']).execute();
    },
  },
]);
