import type { PreloopMigration } from '../migrations.js';
import { columnTypes } from '../migrations.js';

/** Identity: the audience of each runtime session's credential, and lookup indexes for cascades. */
export const identityMigration: PreloopMigration = {
  name: '0002-identity',
  async up({ db, dialect }) {
    const t = columnTypes(dialect);
    await db.schema
      .alterTable('runtime_sessions')
      .addColumn('audience', t.json, (c) => c.notNull().defaultTo('["mcp","gateway"]'))
      .execute();
    await db.schema.createIndex('api_keys_agent').on('api_keys').column('agent_id').execute();
    await db.schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();
    await db.schema.createIndex('runtime_sessions_agent').on('runtime_sessions').columns(['agent_id', 'ended_at']).execute();
    await db.schema.createIndex('console_sessions_user').on('console_sessions').column('user_id').execute();
    await db.schema.createIndex('team_members_user').on('team_members').column('user_id').execute();
  },
};
