import { columnTypes, defineMigrations, type PreloopMigration } from '@preloop/core';

/** The Slack plugin's tables, as kysely sees them (a type alias: `preloop.db.withTables<SlackTables>()` takes it). */
export type SlackTables = {
  /** Explicit links from a Slack user to a Preloop user, set by an admin. */
  slack_user_links: {
    team_id: string;
    slack_user_id: string;
    account_id: string;
    user_id: string;
    created_by: string | null;
    created_at: number;
  };
  /** Hashes of the interactivity signatures seen in the replay window, so a replayed request is refused. */
  slack_interaction_receipts: {
    signature_hash: string;
    received_at: number;
  };
};

/**
 * The Slack plugin's migrations (owner `slack`), on SQLite and PostgreSQL.
 */
export const slackMigrations: PreloopMigration[] = defineMigrations([
  {
    name: '0001-slack',
    async up({ db, dialect }) {
      const types = columnTypes(dialect);
      await db.schema
        .createTable('slack_user_links')
        .addColumn('team_id', 'text', (column) => column.notNull())
        .addColumn('slack_user_id', 'text', (column) => column.notNull())
        .addColumn('account_id', 'text', (column) => column.notNull())
        .addColumn('user_id', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', types.bigint, (column) => column.notNull())
        .addPrimaryKeyConstraint('slack_user_links_pk', ['team_id', 'slack_user_id'])
        .execute();
      await db.schema.createIndex('slack_user_links_user').on('slack_user_links').columns(['account_id', 'user_id']).execute();
      await db.schema
        .createTable('slack_interaction_receipts')
        .addColumn('signature_hash', 'text', (column) => column.primaryKey())
        .addColumn('received_at', types.bigint, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('slack_interaction_receipts_time').on('slack_interaction_receipts').columns(['received_at']).execute();
    },
  },
]);
