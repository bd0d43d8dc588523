/**
 * Reading usage: summaries grouped by model, agent, key, session or day, the
 * records themselves (newest first, with a cursor), and a session's gateway
 * events.
 *
 * @module
 */

import { decodeCursor, pageLimit, toPage, type Page } from '@preloop/core';
import { sql, type Kysely } from 'kysely';
import type { GatewayEventRow, GatewayTables } from '../storage/gateway-tables.js';
import { fromUsageRow, type UsageRecord } from './usage-record.js';

/** What a usage summary groups by. */
export const usageGroupings = ['model', 'agent', 'key', 'session', 'day'] as const;

/** A usage summary grouping. */
export type UsageGrouping = (typeof usageGroupings)[number];

/** One group of a usage summary. */
export interface UsageSummaryRow {
  /** The alias, agent id, API key id, runtime session id, or the day's start (epoch ms, UTC, as a string); null for calls without one. */
  key: string | null;
  calls: number;
  failedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Spend of the priced calls, in micro-dollars. */
  costMicros: number;
  /** Calls whose model had no price (not counted in `costMicros`). */
  unpricedCalls: number;
  /** Calls whose tokens were estimated (streams cut before the provider reported usage). */
  estimatedCalls: number;
}

/** A usage summary. */
export interface UsageSummary {
  groupBy: UsageGrouping;
  from: number;
  to: number;
  rows: UsageSummaryRow[];
  totals: Omit<UsageSummaryRow, 'key'>;
}

/** Filters of {@link listUsage}. */
export interface UsageListOptions {
  from?: number;
  to?: number;
  alias?: string;
  agentId?: string;
  apiKeyId?: string;
  sessionId?: string;
  status?: string;
  cursor?: string;
  limit?: number;
}

/** A gateway event as the admin API returns it. */
export interface GatewayEvent {
  id: string;
  sessionId: string;
  usageId: string;
  time: number;
  alias: string;
  status: string;
  summary: string;
  requestBody: unknown;
  responseBody: unknown;
}

const groupColumn = {
  model: sql<string>`alias`,
  agent: sql<string>`agent_id`,
  key: sql<string>`api_key_id`,
  session: sql<string>`runtime_session_id`,
  day: sql<string>`(time / 86400000) * 86400000`,
} as const;

const dayMs = 86_400_000;

/**
 * Summarizes an account's usage between `from` (inclusive) and `to`
 * (exclusive), grouped, dearest group first.
 *
 * @example
 * ```ts
 * const summary = await summarizeUsage(db, accountId, 'model', Date.now() - 86_400_000, Date.now());
 * ```
 */
export async function summarizeUsage(
  db: Kysely<GatewayTables>,
  accountId: string,
  groupBy: UsageGrouping,
  from: number,
  to: number,
): Promise<UsageSummary> {
  const column = groupColumn[groupBy];
  const result = await sql<Record<string, number | string | null>>`
    select ${column} as group_key, count(*) as calls,
      sum(case when status = 'success' then 0 else 1 end) as failed_calls,
      sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens,
      sum(cached_input_tokens) as cached_input_tokens, sum(cache_write_tokens) as cache_write_tokens,
      sum(reasoning_tokens) as reasoning_tokens, coalesce(sum(cost_micros), 0) as cost_micros,
      sum(case when cost_micros is null then 1 else 0 end) as unpriced_calls,
      sum(usage_estimated) as estimated_calls
    from gateway_usage
    where account_id = ${accountId} and time >= cast(${from} as bigint) and time < cast(${to} as bigint)
    group by ${column}
    order by cost_micros desc, calls desc`.execute(db);
  const rows = result.rows.map((row) => ({
    key: row.group_key === null ? null : String(row.group_key),
    calls: Number(row.calls),
    failedCalls: Number(row.failed_calls),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cachedInputTokens: Number(row.cached_input_tokens),
    cacheWriteTokens: Number(row.cache_write_tokens),
    reasoningTokens: Number(row.reasoning_tokens),
    costMicros: Number(row.cost_micros),
    unpricedCalls: Number(row.unpriced_calls),
    estimatedCalls: Number(row.estimated_calls),
  }));
  const totals = {
    calls: 0,
    failedCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costMicros: 0,
    unpricedCalls: 0,
    estimatedCalls: 0,
  };
  for (const row of rows) for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += row[key];
  return { groupBy, from, to, rows, totals };
}

/** The default summary window: the last 30 days. */
export function defaultUsageWindow(now = Date.now()): { from: number; to: number } {
  return { from: now - 30 * dayMs, to: now + 1 };
}

/**
 * Lists usage records newest first.
 *
 * @example
 * ```ts
 * const page = await listUsage(db, accountId, { sessionId, limit: 20 });
 * ```
 */
export async function listUsage(db: Kysely<GatewayTables>, accountId: string, options: UsageListOptions = {}): Promise<Page<UsageRecord>> {
  const limit = pageLimit(options.limit);
  const before = decodeCursor(options.cursor);
  let query = db.selectFrom('gateway_usage').selectAll().where('account_id', '=', accountId);
  if (before) query = query.where('id', '<', before);
  if (options.from !== undefined) query = query.where('time', '>=', options.from);
  if (options.to !== undefined) query = query.where('time', '<', options.to);
  if (options.alias) query = query.where('alias', '=', options.alias);
  if (options.agentId) query = query.where('agent_id', '=', options.agentId);
  if (options.apiKeyId) query = query.where('api_key_id', '=', options.apiKeyId);
  if (options.sessionId) query = query.where('runtime_session_id', '=', options.sessionId);
  if (options.status) query = query.where('status', '=', options.status);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (row) => row.id, fromUsageRow);
}

function parseBody(value: string | null): unknown {
  if (value === null) return null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function toGatewayEvent(row: GatewayEventRow): GatewayEvent {
  return {
    id: row.id,
    sessionId: row.runtime_session_id,
    usageId: row.usage_id,
    time: Number(row.time),
    alias: row.alias,
    status: row.status,
    summary: row.summary,
    requestBody: parseBody(row.request_body),
    responseBody: parseBody(row.response_body),
  };
}

/**
 * Lists a runtime session's gateway events, oldest first.
 *
 * @example
 * ```ts
 * const page = await listGatewayEvents(db, accountId, sessionId, {});
 * ```
 */
export async function listGatewayEvents(
  db: Kysely<GatewayTables>,
  accountId: string,
  sessionId: string,
  options: { cursor?: string; limit?: number },
): Promise<Page<GatewayEvent>> {
  const limit = pageLimit(options.limit);
  const after = decodeCursor(options.cursor);
  let query = db.selectFrom('gateway_events').selectAll().where('account_id', '=', accountId).where('runtime_session_id', '=', sessionId);
  if (after) query = query.where('id', '>', after);
  const rows = await query
    .orderBy('id', 'asc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (row) => row.id, toGatewayEvent);
}
