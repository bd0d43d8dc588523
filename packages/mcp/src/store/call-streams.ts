import { createHash } from 'node:crypto';
import type { Preloop } from '@preloop/core';
import type { McpTables } from './mcp-tables.js';

/** A `tools/call` in flight on a resumable SSE stream, as another instance reads it (see {@link CallStreams}). */
export interface CallStreamRecord {
  /** The SSE stream the call answers on (the prefix of its event ids). */
  streamId: string;
  accountId: string;
  /** The principal the session is bound to (see `principalKey`). */
  principalKey: string;
  /** The JSON-RPC id of the `tools/call` request. */
  requestId: string | number;
  /** The tool name the client called. */
  tool: string;
  /** The client's progress token, if it gave one. */
  progressToken: string | number | null;
  /** The approval request the call is bound to, once known; null for a call that needed none (yet). */
  approvalId: string | null;
  /** The client's arguments, kept only once the call is bound to an approval request (an identical call joins it). */
  args: unknown;
  createdAt: number;
}

/**
 * The `tools/call` requests in flight on this deployment's resumable SSE
 * streams (`mcp_call_streams`), so that when the instance serving a call dies,
 * the client's `Last-Event-ID` reconnection reaching another instance gets the
 * call's outcome instead of "Session not found". A row lives while its call
 * runs; a call bound to an approval request also keeps its arguments, because
 * an identical call joins that request (it never runs twice).
 */
export interface CallStreams {
  /** Records a call starting on `streamId` of session `sessionId`. */
  open(sessionId: string, record: Omit<CallStreamRecord, 'approvalId' | 'args' | 'createdAt'>): Promise<void>;
  /** Notes the approval request the call on `streamId` is bound to, with the client's arguments. */
  bindApproval(streamId: string, approvalId: string, args: unknown): Promise<void>;
  /** The call on `streamId` of session `sessionId` for principal `principalKey`; null for any other (unknown and foreign look alike). */
  find(streamId: string, sessionId: string, principalKey: string): Promise<CallStreamRecord | null>;
  /** Forgets the call on `streamId` (it answered). */
  remove(streamId: string): Promise<void>;
  /** Forgets calls recorded before `before` (epoch ms) whose instance never removed them; returns how many. */
  sweep(before: number): Promise<number>;
}

/** Session ids are bearer secrets: only their hash is stored (principal keys too: they hold NUL separators PostgreSQL text refuses). */
const hashOf = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Creates the in-flight call registry over `mcp_call_streams`.
 *
 * @example
 * ```ts
 * const streams = createCallStreams(preloop);
 * await streams.open(sessionId, { streamId, accountId, principalKey, requestId: 7, tool: 'up.deploy', progressToken: null });
 * ```
 */
export function createCallStreams(preloop: Preloop): CallStreams {
  const db = preloop.db.withTables<McpTables>();
  return {
    async open(sessionId, record) {
      await db
        .insertInto('mcp_call_streams')
        .values({
          stream_id: record.streamId,
          account_id: record.accountId,
          session_hash: hashOf(sessionId),
          principal_hash: hashOf(record.principalKey),
          request_id: JSON.stringify(record.requestId),
          tool: record.tool,
          progress_token: record.progressToken === null ? null : JSON.stringify(record.progressToken),
          approval_id: null,
          args: null,
          created_at: Date.now(),
        })
        .onConflict((conflict) => conflict.column('stream_id').doNothing())
        .execute();
    },
    async bindApproval(streamId, approvalId, args) {
      await db
        .updateTable('mcp_call_streams')
        .set({ approval_id: approvalId, args: JSON.stringify(args ?? {}) })
        .where('stream_id', '=', streamId)
        .execute();
    },
    async find(streamId, sessionId, principalKey) {
      const row = await db
        .selectFrom('mcp_call_streams')
        .selectAll()
        .where('stream_id', '=', streamId)
        .where('session_hash', '=', hashOf(sessionId))
        .where('principal_hash', '=', hashOf(principalKey))
        .executeTakeFirst();
      if (!row) return null;
      return {
        streamId: row.stream_id,
        accountId: row.account_id,
        principalKey,
        requestId: JSON.parse(row.request_id),
        tool: row.tool,
        progressToken: row.progress_token === null ? null : JSON.parse(row.progress_token),
        approvalId: row.approval_id,
        args: row.args === null ? null : JSON.parse(row.args),
        createdAt: Number(row.created_at),
      };
    },
    async remove(streamId) {
      await db.deleteFrom('mcp_call_streams').where('stream_id', '=', streamId).execute();
    },
    async sweep(before) {
      const result = await db.deleteFrom('mcp_call_streams').where('created_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
