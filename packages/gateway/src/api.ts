/**
 * `@preloop/gateway/api`: the types of the model gateway's admin API (model
 * aliases, budgets and their status, usage records and summaries, the model
 * calls of a runtime session), derived from the zod schemas its routes
 * validate and answer with. Types only, no run-time code: a browser client
 * imports them with `import type`.
 *
 * @example
 * ```ts
 * import type { BudgetStatus, UsageSummary } from '@preloop/gateway/api';
 * ```
 *
 * @module
 */
export type {
  Budget,
  BudgetList,
  BudgetPeriod,
  BudgetScopeType,
  BudgetState,
  BudgetStatus,
  BudgetStatusList,
  GatewayEvent,
  GatewayEventPage,
  ModelAlias,
  ModelAliasList,
  ModelPrices,
  UsageGroupBy,
  UsageListParams,
  UsageRecord,
  UsageRecordPage,
  UsageStatus,
  UsageSummary,
  UsageSummaryParams,
  UsageSummaryRow,
} from './admin/api-schemas.js';
export type { BudgetInput, BudgetUpdate } from './budgets/budget-types.js';
export type { ModelAliasInput, ModelAliasUpdate } from './models/model-alias.js';
