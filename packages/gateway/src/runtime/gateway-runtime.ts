/**
 * The gateway's shared state in one kernel: providers, the model and budget
 * stores with their caches, the usage writer and the reservation reclaimer.
 * Built by the `gateway()` plugin when the kernel starts; handlers made by
 * `createGateway` share it.
 *
 * @module
 */

import { createAccountCache, PreloopError, type AccountCache, type AuditRecordInput, type ModelProvider, type Preloop } from '@preloop/core';
import type { Kysely } from 'kysely';
import { createBudgetStore, toBudget, type BudgetStore } from '../budgets/budget-store.js';
import { reclaimExpiredReservations } from '../budgets/budget-ledger.js';
import type { Budget } from '../budgets/budget-types.js';
import { createModelStore, loadCachedModels, type CachedModels, type ModelStore } from '../models/model-store.js';
import { collectProviders, type ProviderRegistry } from '../models/provider-registry.js';
import { createUsageWriter, type UsageWriter } from '../records/usage-writer.js';
import type { GatewayTables } from '../storage/gateway-tables.js';
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
}

/** The gateway's state in one kernel. */
export interface GatewayRuntime {
  readonly preloop: Preloop;
  readonly db: Kysely<GatewayTables>;
  readonly providers: ProviderRegistry;
  readonly models: ModelStore;
  readonly budgets: BudgetStore;
  readonly writer: UsageWriter;
  /**
   * Queues an audit record, handed to the audit trail after `writeIntervalMs`
   * together with the others queued meanwhile, so they share one
   * group-committed transaction (SQLite runs statements synchronously, so
   * records appended one by one would each get their own). Failures are logged.
   */
  audit(input: AuditRecordInput): void;
  /** Writes every queued usage and audit record now. */
  flush(): Promise<void>;
  /** Reclaims expired reservations now (the timer does it periodically). */
  reclaim(now?: number): Promise<number>;
  close(): Promise<void>;
}

const runtimes = new WeakMap<Preloop, GatewayRuntime>();

/**
 * The gateway runtime of a kernel; a `CONFIGURATION_ERROR` when the
 * `gateway()` plugin is not installed.
 *
 * @example
 * ```ts
 * const runtime = getGatewayRuntime(preloop);
 * await runtime.models.list(preloop.accountId);
 * ```
 */
export function getGatewayRuntime(preloop: Preloop): GatewayRuntime {
  const runtime = runtimes.get(preloop);
  if (!runtime) {
    throw new PreloopError('CONFIGURATION_ERROR', '@preloop/gateway needs its plugin: createPreloop({ plugins: [gateway(), openai(), …] }) before createGateway(preloop).');
  }
  return runtime;
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
  const db = preloop.db as Kysely<GatewayTables>;
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
  const writer = createUsageWriter({ db, dialect: preloop.dialect, events: preloop.events, logger: preloop.logger, maxBatchSize: options.usageBatchSize, flushIntervalMs: writeIntervalMs });
  const reclaim = async (now = Date.now()) => {
    const count = await reclaimExpiredReservations(db, now);
    if (count > 0) preloop.logger.warn('gateway: reclaimed expired budget reservations (charged in full)', { count });
    return count;
  };
  let pendingAudit: AuditRecordInput[] = [];
  let auditTimer: NodeJS.Timeout | null = null;
  const flushAudit = () => {
    if (auditTimer) clearTimeout(auditTimer);
    auditTimer = null;
    const batch = pendingAudit;
    pendingAudit = [];
    return Promise.all(
      batch.map((input) => preloop.audit.record(input).catch((error) => preloop.logger.warn('gateway: audit record failed', { error, action: input.action }))),
    );
  };
  const interval = options.reclaimIntervalMs ?? 15_000;
  const timer =
    interval > 0
      ? setInterval(() => void reclaim().catch((error) => preloop.logger.warn('gateway: reclaiming reservations failed', { error })), interval)
      : null;
  timer?.unref();

  const runtime: GatewayRuntime = {
    preloop,
    db,
    providers,
    models: createModelStore(preloop, providers, modelCache, announce(modelCache)),
    budgets: createBudgetStore(preloop, budgetCache, announce(budgetCache)),
    writer,
    audit(input) {
      if (pendingAudit.push(input) === 1) {
        auditTimer = setTimeout(() => void flushAudit(), writeIntervalMs);
        auditTimer.unref?.();
      } else if (pendingAudit.length >= 500) void flushAudit();
    },
    async flush() {
      await Promise.all([flushAudit(), writer.flush()]);
    },
    reclaim,
    async close() {
      if (timer) clearInterval(timer);
      await flushAudit();
      await writer.close();
      modelCache.close();
      budgetCache.close();
      runtimes.delete(preloop);
    },
  };
  runtimes.set(preloop, runtime);
  return runtime;
}
