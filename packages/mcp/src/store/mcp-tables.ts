/**
 * Row types of `@preloop/mcp`'s tables, as Kysely sees them: the stores query
 * them through `preloop.db.withTables<McpTables>()`. Times are epoch
 * milliseconds; JSON columns hold text; booleans are 0/1; `Generated` columns
 * have a database default (optional on insert).
 *
 * @module
 */

import type { KernelTables } from '@preloop/core';
import type { Generated } from 'kysely';

/** Upstream MCP servers (migrations 0001-mcp, 0002-mcp-trust). */
export interface McpServerTable {
  id: string;
  account_id: string;
  name: string;
  /** `stdio` or `streamable-http`. */
  transport: string;
  url: string | null;
  command: string | null;
  /** JSON array of the command's arguments. */
  args: Generated<string>;
  /** JSON array of the names of the stored headers (their values are secrets). */
  header_names: Generated<string>;
  /** JSON array of the names of the stored environment variables. */
  env_names: Generated<string>;
  namespaced: Generated<number>;
  trust_on_first_use: Generated<number>;
  enabled: Generated<number>;
  timeout_ms: number;
  /** `trusted` or `untrusted` (results taint the runtime session). */
  trust: Generated<string>;
  source: string;
  status: string;
  last_error: string | null;
  last_scan_at: number | null;
  created_at: number;
  updated_at: number;
}

/** Upstream tools with their pinned and live definitions (migrations 0001-mcp, 0002-mcp-trust). */
export interface McpToolTable {
  id: string;
  account_id: string;
  server_id: string;
  name: string;
  status: string;
  /** JSON array of poisoning flags of the live definition. */
  flags: Generated<string>;
  /** JSON array of the flags an admin accepted with the pin. */
  accepted_flags: Generated<string>;
  quarantine_reason: string | null;
  live_definition: string;
  live_hash: string;
  pinned_definition: string | null;
  pinned_hash: string | null;
  pinned_at: number | null;
  pinned_by: string | null;
  first_seen_at: number;
  last_seen_at: number;
  changed_at: number | null;
  updated_at: number;
}

/** Per-tool call statistics (migration 0001-mcp). */
export interface McpToolStatsTable {
  account_id: string;
  tool: string;
  calls: Generated<number>;
  succeeded: Generated<number>;
  failed: Generated<number>;
  denied: Generated<number>;
  approvals: Generated<number>;
  total_ms: Generated<number>;
  max_ms: Generated<number>;
  under_10ms: Generated<number>;
  under_100ms: Generated<number>;
  under_1s: Generated<number>;
  under_10s: Generated<number>;
  over_10s: Generated<number>;
  last_called_at: number | null;
}

/** Who created each approval request through the endpoint (migration 0001-mcp). */
export interface McpApprovalOwnerTable {
  approval_id: string;
  account_id: string;
  principal_type: string;
  principal_id: string;
  api_key_id: string | null;
  agent_id: string | null;
  tool: string;
  created_at: number;
}

/** `tools/call` requests in flight on resumable streams (migration 0003-mcp-call-streams). */
export interface McpCallStreamTable {
  stream_id: string;
  account_id: string;
  session_hash: string;
  principal_hash: string;
  /** JSON of the JSON-RPC request id. */
  request_id: string;
  tool: string;
  /** JSON of the progress token, or null. */
  progress_token: string | null;
  approval_id: string | null;
  /** JSON of the arguments, or null. */
  args: string | null;
  created_at: number;
}

/** The tables of `@preloop/mcp`, with the kernel's (so `preloop.db.withTables<McpTables>()` is a `Kysely<McpTables>`). */
export type McpTables = KernelTables & {
  mcp_servers: McpServerTable;
  mcp_tools: McpToolTable;
  mcp_tool_stats: McpToolStatsTable;
  mcp_approval_owners: McpApprovalOwnerTable;
  mcp_call_streams: McpCallStreamTable;
};
