/**
 * The admin API contract of the model gateway: zod schemas of the bodies its
 * routes answer (model aliases, budgets and their status, usage records and
 * summaries, the model calls of a runtime session) and the types derived from
 * them (re-exported, types only, by `@preloop/gateway/api`). The request
 * bodies are `modelAliasCreateSchema`, `modelAliasUpdateSchema`,
 * `budgetCreateSchema` and `budgetUpdateSchema`; the queries are here.
 *
 * @module
 */
import { pageOf, pageQueryShape, type SchemaAgrees } from '@preloop/core';
import { z } from 'zod';
import { budgetPeriods } from '../budgets/budget-periods.js';
import { budgetScopeTypes, type Budget as StoredBudget, type BudgetStatus as StoredBudgetStatus } from '../budgets/budget-types.js';
import type { ModelAlias as StoredModelAlias } from '../models/model-alias.js';
import type { GatewayEvent as StoredGatewayEvent, UsageSummary as StoredUsageSummary } from '../records/usage-queries.js';
import { usageGroupings } from '../records/usage-queries.js';
import type { UsageRecord as StoredUsageRecord } from '../records/usage-record.js';
import { modelPricesSchema } from '../usage/model-prices.js';

const epochMs = z.number().int();
const micros = z.number().int();
const count = z.number().int();

/** A model alias served by the gateway. The credential is write-only (`hasCredential` says whether there is one). */
export const modelAliasSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  /** What clients send as `model`. */
  alias: z.string(),
  /** The provider plugin's id (`openai`, `anthropic`, `ollama`…). */
  provider: z.string(),
  /** The upstream model id. */
  model: z.string(),
  /** The upstream base URL, or null for the provider's default. */
  baseUrl: z.string().nullable(),
  /** The secret store name of the upstream credential, or null. */
  credentialSecret: z.string().nullable(),
  /** True when a credential is configured (its value is never returned). */
  hasCredential: z.boolean(),
  /** Prices (USD per million tokens), or null to use the default price table. */
  prices: modelPricesSchema.nullable(),
  /** The alias tried when the upstream answers 429 or 5xx before the first byte, or null. */
  fallback: z.string().nullable(),
  description: z.string().nullable(),
  createdAt: epochMs,
  updatedAt: epochMs,
});

true satisfies SchemaAgrees<typeof modelAliasSchema, StoredModelAlias>;

/** `GET /models`: every alias of the account (not paginated). */
export const modelAliasListSchema = z.object({ items: z.array(modelAliasSchema) });

/** A spending limit. */
export const budgetSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  /** Unique within the account; named in the error a refused call gets. */
  name: z.string(),
  /** What it limits: `account` (id null), `agent` (agent id), `api_key` (key id) or `model` (alias). */
  scope: z.object({ type: z.enum(budgetScopeTypes), id: z.string().nullable() }),
  period: z.enum(budgetPeriods),
  /** Calls that could take spend past this are refused; null for none. Micro-dollars. */
  hardLimitMicros: micros.nullable(),
  /** Crossing it emits `gateway-budget-soft-limit` once per period; null for none. Micro-dollars. */
  softLimitMicros: micros.nullable(),
  createdAt: epochMs,
  updatedAt: epochMs,
});

true satisfies SchemaAgrees<typeof budgetSchema, StoredBudget>;

/** `GET /budgets`: every budget of the account (not paginated). */
export const budgetListSchema = z.object({ items: z.array(budgetSchema) });

/** A budget's current period: spend, in-flight reservations and limits (`GET /budgets/status`). */
export const budgetStatusSchema = budgetSchema.extend({
  periodStart: epochMs,
  periodEnd: epochMs,
  spentMicros: micros,
  /** Held by calls in flight (reserved before the upstream call, settled after). */
  reservedMicros: micros,
  /** Hard limit minus spent and reserved (never below 0), or null without a hard limit. */
  remainingMicros: micros.nullable(),
  /** What the smallest call without an output limit reserves under this budget, or null without a hard limit or a priced alias. */
  callReservationMicros: micros.nullable(),
  /** Most severe first: `hard_limit_reached`, `below_call_reservation`, `soft_limit_reached`, `ok`. */
  state: z.enum(['hard_limit_reached', 'below_call_reservation', 'soft_limit_reached', 'ok']),
});

true satisfies SchemaAgrees<typeof budgetStatusSchema, StoredBudgetStatus>;

/** `GET /budgets/status`. */
export const budgetStatusListSchema = z.object({ items: z.array(budgetStatusSchema) });

const summaryTotals = {
  calls: count,
  failedCalls: count,
  inputTokens: count,
  outputTokens: count,
  cachedInputTokens: count,
  cacheWriteTokens: count,
  reasoningTokens: count,
  /** Spend of the priced calls, in micro-dollars. */
  costMicros: micros,
  /** Calls whose model had no price (not counted in `costMicros`). */
  unpricedCalls: count,
  /** Calls whose tokens were estimated (streams cut before the provider reported usage). */
  estimatedCalls: count,
};

/** One group of a usage summary. */
export const usageSummaryRowSchema = z.object({
  /** The alias, agent id, API key id, runtime session id, or the day's start (epoch ms, UTC, as a string); null for calls without one. */
  key: z.string().nullable(),
  ...summaryTotals,
});

/** `GET /usage/summary`. */
export const usageSummarySchema = z.object({
  groupBy: z.enum(usageGroupings),
  from: epochMs,
  to: epochMs,
  /** Groups, dearest first. */
  rows: z.array(usageSummaryRowSchema),
  totals: z.object(summaryTotals),
});

true satisfies SchemaAgrees<typeof usageSummarySchema, StoredUsageSummary>;

