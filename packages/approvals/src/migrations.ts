import { columnTypes, defineMigrations, type PreloopMigration } from '@preloop/core';

/**
 * The approval engine's migrations (owner `approvals`): requests, votes,
 * timeline events, decision-link tokens and the notification outbox, on
 * SQLite and PostgreSQL.
 */
export const approvalMigrations: PreloopMigration[] = defineMigrations([
  {
    name: '0001-approvals',
    async up({ db, dialect }) {
      const types = columnTypes(dialect);
      await db.schema
        .createTable('approval_requests')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('account_id', 'text', (column) => column.notNull().references('accounts.id'))
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('principal', types.json, (column) => column.notNull())
        .addColumn('subject_key', 'text', (column) => column.notNull())
        .addColumn('subject_user_id', 'text')
        .addColumn('subject_api_key_id', 'text')
        .addColumn('subject_agent_id', 'text')
        .addColumn('runtime_session_id', 'text')
        .addColumn('tool_name', 'text', (column) => column.notNull())
        .addColumn('tool_definition_hash', 'text')
        .addColumn('args_json', types.json, (column) => column.notNull())
        .addColumn('args_hash', 'text', (column) => column.notNull())
        .addColumn('binding_key', 'text', (column) => column.notNull())
        .addColumn('pending_binding', 'text', (column) => column.unique())
        .addColumn('workflow_name', 'text', (column) => column.notNull())
        .addColumn('workflow_json', types.json, (column) => column.notNull())
        .addColumn('excluded_user_ids', types.json, (column) => column.notNull())
        .addColumn('reason', 'text')
        .addColumn('justification', 'text')
        .addColumn('question', types.json)
        .addColumn('created_at', types.bigint, (column) => column.notNull())
        .addColumn('updated_at', types.bigint, (column) => column.notNull())
        .addColumn('expires_at', types.bigint, (column) => column.notNull())
        .addColumn('escalate_at', types.bigint)
        .addColumn('escalated_at', types.bigint)
        .addColumn('decided_at', types.bigint)
        .addColumn('decided_by', 'text')
        .addColumn('decision_comment', 'text')
        .addColumn('answer', 'text')
        .addColumn('outcome_reason', 'text')
        .addColumn('result_json', types.json)
        .addColumn('execution_claimed', types.boolean, (column) => column.notNull().defaultTo(0))
        .addColumn('execution_claimed_at', types.bigint)
        .addColumn('executed_at', types.bigint)
        .execute();
      await db.schema.createIndex('approval_requests_account_created').on('approval_requests').columns(['account_id', 'id']).execute();
      await db.schema
        .createIndex('approval_requests_account_status')
        .on('approval_requests')
        .columns(['account_id', 'status', 'id'])
        .execute();
      await db.schema
        .createIndex('approval_requests_subject_status')
        .on('approval_requests')
        .columns(['account_id', 'subject_key', 'status'])
        .execute();
      await db.schema.createIndex('approval_requests_status_expires').on('approval_requests').columns(['status', 'expires_at']).execute();
      await db.schema.createIndex('approval_requests_status_escalate').on('approval_requests').columns(['status', 'escalate_at']).execute();
      await db.schema.createIndex('approval_requests_binding').on('approval_requests').columns(['binding_key', 'status']).execute();

      await db.schema
        .createTable('approval_votes')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('account_id', 'text', (column) => column.notNull())
        .addColumn('request_id', 'text', (column) => column.notNull().references('approval_requests.id').onDelete('cascade'))
        .addColumn('approver_id', 'text', (column) => column.notNull())
        .addColumn('decision', 'text', (column) => column.notNull())
        .addColumn('comment', 'text')
        .addColumn('answer', 'text')
        .addColumn('channel', 'text', (column) => column.notNull())
        .addColumn('created_at', types.bigint, (column) => column.notNull())
        .addUniqueConstraint('approval_votes_one_per_approver', ['request_id', 'approver_id'])
        .execute();

      await db.schema
        .createTable('approval_events')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('account_id', 'text', (column) => column.notNull())
        .addColumn('request_id', 'text', (column) => column.notNull().references('approval_requests.id').onDelete('cascade'))
        .addColumn('time', types.bigint, (column) => column.notNull())
        .addColumn('type', 'text', (column) => column.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('data', types.json, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('approval_events_request').on('approval_events').columns(['request_id', 'id']).execute();

      await db.schema
        .createTable('approval_links')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('account_id', 'text', (column) => column.notNull())
        .addColumn('request_id', 'text', (column) => column.notNull().references('approval_requests.id').onDelete('cascade'))
        .addColumn('approver_id', 'text', (column) => column.notNull())
        .addColumn('token_hash', 'text', (column) => column.notNull().unique())
        .addColumn('decision', 'text')
        .addColumn('created_at', types.bigint, (column) => column.notNull())
        .addColumn('expires_at', types.bigint, (column) => column.notNull())
        .addColumn('used_at', types.bigint)
        .execute();
      await db.schema.createIndex('approval_links_request').on('approval_links').columns(['request_id']).execute();
    },
  },
  {
    // The execution claim becomes a lease: who holds it, until when, and whether the tool may run again after it lapses.
    name: '0002-execution-lease',
    async up({ db, dialect }) {
      const types = columnTypes(dialect);
      await db.schema.alterTable('approval_requests').addColumn('execution_claimed_by', 'text').execute();
      await db.schema.alterTable('approval_requests').addColumn('execution_lease_expires_at', types.bigint).execute();
      await db.schema
        .alterTable('approval_requests')
        .addColumn('execution_idempotent', types.boolean, (column) => column.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('approval_requests_status_lease')
        .on('approval_requests')
        .columns(['status', 'execution_lease_expires_at'])
        .execute();
    },
  },
  {
    // The notification outbox: one row per delivery (notification, recipient, notifier), claimed with a lease, retried across restarts.
    name: '0003-notification-outbox',
    async up({ db, dialect }) {
      const types = columnTypes(dialect);
      await db.schema
        .createTable('approval_deliveries')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('account_id', 'text', (column) => column.notNull())
        .addColumn('request_id', 'text', (column) => column.notNull().references('approval_requests.id').onDelete('cascade'))
        .addColumn('type', 'text', (column) => column.notNull())
        .addColumn('notifier_id', 'text', (column) => column.notNull())
        .addColumn('recipient_key', 'text', (column) => column.notNull())
        .addColumn('recipient', types.json)
        .addColumn('links_sealed', 'text')
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('next_attempt_at', types.bigint, (column) => column.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', types.bigint)
        .addColumn('last_error', 'text')
        .addColumn('message_ref', 'text')
        .addColumn('created_at', types.bigint, (column) => column.notNull())
        .addColumn('updated_at', types.bigint, (column) => column.notNull())
        .addColumn('sent_at', types.bigint)
        .addUniqueConstraint('approval_deliveries_one_per_recipient', ['request_id', 'type', 'notifier_id', 'recipient_key'])
        .execute();
      await db.schema.createIndex('approval_deliveries_due').on('approval_deliveries').columns(['status', 'next_attempt_at']).execute();
    },
  },
  {
    // Per-approver notification preferences: muted notifiers, quiet hours, digests.
    name: '0004-notification-preferences',
    async up({ db, dialect }) {
      const types = columnTypes(dialect);
      await db.schema
        .createTable('approval_notification_preferences')
        .addColumn('account_id', 'text', (column) => column.notNull())
        .addColumn('user_id', 'text', (column) => column.notNull())
        .addColumn('preferences', types.json, (column) => column.notNull())
        .addColumn('updated_at', types.bigint, (column) => column.notNull())
        .addPrimaryKeyConstraint('approval_notification_preferences_pk', ['account_id', 'user_id'])
        .execute();
    },
  },
  {
    // The AI reviewer: votes say who cast them (a user or the AI, with its confidence); a request says when its review is due (a lease while it runs).
    name: '0005-ai-reviewer',
    async up({ db, dialect }) {
      const types = columnTypes(dialect);
      await db.schema
        .alterTable('approval_votes')
        .addColumn('approver_type', 'text', (column) => column.notNull().defaultTo('user'))
        .execute();
      await db.schema.alterTable('approval_votes').addColumn('confidence', 'real').execute();
      await db.schema.alterTable('approval_requests').addColumn('ai_review_due_at', types.bigint).execute();
      await db.schema
        .alterTable('approval_requests')
        .addColumn('ai_review_attempts', 'integer', (column) => column.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('approval_requests_status_ai_review')
        .on('approval_requests')
        .columns(['status', 'ai_review_due_at'])
        .execute();
    },
  },
]);
