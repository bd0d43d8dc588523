/**
 * Budget periods: calendar days, ISO weeks (Monday first) and months, in UTC.
 *
 * @module
 */

/** The periods a budget can reset over. */
export const budgetPeriods = ['day', 'week', 'month'] as const;

/** A budget period. */
export type BudgetPeriod = (typeof budgetPeriods)[number];

const dayMs = 86_400_000;

/**
 * The start (epoch ms, UTC) of the period containing `time`.
 *
 * @example
 * ```ts
 * periodStart('month', Date.UTC(2026, 4, 17, 12)); // Date.UTC(2026, 4, 1)
 * ```
 */
export function periodStart(period: BudgetPeriod, time: number): number {
  const date = new Date(time);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (period === 'day') return day;
  if (period === 'week') return day - ((date.getUTCDay() + 6) % 7) * dayMs;
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/**
 * The end (exclusive, epoch ms, UTC) of the period that starts at `start`.
 *
 * @example
 * ```ts
 * periodEnd('day', Date.UTC(2026, 0, 31)); // Date.UTC(2026, 1, 1)
 * ```
 */
export function periodEnd(period: BudgetPeriod, start: number): number {
  if (period === 'day') return start + dayMs;
  if (period === 'week') return start + 7 * dayMs;
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}