/** One usage record: one model call (per upstream attempt) with tokens, cost, status and timing. */
export const usageRecordSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  /** Start of the call. */
  time: epochMs,
  principalType: z.string(),
  principalId: z.string(),
  userId: z.string().nullable(),
  apiKeyId: z.string().nullable(),
  agentId: z.string().nullable(),
  runtimeSessionId: z.string().nullable(),
  alias: z.string(),
  provider: z.string(),
  upstreamModel: z.string(),
  /** `chat.completions`, `responses`, `embeddings` or `messages`. */
  operation: z.string(),
  streamed: z.boolean(),
  status: z.enum(['success', 'upstream_error', 'error', 'timeout', 'cancelled', 'abandoned']),
  /** The HTTP status the upstream answered, or null when it never did. */
  httpStatus: z.number().int().nullable(),
  /** A short machine-readable error (`upstream_rate_limited`, `timeout`, `client_cancelled`…), or null. */
  errorCode: z.string().nullable(),
  inputTokens: count,
  outputTokens: count,
  cachedInputTokens: count,
  cacheWriteTokens: count,
  reasoningTokens: count,
  /** Micro-dollars; null when unpriced. */
  costMicros: micros.nullable(),
  costSource: z.enum(['alias_prices', 'price_table', 'unpriced', 'reservation']),
  /** True when tokens were estimated (a stream cut before the provider reported usage). */
  usageEstimated: z.boolean(),
  /** Milliseconds from the request to the end of the answer. */
  latencyMs: z.number(),
  /** Milliseconds from the request to the first upstream byte, or null. */
  ttfbMs: z.number().nullable(),
  /** The alias this call fell back from, or null. */
  fallbackFrom: z.string().nullable(),
});

true satisfies SchemaAgrees<typeof usageRecordSchema, StoredUsageRecord>;

/** A page of `GET /usage`, newest first. */
export const usageRecordPageSchema = pageOf(usageRecordSchema);

/** A model call the gateway captured on a runtime session. */
export const gatewayEventSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  /** The usage record of the call. */
  usageId: z.string(),
  time: epochMs,
  /** The model alias called. */
  alias: z.string(),
  status: z.string(),
  /** One line: model, tokens, cost, duration. */
  summary: z.string(),
  /** The captured (redacted, bounded) request body, when capture is on. */
  requestBody: z.unknown(),
  /** The captured response body, when capture is on. */
  responseBody: z.unknown(),
});

true satisfies SchemaAgrees<typeof gatewayEventSchema, StoredGatewayEvent>;

/** A page of `GET /runtime-sessions/:id/gateway-events`, oldest first. */
export const gatewayEventPageSchema = pageOf(gatewayEventSchema);

const time = z.coerce.number().int().nonnegative();

/** The query of `GET /usage/summary` (times in epoch ms; default: the last 30 days). */
export const usageSummaryQuerySchema = z.strictObject({
  groupBy: z.enum(usageGroupings).default('model'),
  from: time.optional(),
  to: time.optional(),
});

/** The query of `GET /usage`. */
export const usageListQuerySchema = z.strictObject({
  from: time.optional(),
  to: time.optional(),
  alias: z.string().optional(),
  agentId: z.string().optional(),
  apiKeyId: z.string().optional(),
  sessionId: z.string().optional(),
  status: z.string().optional(),
  ...pageQueryShape,
});

/** The query of `GET /runtime-sessions/:id/gateway-events`. */
export const gatewayEventQuerySchema = z.strictObject(pageQueryShape);

/** A model alias (the credential is never part of it). */
export type ModelAlias = z.output<typeof modelAliasSchema>;
/** Prices of a model, in USD per million tokens. */
export type ModelPrices = NonNullable<ModelAlias['prices']>;
/** `GET /models`. */
export type ModelAliasList = z.output<typeof modelAliasListSchema>;
/** A spending limit. */
export type Budget = z.output<typeof budgetSchema>;
/** `GET /budgets`. */
export type BudgetList = z.output<typeof budgetListSchema>;
/** A budget and its current period. */
export type BudgetStatus = z.output<typeof budgetStatusSchema>;
/** The state of a budget in its current period. */
export type BudgetState = BudgetStatus['state'];
/** What a budget limits. */
export type BudgetScopeType = Budget['scope']['type'];
/** How often a budget's spend starts again from zero. */
export type BudgetPeriod = Budget['period'];
/** `GET /budgets/status`. */
export type BudgetStatusList = z.output<typeof budgetStatusListSchema>;
/** One group of a usage summary. */
export type UsageSummaryRow = z.output<typeof usageSummaryRowSchema>;
/** `GET /usage/summary`. */
export type UsageSummary = z.output<typeof usageSummarySchema>;
/** A usage summary grouping. */
export type UsageGroupBy = UsageSummary['groupBy'];
/** The query of `GET /usage/summary`, each parameter optional. */
export type UsageSummaryParams = Partial<z.output<typeof usageSummaryQuerySchema>>;
/** One usage record. */
export type UsageRecord = z.output<typeof usageRecordSchema>;
/** How a call ended. */
export type UsageStatus = UsageRecord['status'];
/** The query of `GET /usage`: filters, cursor and page size, each optional. */
export type UsageListParams = Partial<z.output<typeof usageListQuerySchema>>;
/** A page of `GET /usage`. */
export type UsageRecordPage = z.output<typeof usageRecordPageSchema>;
/** A model call captured on a runtime session. */
export type GatewayEvent = z.output<typeof gatewayEventSchema>;
/** A page of `GET /runtime-sessions/:id/gateway-events`. */
export type GatewayEventPage = z.output<typeof gatewayEventPageSchema>;
/** The query of `GET /runtime-sessions/:id/gateway-events`: cursor and page size, each optional. */
export type GatewayEventListParams = Partial<z.output<typeof gatewayEventQuerySchema>>;
