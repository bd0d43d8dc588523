/**
 * The gateway's shared state in one kernel: providers, the model and budget
 * stores with their caches, the usage writer and the reservation reclaimer.
 * Built by the `gateway()` plugin when the kernel starts; handlers made by
 * `createGateway` share it.
 *
 * @module
 */

import { StoreUnavailableError, type AuditRecordInput, type ModelProvider, type Preloop } from '@preloop/core';
import { createAccountCache, type AccountCache } from '@preloop/core/internal';
import type { Kysely } from 'kysely';
import { createBudgetStore, toBudget, type BudgetStore } from '../budgets/budget-store.js';
import { reclaimExpiredReservations } from '../budgets/budget-ledger.js';
import { defaultReservationBounds, type ReservationBounds } from '../budgets/call-reservation.js';
import type { Budget } from '../budgets/budget-types.js';
import { createModelStore, loadCachedModels, type CachedModels, type ModelStore } from '../models/model-store.js';
import { collectProviders, type ProviderRegistry } from '../models/provider-registry.js';
import { createAuditBuffer } from '../records/audit-buffer.js';
import { createUsageWriter, type UsageWriter } from '../records/usage-writer.js';
import type { GatewayTables } from '../storage/gateway-tables.js';
import { pruneGatewayRecords, resolveRetention, type GatewayPruneResult, type GatewayRetentionOptions } from '../storage/retention.js';
import { gatewayBusChannel, type GatewaySignal } from './gateway-signals.js';

/** Options of the `gateway()` plugin. */
export interface GatewayPluginOptions {
  /** How long model aliases and budgets are cached per instance, in ms (changes also drop caches on every instance through the Bus). @default 30000 */
  cacheTtlMs?: number;
  /** How often expired budget reservations are looked for, in ms; 0 disables. @default 15000 */
  reclaimIntervalMs?: number;
  /** Most usage records written in one transaction. @default 500 */
  usageBatchSize?: number;
  /**
   * How long usage and audit records of model calls gather before they are
   * written together, in ms. A crash loses at most this window of records of
   * calls under no budget (calls under a budget are reclaimed from their
   * reservation). @default 50
   */
  writeIntervalMs?: number;
  /** Model providers to add to those contributed by plugins. @default [] */
  providers?: ModelProvider[];
  /**
   * Calls whose usage and audit records may wait in memory while the database
   * cannot be reached. They are written when it is back; once this many wait,
   * the gateway answers 503 (`STORE_UNAVAILABLE`, with `Retry-After`) to new
   * calls instead of serving calls it could not record. @default 10000
   */
  maxPendingRecords?: number;
  /** Like `maxPendingRecords`, in bytes (an estimate, dominated by captured request and response bodies). @default 67108864 (64 MiB) */
  maxPendingRecordBytes?: number;
  /**
   * How long usage rows, session events and captured bodies are kept, pruned
   * hourly in bounded batches (see {@link GatewayRetentionOptions}).
   * @default { usageDays: 400, capturedBodiesDays: 30 }
   */
  retention?: GatewayRetentionOptions;
}

/** The gateway's state in one kernel: the `gateway()` plugin's service, `preloop.service('gateway')`. */
export interface GatewayRuntime {
  readonly preloop: Preloop;
  readonly db: Kysely<GatewayTables>;
  readonly providers: ProviderRegistry;
  readonly models: ModelStore;
  readonly budgets: BudgetStore;
  readonly writer: UsageWriter;
  /**
   * The reservation bounds of the last gateway handler created on this kernel
   * (8192 output tokens, 2048 fixed input tokens until one is), for `GET /budgets/status`.
   */
  reservationBounds: ReservationBounds;
  /**
   * Queues an audit record, handed to the audit trail after `writeIntervalMs`
   * together with the others queued meanwhile, so they share one
   * group-committed transaction (SQLite runs statements synchronously, so
   * records appended one by one would each get their own). A record the
   * database does not take is kept and retried (see `maxPendingRecords`).
   */
  audit(input: AuditRecordInput): void;
  /** Writes every queued usage and audit record now (retrying while the database cannot be reached). */
  flush(): Promise<void>;
  /**
   * Throws `STORE_UNAVAILABLE` (503) when the buffer of unwritten usage and
   * audit records is full, so a new call is refused rather than served
   * without a record.
   */
  assertCanRecord(): void;
  /** Reclaims expired reservations now (the timer does it periodically). */
  reclaim(now?: number): Promise<number>;
  /** Applies the retention now (the timer does it every `retention.intervalMs`). */
  prune(now?: number): Promise<GatewayPruneResult>;
  close(): Promise<void>;
}

declare module '@preloop/core' {
  interface PreloopServices {
    /** The model gateway's runtime of the `gateway()` plugin. */
    gateway: GatewayRuntime;
  }
}

/**
 * Builds the runtime (called by the plugin's `init`).
 *
 * @example
 * ```ts
 * const runtime = createGatewayRuntime(preloop, {});
 * ```
 */
