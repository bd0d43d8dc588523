/**
 * The admin API shapes of the model gateway plugin (`@preloop/gateway`):
 * model aliases, usage summaries, budgets and the model calls captured on a
 * runtime session. Core does not define them; they are kept here rather than
 * imported, because the elements may import types from core only and work
 * against servers without the gateway.
 *
 * @module
 */

/** Prices of a model, in US dollars per million tokens. */
export interface ModelPrices {
  input: number;
  output: number;
  cachedInput?: number;
  cacheWriteInput?: number;
  [extra: string]: unknown;
}

/** A model alias served by the gateway. The credential is write-only. */
export interface ModelAlias {
  id: string;
  accountId: string;
  /** What clients send as `model`. */
  alias: string;
  /** The provider plugin's id (`openai`, `anthropic`…). */
  provider: string;
  /** The upstream model id. */
  model: string;
  baseUrl: string | null;
  /** The secret store name of the credential, or null. */
  credentialSecret: string | null;
  /** True when a credential is configured (its value is never returned). */
  hasCredential: boolean;
  /** Prices, or null to use the default price table. */
  prices: ModelPrices | null;
  /** The alias tried when the upstream fails before the first byte. */
  fallback: string | null;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

/** What `POST /models` takes. */
export interface CreateModelInput {
  alias: string;
  provider: string;
  model: string;
  baseUrl?: string | null;
  /** The provider API key; stored encrypted as a secret, never returned. */
  apiKey?: string;
  prices?: ModelPrices | null;
  fallback?: string | null;
  description?: string | null;
}

/** A usage summary grouping. */
export type UsageGroupBy = 'model' | 'agent' | 'key' | 'session' | 'day';

/** One group of a usage summary. */
export interface UsageSummaryRow {
  /** The alias, agent id, API key id, session id, or the day's start (epoch ms, UTC, as a string); null for calls without one. */
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
  /** Calls whose model had no price (not in `costMicros`). */
  unpricedCalls: number;
  estimatedCalls: number;
}

/** `GET /usage/summary`. */
export interface UsageSummary {
  groupBy: UsageGroupBy;
  from: number;
  to: number;
  /** Groups, dearest first. */
  rows: UsageSummaryRow[];
  totals: Omit<UsageSummaryRow, 'key'>;
}

/** Parameters of `GET /usage/summary`. */
export interface UsageSummaryParams {
  groupBy: UsageGroupBy;
  /** @default 30 days ago */
  from?: number;
  /** @default now */
  to?: number;
}

/** What a budget limits: the whole account, one agent, one API key, or one model alias. */
export type BudgetScopeType = 'account' | 'agent' | 'api_key' | 'model';

/** How often a budget's spend starts again from zero (UTC calendar days, ISO weeks, months). */
export type BudgetPeriod = 'day' | 'week' | 'month';

/** A spending limit (`GET /budgets`). */
export interface Budget {
  id: string;
  accountId: string;
  /** Unique within the account; named in the error a refused call gets. */
  name: string;
  /** What it limits: `account` (id null), `agent` (agent id), `api_key` (key id) or `model` (the alias). */
  scope: { type: BudgetScopeType; id: string | null };
  period: BudgetPeriod;
  /** Calls that could take spend past this are refused; null for none. Micro-dollars. */
  hardLimitMicros: number | null;
  /** Crossing it raises `gateway-budget-soft-limit` once per period; null for none. Micro-dollars. */
  softLimitMicros: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A budget and its current period (`GET /budgets/status`). */
export interface BudgetStatus extends Budget {
  periodStart: number;
  periodEnd: number;
  spentMicros: number;
  /** Held by calls in flight (reserved before the upstream call, settled after). */
  reservedMicros: number;
  /** Hard limit minus spent and reserved (never below 0), or null without a hard limit. */
  remainingMicros: number | null;
  /** What the smallest call without an output limit reserves under this budget, or null without a hard limit or a priced alias. */
  callReservationMicros: number | null;
  /** `below_call_reservation`: what remains is below `callReservationMicros`, so calls without a low enough `max_tokens` are refused. */
  state: 'ok' | 'soft_limit_reached' | 'below_call_reservation' | 'hard_limit_reached';
}

/** What `POST /budgets` takes: at least one of the limits. */
export interface CreateBudgetInput {
  name: string;
  /** An `account` scope has no id; the others need one. */
  scope: { type: BudgetScopeType; id?: string | null };
  period: BudgetPeriod;
  hardLimitMicros?: number | null;
  softLimitMicros?: number | null;
}

/** What `PATCH /budgets/:id` takes (the scope cannot change). */
export type UpdateBudgetInput = Partial<Omit<CreateBudgetInput, 'scope'>>;

/** A model call the gateway captured on a runtime session. */
export interface GatewayEvent {
  id: string;
  sessionId: string;
  /** The usage record of the call. */
  usageId: string;
  time: number;
  /** The model alias called. */
  alias: string;
  status: string;
  /** One line: model, tokens, cost, duration. */
  summary: string;
  /** The captured (redacted, bounded) request body, when capture is on. */
  requestBody: unknown;
  /** The captured response body, when capture is on. */
  responseBody: unknown;
}
