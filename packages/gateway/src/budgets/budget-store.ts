/**
 * Budget definitions: CRUD, a per-account cache for the hot path, and the
 * status of each budget's current period.
 *
 * @module
 */

import { createId, PreloopError, type AuditRecordInput, type Preloop, type Principal } from '@preloop/core';
import type { GatewayBudgetRow, GatewayTables } from '../storage/gateway-tables.js';
import type { AccountCache } from '@preloop/core/internal';
import { periodEnd, periodStart, type BudgetPeriod } from './budget-periods.js';
import type { Budget, BudgetInput, BudgetScopeType, BudgetState, BudgetStatus, BudgetUpdate } from './budget-types.js';

/** Budget CRUD and lookups. */
export interface BudgetStore {
  list(accountId: string): Promise<Budget[]>;
  get(accountId: string, id: string): Promise<Budget>;
  create(accountId: string, input: BudgetInput, actor: AuditRecordInput['actor']): Promise<Budget>;
  update(accountId: string, id: string, patch: BudgetUpdate, actor: AuditRecordInput['actor']): Promise<Budget>;
  delete(accountId: string, id: string, actor: AuditRecordInput['actor']): Promise<void>;
  /** The budgets that apply to a call by `principal` to `alias` (cached). */
  applicable(principal: Principal, alias: string): Promise<Budget[]>;
  /**
   * Every budget of the account with its current period's spend;
   * `reservationOf` gives each budget's `callReservationMicros` (see
   * `callReservations`), null when not given.
   */
  status(accountId: string, now?: number, reservationOf?: (budget: Budget) => number | null): Promise<BudgetStatus[]>;
}

