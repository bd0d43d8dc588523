/**
 * Budgets: spending limits in micro-dollars per account, agent, API key or
 * model alias, over a day, week or month.
 *
 * @module
 */

import { z } from 'zod';
import { budgetPeriods, type BudgetPeriod } from './budget-periods.js';

/** What a budget limits. */
export const budgetScopeTypes = ['account', 'agent', 'api_key', 'model'] as const;

/** A budget scope type: the whole account, one agent, one API key, or one model alias. */
export type BudgetScopeType = (typeof budgetScopeTypes)[number];

/** A spending limit. */
export interface Budget {
  id: string;
  accountId: string;
  /** Unique within the account; named in the error a refused call gets. */
  name: string;
  /** What it limits: `account` (id null), `agent` (agent id), `api_key` (key id) or `model` (alias). */
  scope: { type: BudgetScopeType; id: string | null };
  period: BudgetPeriod;
  /** Calls that could take spend past this are refused; null for none. Micro-dollars. */
  hardLimitMicros: number | null;
  /** Crossing it emits `gateway-budget-soft-limit` once per period; null for none. Micro-dollars. */
  softLimitMicros: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A budget's current period: spend, in-flight reservations and limits. */
export interface BudgetStatus extends Budget {
  periodStart: number;
  periodEnd: number;
  spentMicros: number;
  reservedMicros: number;
  /** Hard limit minus spent and reserved (never below 0), or null without a hard limit. */
  remainingMicros: number | null;
  /**
   * What the smallest call without an output limit reserves under this
   * budget (`fixedInputTokens` of input and `defaultMaxOutputTokens` of
   * output on the cheapest priced alias it covers), or null without a hard
   * limit or a priced alias. A call's own reservation is larger with a larger
   * prompt, and smaller with a lower `max_tokens`.
   */
  callReservationMicros: number | null;
  /**
   * `hard_limit_reached`: spent reached the hard limit. `below_call_reservation`:
   * the remaining amount is below `callReservationMicros`, so every call
   * without a low enough `max_tokens` is refused. `soft_limit_reached`: spent
   * reached the soft limit. `ok` otherwise.
   */
  state: BudgetState;
}

/** The state of a budget in its current period, most severe first. */
export type BudgetState = 'hard_limit_reached' | 'below_call_reservation' | 'soft_limit_reached' | 'ok';

const micros = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const scopeSchema = z
  .strictObject({ type: z.enum(budgetScopeTypes), id: z.string().min(1).max(256).nullable().optional() })
  .refine((scope) => (scope.type === 'account') === (scope.id == null), {
    message: 'an account scope has no id; agent, api_key and model scopes need one',
  });

/** The body of `POST /budgets`. */
export const budgetCreateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    scope: scopeSchema,
    period: z.enum(budgetPeriods),
    hardLimitMicros: micros.nullable().optional(),
    softLimitMicros: micros.nullable().optional(),
  })
  .refine((body) => body.hardLimitMicros != null || body.softLimitMicros != null, {
    message: 'set hardLimitMicros, softLimitMicros or both',
  });

/** The body of `PATCH /budgets/:id`. */
export const budgetUpdateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  period: z.enum(budgetPeriods).optional(),
  hardLimitMicros: micros.nullable().optional(),
  softLimitMicros: micros.nullable().optional(),
});

/** What `POST /budgets` accepts. */
export type BudgetInput = z.input<typeof budgetCreateSchema>;

/** What `PATCH /budgets/:id` accepts. */
export type BudgetUpdate = z.input<typeof budgetUpdateSchema>;