export function createGatewayRuntime(preloop: Preloop, options: GatewayPluginOptions = {}): GatewayRuntime {
  const db = preloop.db.withTables<GatewayTables>();
  const ttl = options.cacheTtlMs ?? 30_000;
  const providers = collectProviders(preloop.plugins, options.providers);
  const cacheOf = <T>(kind: GatewaySignal['kind'], load: (accountId: string) => Promise<T>) =>
    createAccountCache<T>({ bus: preloop.bus, channel: gatewayBusChannel, kind, ttlMs: ttl, load });
  const modelCache = cacheOf<CachedModels>('models', (accountId) => loadCachedModels(db, accountId));
  const budgetCache = cacheOf<Budget[]>('budgets', async (accountId) =>
    (await db.selectFrom('gateway_budgets').selectAll().where('account_id', '=', accountId).orderBy('name').execute()).map(toBudget),
  );
  const announce = (cache: AccountCache<unknown>) => (accountId: string) =>
    cache.invalidate(accountId).catch((error) => {
      preloop.logger.warn('gateway: could not announce a change on the Bus; other instances catch up within the cache TTL', { error });
    });
  const writeIntervalMs = options.writeIntervalMs ?? 50;
  const maxPending = options.maxPendingRecords ?? 10_000;
  const writer = createUsageWriter({
    db,
    dialect: preloop.dialect,
    events: preloop.events,
    logger: preloop.logger,
    maxBatchSize: options.usageBatchSize,
    flushIntervalMs: writeIntervalMs,
    maxQueue: maxPending,
    maxQueueBytes: options.maxPendingRecordBytes,
  });
  const auditBuffer = createAuditBuffer({ audit: preloop.audit, logger: preloop.logger, intervalMs: writeIntervalMs });
  const recordsFull = (): string | null =>
    writer.full() ??
    (auditBuffer.pending() >= maxPending
      ? `audit records of ${auditBuffer.pending()} calls wait to be written (limit ${maxPending})`
      : null);
  const removeReadiness = preloop.readiness.add('gateway-records', recordsFull);
  const reclaim = async (now = Date.now()) => {
    const count = await reclaimExpiredReservations(db, now);
    if (count > 0) preloop.logger.warn('gateway: reclaimed expired budget reservations (charged in full)', { count });
    return count;
  };
  const interval = options.reclaimIntervalMs ?? 15_000;
  const timer =
    interval > 0
      ? setInterval(
          () => void reclaim().catch((error) => preloop.logger.warn('gateway: reclaiming reservations failed', { error })),
          interval,
        )
      : null;
  timer?.unref();
  const retention = resolveRetention(options.retention);
  // Events before this time had their bodies cleared by an earlier run of this instance (a day of margin for late writes).
  let bodiesFloor = 0;
  const prune = async (now = Date.now()) => {
    const result = await pruneGatewayRecords(db, preloop.dialect, retention, now, bodiesFloor);
    if (retention.capturedBodiesDays !== false && result.bodiesCleared < retention.batchSize * retention.maxBatchesPerRun) {
      bodiesFloor = Math.max(bodiesFloor, now - (retention.capturedBodiesDays + 1) * 86_400_000);
    }
    if (result.bodiesCleared + result.eventsDeleted + result.usageDeleted > 0)
      preloop.logger.info('gateway: retention pruned old records', { ...result });
    return result;
  };
  const pruneTimer =
    retention.intervalMs > 0
      ? setInterval(
          () =>
            void prune().catch((error) => preloop.logger.warn('gateway: retention prune failed; retried at the next interval', { error })),
          retention.intervalMs,
        )
      : null;
  pruneTimer?.unref();

  const runtime: GatewayRuntime = {
    preloop,
    db,
    providers,
    models: createModelStore(preloop, providers, modelCache, announce(modelCache)),
    budgets: createBudgetStore(preloop, budgetCache, announce(budgetCache)),
    writer,
    reservationBounds: defaultReservationBounds,
    audit(input) {
      auditBuffer.write(input);
    },
    async flush() {
      await Promise.all([auditBuffer.flush(), writer.flush()]);
    },
    assertCanRecord() {
      const full = recordsFull();
      if (full) throw new StoreUnavailableError('database', `${full}; new model calls are refused until they are written`);
    },
    reclaim,
    prune,
    async close() {
      if (timer) clearInterval(timer);
      if (pruneTimer) clearInterval(pruneTimer);
      removeReadiness();
      const [audits, usage] = await Promise.all([auditBuffer.close(), writer.close()]);
      if (audits.length > 0 || usage.length > 0) {
        // The process is stopping with the database unreachable: these records cannot be kept. Say so, with what they were.
        preloop.logger.error(
          'gateway: closing with records the database did not accept; they are lost (reserved spend is reclaimed at expiry)',
          {
            usageRecords: usage.map((entry) => ({
              id: entry.record.id,
              accountId: entry.record.accountId,
              alias: entry.record.alias,
              costMicros: entry.record.costMicros,
            })),
            auditRecords: audits.map((input) => ({
              accountId: input.accountId,
              action: input.action,
              target: input.target,
              outcome: input.outcome,
            })),
          },
        );
      }
      modelCache.close();
      budgetCache.close();
    },
  };
  return runtime;
}
