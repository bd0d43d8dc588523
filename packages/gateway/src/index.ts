/**
 * `@preloop/gateway`: the model gateway. `gateway()` is the kernel plugin
 * (tables, admin routes, shared runtime); `createGateway(preloop)` is the
 * web-standard handler serving the OpenAI (`/openai/v1`) and Anthropic
 * (`/anthropic/v1`) ingresses, with `createNodeGateway` in
 * `@preloop/gateway/node` for Node servers. Underneath: model aliases and
 * providers, budgets with atomic reservations, usage records and the default
 * price table. The pure layer underneath (wire types, translators both ways,
 * streaming included, usage accounting, server-sent events) is in
 * `@preloop/gateway/internal`, for Preloop's own packages and tests.
 *
 * @module
 */

export { modelPricesSchema, type LongContextPrices, type ModelPrices } from './usage/model-prices.js';
export { defaultPriceTable, defaultPriceTableAsOf, findModelPrices } from './usage/price-table.js';
export { computeCost, type Cost } from './usage/compute-cost.js';
export type { Usage } from './usage/usage.js';

import './records/gateway-event-map.js';

export { createGateway, type GatewayHandler } from './http/create-gateway.js';
export type {
  GatewayBudgetOptions,
  GatewayCaptureOptions,
  GatewayOptions,
  GatewayTimeouts,
} from './http/gateway-options.js';
export { gatewayOptionsSchema, type GatewayOptionsInput } from './http/gateway-options-schema.js';
export type { RateLimit, RateLimits } from './http/rate-limiter.js';
export type { GatewayOperation } from './calls/call-plans.js';
export type { IngressFormat } from './calls/ingress-errors.js';
export { reservationMicros } from './calls/reservation-estimate.js';

export { gateway } from './runtime/gateway-plugin.js';
export type { GatewayPluginOptions, GatewayRuntime } from './runtime/gateway-runtime.js';
export type { GatewayRetentionOptions, GatewayPruneResult } from './storage/retention.js';

export { applyModelConfig, type ModelConfigEntry } from './models/apply-model-config.js';
export {
  aliasNameSchema,
  managedSecretName,
  modelAliasCreateSchema,
  modelAliasUpdateSchema,
  type ModelAlias,
  type ModelAliasInput,
  type ModelAliasUpdate,
  type ResolvedModel,
} from './models/model-alias.js';
export type { ModelStore } from './models/model-store.js';

export { budgetPeriods, periodEnd, periodStart, type BudgetPeriod } from './budgets/budget-periods.js';
export {
  budgetCreateSchema,
  budgetScopeTypes,
  budgetUpdateSchema,
  type Budget,
  type BudgetInput,
  type BudgetScopeType,
  type BudgetState,
  type BudgetStatus,
  type BudgetUpdate,
} from './budgets/budget-types.js';
export type { BudgetStore } from './budgets/budget-store.js';
export { callReservations, defaultReservationBounds, reservationBoundsOf, type ReservationBounds } from './budgets/call-reservation.js';
export { formatUsd, type Reservation } from './budgets/budget-ledger.js';

export type { CallSnapshot, CostSource, UsageRecord, UsageStatus } from './records/usage-record.js';
export {
  usageGroupings,
  type GatewayEvent,
  type UsageGrouping,
  type UsageListOptions,
  type UsageSummary,
  type UsageSummaryRow,
} from './records/usage-queries.js';
export type { UsageWriter } from './records/usage-writer.js';
export type {
  GatewayBudgetRow,
  GatewayBudgetWindowRow,
  GatewayEventRow,
  GatewayModelRow,
  GatewayReservationRow,
  GatewayTables,
  GatewayUsageRow,
} from './storage/gateway-tables.js';