/** Converts a row to a {@link Budget}. */
export function toBudget(row: GatewayBudgetRow): Budget {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    scope: { type: row.scope_type as BudgetScopeType, id: row.scope_id },
    period: row.period as BudgetPeriod,
    hardLimitMicros: row.hard_limit_micros === null ? null : Number(row.hard_limit_micros),
    softLimitMicros: row.soft_limit_micros === null ? null : Number(row.soft_limit_micros),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function matches(budget: Budget, principal: Principal, alias: string): boolean {
  switch (budget.scope.type) {
    case 'account':
      return true;
    case 'agent':
      return principal.agentId !== null && budget.scope.id === principal.agentId;
    case 'api_key':
      return principal.apiKeyId !== null && budget.scope.id === principal.apiKeyId;
    case 'model':
      return budget.scope.id === alias;
    default:
      return false;
  }
}

/**
 * Creates the budget store.
 *
 * @example
 * ```ts
 * const budgets = createBudgetStore(preloop, cache, announce);
 * await budgets.create(accountId, { name: 'team', scope: { type: 'account' }, period: 'month', hardLimitMicros: 100_000_000 }, actor);
 * ```
 */
export function createBudgetStore(
  preloop: Preloop,
  cache: AccountCache<Budget[]>,
  announce: (accountId: string) => Promise<void>,
): BudgetStore {
  const db = preloop.db.withTables<GatewayTables>();
  const audit = (accountId: string, actor: AuditRecordInput['actor'], action: string, id: string, data: Record<string, unknown>) =>
    preloop.audit.record({ accountId, actor, action, target: { type: 'gateway_budget', id }, outcome: 'success', data });

  async function get(accountId: string, id: string): Promise<Budget> {
    const row = await db
      .selectFrom('gateway_budgets')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new PreloopError('NOT_FOUND', `No budget with id "${id}".`);
    return toBudget(row);
  }

  async function uniqueName(accountId: string, name: string, except: string | null): Promise<void> {
    const row = await db
      .selectFrom('gateway_budgets')
      .select('id')
      .where('account_id', '=', accountId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (row && row.id !== except) throw new PreloopError('CONFLICT', `A budget named "${name}" already exists.`);
  }

  return {
    list: (accountId) => cache.get(accountId),
    get,
    async create(accountId, input, actor) {
      await uniqueName(accountId, input.name.trim(), null);
      const now = Date.now();
      const row: GatewayBudgetRow = {
        id: createId('bud'),
        account_id: accountId,
        name: input.name.trim(),
        scope_type: input.scope.type,
        scope_id: input.scope.type === 'account' ? null : (input.scope.id ?? null),
        period: input.period,
        hard_limit_micros: input.hardLimitMicros ?? null,
        soft_limit_micros: input.softLimitMicros ?? null,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('gateway_budgets').values(row).execute();
      await announce(accountId);
      const budget = toBudget(row);
      await audit(accountId, actor, 'gateway.budget.create', row.id, {
        name: budget.name,
        scope: budget.scope,
        period: budget.period,
        hardLimitMicros: budget.hardLimitMicros,
        softLimitMicros: budget.softLimitMicros,
      });
      return budget;
    },
    async update(accountId, id, patch, actor) {
      const current = await get(accountId, id);
      if (patch.name !== undefined) await uniqueName(accountId, patch.name.trim(), id);
      const next = {
        name: patch.name?.trim() ?? current.name,
        period: patch.period ?? current.period,
        hard_limit_micros: patch.hardLimitMicros === undefined ? current.hardLimitMicros : patch.hardLimitMicros,
        soft_limit_micros: patch.softLimitMicros === undefined ? current.softLimitMicros : patch.softLimitMicros,
      };
      if (next.hard_limit_micros === null && next.soft_limit_micros === null) {
        throw new PreloopError('VALIDATION_ERROR', 'A budget needs a hard limit, a soft limit or both.');
      }
      await db
        .updateTable('gateway_budgets')
        .set({ ...next, updated_at: Date.now() })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .execute();
      await announce(accountId);
      await audit(accountId, actor, 'gateway.budget.update', id, { ...patch });
      return get(accountId, id);
    },
    async delete(accountId, id, actor) {
      const budget = await get(accountId, id);
      await db.deleteFrom('gateway_budget_windows').where('budget_id', '=', id).execute();
      await db.deleteFrom('gateway_budgets').where('account_id', '=', accountId).where('id', '=', id).execute();
      await announce(accountId);
      await audit(accountId, actor, 'gateway.budget.delete', id, { name: budget.name });
    },
    async applicable(principal, alias) {
      const budgets = await cache.get(principal.accountId);
      if (budgets.length === 0) return budgets;
      return budgets.filter((budget) => matches(budget, principal, alias));
    },
    async status(accountId, now = Date.now(), reservationOf = () => null) {
      const budgets = await cache.get(accountId);
      if (budgets.length === 0) return [];
      const windows = await db
        .selectFrom('gateway_budget_windows')
        .selectAll()
        .where('account_id', '=', accountId)
        .where(
          'budget_id',
          'in',
          budgets.map((budget) => budget.id),
        )
        .execute();
      return budgets.map((budget) => {
        const start = periodStart(budget.period, now);
        const window = windows.find((row) => row.budget_id === budget.id && Number(row.period_start) === start);
        const spentMicros = window ? Number(window.spent_micros) : 0;
        const reservedMicros = window ? Number(window.reserved_micros) : 0;
        const hard = budget.hardLimitMicros;
        const soft = budget.softLimitMicros;
        const remainingMicros = hard === null ? null : Math.max(0, hard - spentMicros - reservedMicros);
        const callReservationMicros = hard === null ? null : reservationOf(budget);
        const state: BudgetState =
          hard !== null && spentMicros >= hard
            ? 'hard_limit_reached'
            : remainingMicros !== null && callReservationMicros !== null && remainingMicros < callReservationMicros
              ? 'below_call_reservation'
              : soft !== null && spentMicros >= soft
                ? 'soft_limit_reached'
                : 'ok';
        return {
          ...budget,
          periodStart: start,
          periodEnd: periodEnd(budget.period, start),
          spentMicros,
          reservedMicros,
          remainingMicros,
          callReservationMicros,
          state,
        };
      });
    },
  };
}
