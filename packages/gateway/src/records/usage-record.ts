/**
 * Usage records: one per model call (per upstream attempt), with tokens, cost,
 * status and timing, and the row mapping.
 *
 * @module
 */

import type { GatewayUsageRow } from '../storage/gateway-tables.js';

/** How a call ended. */
export type UsageStatus =
  /** The upstream answered and the answer reached the client. */
  | 'success'
  /** The upstream answered with an error status (nothing was streamed). */
  | 'upstream_error'
  /** The upstream failed mid-stream, or sent something unreadable. */
  | 'error'
  /** The upstream did not answer (or went silent) within the timeout. */
  | 'timeout'
  /** The client went away; the upstream was aborted. */
  | 'cancelled'
  /** The instance serving the call stopped; its reservation expired and was charged in full. */
  | 'abandoned';

/** Where a record's cost comes from. */
export type CostSource =
  /** Prices configured on the alias. */
  | 'alias_prices'
  /** The default price table. */
  | 'price_table'
  /** No price known: the call is unpriced (`costMicros` null), never $0. */
  | 'unpriced'
  /** A reservation reclaimed after a crash, charged at its full (upper-bound) amount. */
  | 'reservation';

/** Who made a call and to what, as recorded (and kept with a reservation in case it is reclaimed). */
export interface CallSnapshot {
  accountId: string;
  /** Start of the call, epoch ms. */
  time: number;
  principalType: string;
  principalId: string;
  userId: string | null;
  apiKeyId: string | null;
  agentId: string | null;
  runtimeSessionId: string | null;
  alias: string;
  provider: string;
  upstreamModel: string;
  /** `chat.completions`, `responses`, `embeddings` or `messages`. */
  operation: string;
  streamed: boolean;
}

/** One usage record. */
export interface UsageRecord extends CallSnapshot {
  id: string;
  status: UsageStatus;
  /** The HTTP status the upstream answered, or null when it never did. */
  httpStatus: number | null;
  /** A short machine-readable error (`upstream_rate_limited`, `timeout`, `client_cancelled`…), or null. */
  errorCode: string | null;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Micro-dollars; null when unpriced. */
  costMicros: number | null;
  costSource: CostSource;
  /** True when tokens were estimated (a stream cut before the provider reported usage). */
  usageEstimated: boolean;
  /** Milliseconds from the request to the end of the answer. */
  latencyMs: number;
  /** Milliseconds from the request to the first upstream byte, or null. */
  ttfbMs: number | null;
  /** The alias this call fell back from, or null. */
  fallbackFrom: string | null;
}

/** Converts a record to its row. */
export function toUsageRow(record: UsageRecord): GatewayUsageRow {
  return {
    id: record.id,
    account_id: record.accountId,
    time: record.time,
    principal_type: record.principalType,
    principal_id: record.principalId,
    user_id: record.userId,
    api_key_id: record.apiKeyId,
    agent_id: record.agentId,
    runtime_session_id: record.runtimeSessionId,
    alias: record.alias,
    provider: record.provider,
    upstream_model: record.upstreamModel,
    operation: record.operation,
    streamed: record.streamed ? 1 : 0,
    status: record.status,
    http_status: record.httpStatus,
    error_code: record.errorCode,
    input_tokens: record.inputTokens,
    output_tokens: record.outputTokens,
    cached_input_tokens: record.cachedInputTokens,
    cache_write_tokens: record.cacheWriteTokens,
    reasoning_tokens: record.reasoningTokens,
    cost_micros: record.costMicros,
    cost_source: record.costSource,
    usage_estimated: record.usageEstimated ? 1 : 0,
    latency_ms: record.latencyMs,
    ttfb_ms: record.ttfbMs,
    fallback_from: record.fallbackFrom,
  };
}

/** Converts a row to its record. */
export function fromUsageRow(row: GatewayUsageRow): UsageRecord {
  const nullableNumber = (value: number | null) => (value === null ? null : Number(value));
  return {
    id: row.id,
    accountId: row.account_id,
    time: Number(row.time),
    principalType: row.principal_type,
    principalId: row.principal_id,
    userId: row.user_id,
    apiKeyId: row.api_key_id,
    agentId: row.agent_id,
    runtimeSessionId: row.runtime_session_id,
    alias: row.alias,
    provider: row.provider,
    upstreamModel: row.upstream_model,
    operation: row.operation,
    streamed: Number(row.streamed) === 1,
    status: row.status as UsageStatus,
    httpStatus: nullableNumber(row.http_status),
    errorCode: row.error_code,
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cachedInputTokens: Number(row.cached_input_tokens),
    cacheWriteTokens: Number(row.cache_write_tokens),
    reasoningTokens: Number(row.reasoning_tokens),
    costMicros: nullableNumber(row.cost_micros),
    costSource: row.cost_source as CostSource,
    usageEstimated: Number(row.usage_estimated) === 1,
    latencyMs: Number(row.latency_ms),
    ttfbMs: nullableNumber(row.ttfb_ms),
    fallbackFrom: row.fallback_from,
  };
}

/**
 * The record of a reservation reclaimed after its instance stopped: charged at
 * the reserved amount (an upper bound of what the call could cost), so spend
 * is never lost to a crash.
 *
 * @example
 * ```ts
 * const record = abandonedUsageRecord(reservationId, call, 120_000, Date.now());
 * ```
 */
export function abandonedUsageRecord(id: string, call: CallSnapshot, amountMicros: number, now: number): UsageRecord {
  return {
    ...call,
    id,
    status: 'abandoned',
    httpStatus: null,
    errorCode: 'reservation_expired',
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costMicros: amountMicros,
    costSource: 'reservation',
    usageEstimated: true,
    latencyMs: Math.max(0, now - call.time),
    ttfbMs: null,
    fallbackFrom: null,
  };
}
