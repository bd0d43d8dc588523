/**
 * Retention of the gateway's per-call records: captured request and response
 * bodies, then session events and usage rows, deleted in bounded batches.
 * Budget windows and reservations (what enforcement reads) are never touched.
 *
 * @module
 */

import { PreloopError, type DialectName } from '@preloop/core';
import type { Kysely } from 'kysely';
import type { GatewayTables } from './gateway-tables.js';

/** How long the gateway keeps what it records per model call (option `retention` of `gateway()`). */
export interface GatewayRetentionOptions {
  /**
   * Days a call's usage row and its session event are kept; `false` keeps
   * them forever. Budgets do not read usage rows (they keep their own
   * per-period windows), so this never changes enforcement; it bounds the
   * usage list and summary. @default 400
   */
  usageDays?: number | false;
  /**
   * Days captured request and response bodies are kept; afterwards they are
   * cleared and the event keeps its summary (the usage row keeps every
   * number). `false` keeps them as long as the event. @default 30
   */
  capturedBodiesDays?: number | false;
  /** How often the prune runs, in ms; 0 disables the timer (call `runtime.prune()` yourself). @default 3600000 (1 hour) */
  intervalMs?: number;
  /** Rows changed per statement (each its own short transaction). @default 1000 */
  batchSize?: number;
  /** Most statements per table in one run; the rest waits for the next run. @default 200 */
  maxBatchesPerRun?: number;
}

/** What one prune run changed. */
export interface GatewayPruneResult {
  /** Events whose captured bodies were cleared. */
  bodiesCleared: number;
  /** Session events deleted. */
  eventsDeleted: number;
  /** Usage rows deleted. */
  usageDeleted: number;
}

/** Retention with its defaults applied and checked. */
export type ResolvedRetention = Required<GatewayRetentionOptions>;

const dayMs = 86_400_000;

/**
 * Applies the defaults and checks the options; a bad value is a
 * `CONFIGURATION_ERROR` naming the option.
 *
 * @example
 * ```ts
 * const retention = resolveRetention({ usageDays: 90 }); // capturedBodiesDays 30, hourly
 * ```
 */
export function resolveRetention(options: GatewayRetentionOptions = {}): ResolvedRetention {
  const days = (name: 'usageDays' | 'capturedBodiesDays', fallback: number): number | false => {
    const value = options[name] ?? fallback;
    if (value === false) return false;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        `gateway retention.${name}: a positive number of days, or false to keep forever (got ${String(value)}).`,
      );
    }
    return value;
  };
  const whole = (name: 'intervalMs' | 'batchSize' | 'maxBatchesPerRun', fallback: number, min: number): number => {
    const value = options[name] ?? fallback;
    if (!Number.isSafeInteger(value) || value < min)
      throw new PreloopError('CONFIGURATION_ERROR', `gateway retention.${name}: a whole number ≥ ${min} (got ${String(value)}).`);
    return value;
  };
  return {
    usageDays: days('usageDays', 400),
    capturedBodiesDays: days('capturedBodiesDays', 30),
    intervalMs: whole('intervalMs', 3_600_000, 0),
    batchSize: whole('batchSize', 1000, 1),
    maxBatchesPerRun: whole('maxBatchesPerRun', 200, 1),
  };
}

/**
 * One prune run: clears captured bodies older than `capturedBodiesDays`, then
 * deletes session events and usage rows older than `usageDays`, each in
 * statements of at most `batchSize` rows. Several instances may run it at
 * once: on PostgreSQL each batch skips rows another instance holds (`FOR
 * UPDATE SKIP LOCKED`), on SQLite batches take turns on the write lock.
 *
 * @example
 * ```ts
 * const { usageDeleted } = await pruneGatewayRecords(db, 'sqlite', resolveRetention({ usageDays: 90 }));
 * ```
 */
export async function pruneGatewayRecords(
  db: Kysely<GatewayTables>,
  dialect: DialectName,
  retention: ResolvedRetention,
  now: number = Date.now(),
  /** Clear bodies only of events at or after this time (those before were cleared by an earlier run). */
  bodiesFloor = 0,
): Promise<GatewayPruneResult> {
  const result: GatewayPruneResult = { bodiesCleared: 0, eventsDeleted: 0, usageDeleted: 0 };
  const { batchSize, maxBatchesPerRun } = retention;
  const repeat = async (batch: () => Promise<number>): Promise<number> => {
    let total = 0;
    for (let run = 0; run < maxBatchesPerRun; run++) {
      const changed = await batch();
      total += changed;
      if (changed < batchSize) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  };
  const lock = <Q extends { forUpdate(): Q; skipLocked(): Q }>(query: Q): Q =>
    dialect === 'postgres' ? query.forUpdate().skipLocked() : query;

  const usageCutoff = retention.usageDays === false ? 0 : now - retention.usageDays * dayMs;
  if (retention.capturedBodiesDays !== false) {
    const cutoff = now - retention.capturedBodiesDays * dayMs;
    // Events past the usage retention are deleted below: clearing their bodies first would be wasted writes.
    const floor = Math.max(bodiesFloor, usageCutoff);
    result.bodiesCleared = await repeat(async () => {
      const ids = lock(
        db
          .selectFrom('gateway_events')
          .select('id')
          .where('time', '<', cutoff)
          .where('time', '>=', floor)
          .where((eb) => eb.or([eb('request_body', 'is not', null), eb('response_body', 'is not', null)]))
          .limit(batchSize),
      );
      const updated = await db
        .updateTable('gateway_events')
        .set({ request_body: null, response_body: null })
        .where('id', 'in', ids)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows);
    });
  }
  if (retention.usageDays !== false) {
    const cutoff = usageCutoff;
    for (const table of ['gateway_events', 'gateway_usage'] as const) {
      const deleted = await repeat(async () => {
        const ids = lock(db.selectFrom(table).select('id').where('time', '<', cutoff).limit(batchSize));
        const removed = await db.deleteFrom(table).where('id', 'in', ids).executeTakeFirst();
        return Number(removed.numDeletedRows);
      });
      if (table === 'gateway_events') result.eventsDeleted = deleted;
      else result.usageDeleted = deleted;
    }
  }
  return result;
}
