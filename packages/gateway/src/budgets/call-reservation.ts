/**
 * The smallest reservation a call without an output limit makes under a
 * budget, so `GET /budgets/status` can say when a budget's remaining amount
 * is below it (every such call is then refused, although the limit is not
 * reached).
 *
 * @module
 */

import type { Preloop } from '@preloop/core';
import { reservationMicros } from '../calls/reservation-estimate.js';
import type { GatewayBudgetOptions } from '../http/gateway-options.js';
import type { ModelAlias } from '../models/model-alias.js';
import { findModelPrices } from '../usage/price-table.js';
import type { Budget } from './budget-types.js';

/** The reservation bounds a gateway handler uses. */
export type ReservationBounds = Required<Pick<GatewayBudgetOptions, 'defaultMaxOutputTokens' | 'fixedInputTokens'>>;

/** The reservation bounds before a gateway handler is created: 8192 output tokens, 2048 fixed input tokens. */
export const defaultReservationBounds: Readonly<ReservationBounds> = Object.freeze({
  defaultMaxOutputTokens: 8192,
  fixedInputTokens: 2048,
});

/**
 * The reservation bounds of the last gateway handler created on `preloop`, or
 * {@link defaultReservationBounds} when none was created. `SERVICE_NOT_REGISTERED`
 * without the `gateway()` plugin.
 *
 * @example
 * ```ts
 * reservationBoundsOf(preloop).defaultMaxOutputTokens; // 8192
 * ```
 */
export function reservationBoundsOf(preloop: Preloop): ReservationBounds {
  return preloop.service('gateway').reservationBounds;
}

/**
 * For each budget, the reservation of the smallest call without an output
 * limit (`fixedInputTokens` of input, `defaultMaxOutputTokens` of output) on
 * the cheapest priced alias the budget covers: a model budget its alias,
 * any other budget every alias of the account. Null when no covered alias is
 * priced.
 *
 * @example
 * ```ts
 * const reservationOf = callReservations(await runtime.models.list(accountId), reservationBoundsOf(preloop));
 * reservationOf(budget); // 43_520 for claude-haiku-4-5 at the default bounds
 * ```
 */
export function callReservations(aliases: readonly ModelAlias[], bounds: ReservationBounds): (budget: Budget) => number | null {
  const byAlias = new Map<string, number | null>();
  for (const alias of aliases) {
    const prices = alias.prices ?? findModelPrices(alias.model);
    byAlias.set(alias.alias, prices ? reservationMicros(prices, 0, null, bounds.defaultMaxOutputTokens, bounds.fixedInputTokens) : null);
  }
  const cheapest = (amounts: Iterable<number | null | undefined>) => {
    let smallest: number | null = null;
    for (const amount of amounts) if (amount != null && (smallest === null || amount < smallest)) smallest = amount;
    return smallest;
  };
  const anyAlias = cheapest(byAlias.values());
  return (budget) => (budget.scope.type === 'model' ? (byAlias.get(budget.scope.id ?? '') ?? null) : anyAlias);
}
