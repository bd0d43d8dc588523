import { columnTypes, defineMigrations, type PreloopMigration } from '@preloop/core';

/**
 * The migrations of `@preloop/mcp`, run by the kernel through the `mcp()`
 * plugin: upstream MCP servers, their tools with pinned definition hashes and
 * quarantine state, per-tool call statistics, and the owners of approval
 * requests the endpoint created (so `get_approval_status` answers only its own);
 * then each server's trust (untrusted results taint the runtime session) and
 * the flags an admin accepted with a tool's pin; then the `tools/call` requests
 * in flight on resumable streams (another instance answers a client resuming
 * one after the instance serving it died).
 */
export const mcpMigrations: PreloopMigration[] = defineMigrations([
  {
    name: '0001-mcp',
    async up({ db, dialect }) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('mcp_servers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('transport', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('command', 'text')
        .addColumn('args', t.json, (c) => c.notNull().defaultTo('[]'))
        .addColumn('header_names', t.json, (c) => c.notNull().defaultTo('[]'))
        .addColumn('env_names', t.json, (c) => c.notNull().defaultTo('[]'))
        .addColumn('namespaced', t.boolean, (c) => c.notNull().defaultTo(1))
        .addColumn('trust_on_first_use', t.boolean, (c) => c.notNull().defaultTo(1))
        .addColumn('enabled', t.boolean, (c) => c.notNull().defaultTo(1))
        .addColumn('timeout_ms', t.bigint, (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('last_scan_at', t.bigint)
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('updated_at', t.bigint, (c) => c.notNull())
        .addUniqueConstraint('mcp_servers_account_name', ['account_id', 'name'])
        .execute();

      await db.schema
        .createTable('mcp_tools')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('server_id', 'text', (c) => c.notNull().references('mcp_servers.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('flags', t.json, (c) => c.notNull().defaultTo('[]'))
        .addColumn('live_definition', t.json, (c) => c.notNull())
        .addColumn('live_hash', 'text', (c) => c.notNull())
        .addColumn('pinned_definition', t.json)
        .addColumn('pinned_hash', 'text')
        .addColumn('pinned_at', t.bigint)
        .addColumn('pinned_by', 'text')
        .addColumn('first_seen_at', t.bigint, (c) => c.notNull())
        .addColumn('last_seen_at', t.bigint, (c) => c.notNull())
        .addColumn('changed_at', t.bigint)
        .addColumn('updated_at', t.bigint, (c) => c.notNull())
        .addUniqueConstraint('mcp_tools_server_name', ['server_id', 'name'])
        .execute();
      await db.schema.createIndex('mcp_tools_account').on('mcp_tools').columns(['account_id', 'status']).execute();

      await db.schema
        .createTable('mcp_tool_stats')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('tool', 'text', (c) => c.notNull())
        .addColumn('calls', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('succeeded', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('failed', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('denied', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('approvals', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('total_ms', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('max_ms', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('under_10ms', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('under_100ms', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('under_1s', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('under_10s', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('over_10s', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('last_called_at', t.bigint)
        .addPrimaryKeyConstraint('mcp_tool_stats_pk', ['account_id', 'tool'])
        .execute();

      await db.schema
        .createTable('mcp_approval_owners')
        .addColumn('approval_id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('principal_type', 'text', (c) => c.notNull())
        .addColumn('principal_id', 'text', (c) => c.notNull())
        .addColumn('api_key_id', 'text')
        .addColumn('agent_id', 'text')
        .addColumn('tool', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
    },
  },
  {
    name: '0002-mcp-trust',
    async up({ db }) {
      // Whether a server's tool results are untrusted content (they taint the runtime session that received them).
      await db.schema
        .alterTable('mcp_servers')
        .addColumn('trust', 'text', (c) => c.notNull().defaultTo('trusted'))
        .execute();
      // The flags an admin saw and accepted when approving the pinned definition; any other flag quarantines the tool.
      await db.schema
        .alterTable('mcp_tools')
        .addColumn('accepted_flags', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      // Why a quarantined tool is quarantined: `changed` (a revert restores it) or `flagged` (only an admin's approval does).
      await db.schema.alterTable('mcp_tools').addColumn('quarantine_reason', 'text').execute();
    },
  },
  {
    name: '0003-mcp-call-streams',
    async up({ db, dialect }) {
      const t = columnTypes(dialect);
      // tools/call requests in flight on resumable SSE streams: another instance answers a client resuming one after its instance died.
      await db.schema
        .createTable('mcp_call_streams')
        .addColumn('stream_id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('session_hash', 'text', (c) => c.notNull())
        .addColumn('principal_hash', 'text', (c) => c.notNull())
        .addColumn('request_id', t.json, (c) => c.notNull())
        .addColumn('tool', 'text', (c) => c.notNull())
        .addColumn('progress_token', t.json)
        .addColumn('approval_id', 'text')
        .addColumn('args', t.json)
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('mcp_call_streams_created').on('mcp_call_streams').column('created_at').execute();
    },
  },
]);
