/**
 * The gateway plugin's migrations (SQLite and PostgreSQL).
 *
 * @module
 */

import { columnTypes, defineMigrations, type PreloopMigration } from '@preloop/core';

/**
 * The gateway's schema: model aliases, usage records, budgets with their
 * per-period windows and in-flight reservations, and gateway events.
 */
export const gatewayMigrations: PreloopMigration[] = defineMigrations([
  {
    name: '0001-gateway',
    async up({ db, dialect }) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('gateway_models')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('upstream_model', 'text', (c) => c.notNull())
        .addColumn('base_url', 'text')
        .addColumn('credential_secret', 'text')
        .addColumn('prices', t.json)
        .addColumn('fallback', 'text')
        .addColumn('description', 'text')
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('updated_at', t.bigint, (c) => c.notNull())
        .addUniqueConstraint('gateway_models_account_alias', ['account_id', 'alias'])
        .execute();

      await db.schema
        .createTable('gateway_usage')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('time', t.bigint, (c) => c.notNull())
        .addColumn('principal_type', 'text', (c) => c.notNull())
        .addColumn('principal_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('api_key_id', 'text')
        .addColumn('agent_id', 'text')
        .addColumn('runtime_session_id', 'text')
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('upstream_model', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('streamed', t.boolean, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('http_status', 'integer')
        .addColumn('error_code', 'text')
        .addColumn('input_tokens', t.bigint, (c) => c.notNull())
        .addColumn('output_tokens', t.bigint, (c) => c.notNull())
        .addColumn('cached_input_tokens', t.bigint, (c) => c.notNull())
        .addColumn('cache_write_tokens', t.bigint, (c) => c.notNull())
        .addColumn('reasoning_tokens', t.bigint, (c) => c.notNull())
        .addColumn('cost_micros', t.bigint)
        .addColumn('cost_source', 'text', (c) => c.notNull())
        .addColumn('usage_estimated', t.boolean, (c) => c.notNull())
        .addColumn('latency_ms', t.bigint, (c) => c.notNull())
        .addColumn('ttfb_ms', t.bigint)
        .addColumn('fallback_from', 'text')
        .execute();
      await db.schema.createIndex('gateway_usage_account_time').on('gateway_usage').columns(['account_id', 'time']).execute();
      await db.schema
        .createIndex('gateway_usage_account_session')
        .on('gateway_usage')
        .columns(['account_id', 'runtime_session_id'])
        .execute();

      await db.schema
        .createTable('gateway_budgets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('scope_type', 'text', (c) => c.notNull())
        .addColumn('scope_id', 'text')
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('hard_limit_micros', t.bigint)
        .addColumn('soft_limit_micros', t.bigint)
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('updated_at', t.bigint, (c) => c.notNull())
        .addUniqueConstraint('gateway_budgets_account_name', ['account_id', 'name'])
        .execute();

      await db.schema
        .createTable('gateway_budget_windows')
        .addColumn('budget_id', 'text', (c) => c.notNull().references('gateway_budgets.id').onDelete('cascade'))
        .addColumn('period_start', t.bigint, (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('spent_micros', t.bigint, (c) => c.notNull())
        .addColumn('reserved_micros', t.bigint, (c) => c.notNull())
        .addColumn('soft_notified_at', t.bigint)
        .addPrimaryKeyConstraint('gateway_budget_windows_pk', ['budget_id', 'period_start'])
        .execute();

      await db.schema
        .createTable('gateway_reservations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('expires_at', t.bigint, (c) => c.notNull())
        .addColumn('amount_micros', t.bigint, (c) => c.notNull())
        .addColumn('windows', t.json, (c) => c.notNull())
        .addColumn('call', t.json, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('gateway_reservations_expires').on('gateway_reservations').column('expires_at').execute();

      await db.schema
        .createTable('gateway_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('runtime_session_id', 'text', (c) => c.notNull())
        .addColumn('usage_id', 'text', (c) => c.notNull())
        .addColumn('time', t.bigint, (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('request_body', 'text')
        .addColumn('response_body', 'text')
        .execute();
      await db.schema
        .createIndex('gateway_events_session')
        .on('gateway_events')
        .columns(['account_id', 'runtime_session_id', 'id'])
        .execute();
    },
  },
  {
    // Retention finds old rows of every account by time (see storage/retention.ts).
    name: '0002-gateway-retention',
    async up({ db }) {
      await db.schema.createIndex('gateway_usage_time').on('gateway_usage').column('time').execute();
      await db.schema.createIndex('gateway_events_time').on('gateway_events').column('time').execute();
    },
  },
]);
