/**
 * Row types of the gateway's own tables (created by its migrations).
 *
 * @module
 */

import type { KernelTables } from '@preloop/core';

/** A model alias: what a client names as `model`, and where it is served. */
export interface GatewayModelRow {
  id: string;
  account_id: string;
  alias: string;
  provider: string;
  upstream_model: string;
  base_url: string | null;
  /** The secret store name holding the upstream credential, or null (keyless server). */
  credential_secret: string | null;
  /** JSON `ModelPrices`, or null to use the default price table. */
  prices: string | null;
  fallback: string | null;
  description: string | null;
  created_at: number;
  updated_at: number;
}

/** One model call (one upstream attempt). */
export interface GatewayUsageRow {
  id: string;
  account_id: string;
  time: number;
  principal_type: string;
  principal_id: string;
  user_id: string | null;
  api_key_id: string | null;
  agent_id: string | null;
  runtime_session_id: string | null;
  alias: string;
  provider: string;
  upstream_model: string;
  operation: string;
  streamed: number;
  status: string;
  http_status: number | null;
  error_code: string | null;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** Micro-dollars, or null when the model is unpriced. */
  cost_micros: number | null;
  cost_source: string;
  usage_estimated: number;
  latency_ms: number;
  ttfb_ms: number | null;
  fallback_from: string | null;
}

/** A spending limit over a period. */
export interface GatewayBudgetRow {
  id: string;
  account_id: string;
  name: string;
  scope_type: string;
  scope_id: string | null;
  period: string;
  hard_limit_micros: number | null;
  soft_limit_micros: number | null;
  created_at: number;
  updated_at: number;
}

/** A budget's spend and in-flight reservations in one period. */
export interface GatewayBudgetWindowRow {
  budget_id: string;
  period_start: number;
  account_id: string;
  spent_micros: number;
  reserved_micros: number;
  soft_notified_at: number | null;
}

/** An in-flight reservation, reclaimed when it expires (a crashed instance). */
export interface GatewayReservationRow {
  id: string;
  account_id: string;
  created_at: number;
  expires_at: number;
  amount_micros: number;
  /** JSON `Array<[budgetId, periodStart]>`. */
  windows: string;
  /** JSON snapshot of the call, for the usage record written if it is reclaimed. */
  call: string;
}

/** A model call seen from its runtime session, with the optional captured bodies. */
export interface GatewayEventRow {
  id: string;
  account_id: string;
  runtime_session_id: string;
  usage_id: string;
  time: number;
  alias: string;
  status: string;
  summary: string;
  request_body: string | null;
  response_body: string | null;
}

/** The gateway's tables, with the kernel's: `preloop.db.withTables<GatewayTables>()` is a `Kysely<GatewayTables>`. */
export type GatewayTables = KernelTables & {
  gateway_models: GatewayModelRow;
  gateway_usage: GatewayUsageRow;
  gateway_budgets: GatewayBudgetRow;
  gateway_budget_windows: GatewayBudgetWindowRow;
  gateway_reservations: GatewayReservationRow;
  gateway_events: GatewayEventRow;
};
