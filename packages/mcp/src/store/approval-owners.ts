import type { Preloop, Principal } from '@preloop/core';
import type { McpTables } from './mcp-tables.js';

/**
 * Who asked for each approval request the endpoint created, so
 * `get_approval_status` answers a principal only about its own requests
 * (the same principal, API key or agent) and says "unknown" otherwise.
 */
export interface ApprovalOwners {
  /** Remembers that `principal` asked for `approvalId` (a joined request keeps its first owner). */
  remember(approvalId: string, principal: Principal, tool: string): Promise<void>;
  /** True when `principal` (or its API key or agent) asked for `approvalId`. */
  owns(approvalId: string, principal: Principal): Promise<boolean>;
}

/**
 * Creates the owner registry over `mcp_approval_owners`.
 *
 * @example
 * ```ts
 * const owners = createApprovalOwners(preloop);
 * await owners.remember(ticket.id, principal, 'github.merge_pull_request');
 * ```
 */
export function createApprovalOwners(preloop: Preloop): ApprovalOwners {
  const db = preloop.db.withTables<McpTables>();
  return {
    async remember(approvalId, principal, tool) {
      await db
        .insertInto('mcp_approval_owners')
        .values({
          approval_id: approvalId,
          account_id: principal.accountId,
          principal_type: principal.type,
          principal_id: principal.id,
          api_key_id: principal.apiKeyId,
          agent_id: principal.agentId,
          tool,
          created_at: Date.now(),
        })
        .onConflict((conflict) => conflict.column('approval_id').doNothing())
        .execute();
    },
    async owns(approvalId, principal) {
      const row = await db
        .selectFrom('mcp_approval_owners')
        .select(['principal_type', 'principal_id', 'api_key_id', 'agent_id'])
        .where('approval_id', '=', approvalId)
        .where('account_id', '=', principal.accountId)
        .executeTakeFirst();
      if (!row) return false;
      if (row.principal_type === principal.type && row.principal_id === principal.id) return true;
      if (row.api_key_id !== null && row.api_key_id === principal.apiKeyId) return true;
      return row.agent_id !== null && row.agent_id === principal.agentId;
    },
  };
}
