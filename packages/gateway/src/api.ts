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
import type {
  Budget,
  BudgetList,
  BudgetStatusList,
  GatewayEventListParams,
  GatewayEventPage,
  ModelAlias,
  ModelAliasList,
  UsageListParams,
  UsageRecordPage,
  UsageSummary,
  UsageSummaryParams,
} from './admin/api-schemas.js';
import type { BudgetInput, BudgetUpdate } from './budgets/budget-types.js';
import type { ModelAliasInput, ModelAliasUpdate } from './models/model-alias.js';

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
  GatewayEventListParams,
} from './admin/api-schemas.js';
export type { BudgetInput, BudgetUpdate } from './budgets/budget-types.js';
export type { ModelAliasInput, ModelAliasUpdate } from './models/model-alias.js';
/** The gateway's live events (`gateway-usage-recorded`, `gateway-budget-*`) by name, with the payloads the server emits. */
export type { GatewayEventMap } from './records/gateway-event-map.js';

/**
 * Every admin route of the model gateway, keyed `METHOD /path` (below
 * `/api/v1`): its body, query and success response. Error statuses answer
 * core's `ApiError` (`@preloop/core/api`); a `response` of `void` means no body (204).
 */
export interface GatewayRoutes {
  'GET /models': { response: ModelAliasList };
  'POST /models': { body: ModelAliasInput; response: ModelAlias };
  'GET /models/:alias': { response: ModelAlias };
  'PATCH /models/:alias': { body: ModelAliasUpdate; response: ModelAlias };
  'DELETE /models/:alias': { response: void };
  'GET /budgets/status': { response: BudgetStatusList };
  'GET /budgets': { response: BudgetList };
  'POST /budgets': { body: BudgetInput; response: Budget };
  'GET /budgets/:id': { response: Budget };
  'PATCH /budgets/:id': { body: BudgetUpdate; response: Budget };
  'DELETE /budgets/:id': { response: void };
  'GET /usage/summary': { query: UsageSummaryParams; response: UsageSummary };
  'GET /usage': { query: UsageListParams; response: UsageRecordPage };
  'GET /runtime-sessions/:id/gateway-events': { query: GatewayEventListParams; response: GatewayEventPage };
}
