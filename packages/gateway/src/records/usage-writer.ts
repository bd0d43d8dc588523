/**
 * The usage writer: stores usage records, gateway events and budget
 * settlements in group-committed batches, off the request path: records
 * gather for `flushIntervalMs` (or until a batch is full) and are written in
 * one transaction; a call that settles a budget reservation is written on the
 * next turn, so the headroom it held is released at once.
 *
 * Durability: a call under a budget holds a reservation row written before
 * the upstream call; if this instance stops before the batch commits, the
 * reservation expires and is reclaimed (charged in full, with an `abandoned`
 * record), so spend is never lost. Calls under no budget lose at most the
 * records of the batch being gathered (`flushIntervalMs`, 50 ms by default)
 * on a crash; `close()` flushes everything on a clean shutdown.
 *
 * Database outages: a batch that cannot be written stays queued and is
 * retried every `retryDelayMs` until the database is back; nothing is
 * dropped. The queue reports its size ({@link UsageWriter.pending}) so the
 * gateway refuses new calls (503) once it holds `maxQueue` calls or
 * `maxQueueBytes` bytes; calls already running when it fills still queue
 * their records.
 *
 * @module
 */

import type { DialectName, Logger, PreloopEvents } from '@preloop/core';
import type { Kysely } from 'kysely';
import { settleReservations, type Settlement, type SoftLimitCrossing } from '../budgets/budget-ledger.js';
import type { GatewayEventRow, GatewayTables, GatewayUsageRow } from '../storage/gateway-tables.js';
import { bulkInsert } from './bulk-insert.js';
import { toUsageRow, type UsageRecord } from './usage-record.js';
import './gateway-event-map.js';

const usageColumns = [
  'id',
  'account_id',
  'time',
  'principal_type',
  'principal_id',
  'user_id',
  'api_key_id',
  'agent_id',
  'runtime_session_id',
  'alias',
  'provider',
  'upstream_model',
  'operation',
  'streamed',
  'status',
  'http_status',
  'error_code',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_micros',
  'cost_source',
  'usage_estimated',
  'latency_ms',
  'ttfb_ms',
  'fallback_from',
] as const satisfies ReadonlyArray<keyof GatewayUsageRow>;

const eventColumns = [
  'id',
  'account_id',
  'runtime_session_id',
  'usage_id',
  'time',
  'alias',
  'status',
  'summary',
  'request_body',
  'response_body',
] as const satisfies ReadonlyArray<keyof GatewayEventRow>;

/** One call's writes. */
export interface UsageWrite {
  record: UsageRecord;
  /** The budget reservation to settle (or release), if the call held one. */
  settlement: Settlement | null;
  /** The gateway event for the call's runtime session, if it has one. */
  event: GatewayEventRow | null;
}

/** Options of {@link createUsageWriter}. */
export interface UsageWriterOptions {
  db: Kysely<GatewayTables>;
  dialect: DialectName;
  events: PreloopEvents;
  logger: Logger;
  /** Most calls written in one transaction. @default 500 */
  maxBatchSize?: number;
  /** Calls whose records may wait in memory while the database fails; past it the gateway refuses new calls (503). @default 10000 */
  maxQueue?: number;
  /** Bytes (an estimate of the records' size) that may wait in memory while the database fails; past it the gateway refuses new calls (503). @default 67108864 (64 MiB) */
  maxQueueBytes?: number;
  /** Wait before retrying a failed batch, in ms. @default 1000 */
  retryDelayMs?: number;
  /**
   * How long records gather before a batch is written, in ms (a full batch is
   * written at once). Longer intervals write fewer, larger transactions; a
   * crash loses at most this window of records of calls under no budget.
   * @default 50
   */
  flushIntervalMs?: number;
}

/** The batching writer. */
export interface UsageWriter {
  /** Queues one call's writes; they are committed within milliseconds. */
  write(entry: UsageWrite): void;
  /** Calls (and the estimated bytes of their records) queued but not yet committed. */
  pending(): { calls: number; bytes: number };
  /** Why the queue takes no more calls (it holds `maxQueue` calls or `maxQueueBytes` bytes), or null. */
  full(): string | null;
  /** Resolves once everything queued so far is committed (retrying while the database fails). */
  flush(): Promise<void>;
  /** Writes what the database accepts, then refuses new writes; returns the calls that could not be written. */
  close(): Promise<UsageWrite[]>;
}

/** A cheap estimate of one call's records in memory, in bytes (the bodies captured on a gateway event dominate). */
function sizeOf(entry: UsageWrite): number {
  return (
    1024 +
    (entry.event ? (entry.event.request_body?.length ?? 0) + (entry.event.response_body?.length ?? 0) + entry.event.summary.length : 0)
  );
}

/**
 * Creates the usage writer.
 *
 * @example
 * ```ts
 * const writer = createUsageWriter({ db, events: preloop.events, logger: preloop.logger });
 * writer.write({ record, settlement: null, event: null });
 * await writer.flush();
 * ```
 */
export function createUsageWriter(options: UsageWriterOptions): UsageWriter {
  const { db, events, logger } = options;
  const maxBatchSize = options.maxBatchSize ?? 500;
  const maxQueue = options.maxQueue ?? 10_000;
  const maxQueueBytes = options.maxQueueBytes ?? 64 * 1024 * 1024;
  let queuedBytes = 0;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const flushIntervalMs = options.flushIntervalMs ?? 50;
  let queue: UsageWrite[] = [];
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closing = false;
  let closed = false;

  const commit = async (batch: UsageWrite[]): Promise<SoftLimitCrossing[]> =>
    db.transaction().execute(async (trx) => {
      await bulkInsert(
        trx,
        options.dialect,
        'gateway_usage',
        usageColumns,
        batch.map((entry) => toUsageRow(entry.record)),
      );
      await bulkInsert(
        trx,
        options.dialect,
        'gateway_events',
        eventColumns,
        batch.flatMap((entry) => (entry.event ? [entry.event] : [])),
      );
      // Last, so the budget rows it locks are held only until the commit that follows.
      return settleReservations(
        trx,
        batch.flatMap((entry) => (entry.settlement ? [entry.settlement] : [])),
      );
    });

  const announce = (batch: UsageWrite[], crossings: SoftLimitCrossing[]) => {
    for (const { record } of batch) {
      events.emit('gateway-usage-recorded', {
        accountId: record.accountId,
        usageId: record.id,
        alias: record.alias,
        status: record.status,
        costMicros: record.costMicros,
        runtimeSessionId: record.runtimeSessionId,
        provider: record.provider,
        errorCode: record.errorCode,
        inputTokens: record.inputTokens,
        outputTokens: record.outputTokens,
      });
    }
    for (const crossing of crossings) {
      const owner = batch.find((entry) => entry.settlement?.reservation.windows.some(([budgetId]) => budgetId === crossing.budgetId));
      events.emit('gateway-budget-soft-limit', { accountId: owner?.record.accountId ?? '', ...crossing });
    }
  };

  const drain = async () => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatchSize);
      try {
        const crossings = await commit(batch);
        queue = queue.slice(batch.length);
        for (const entry of batch) queuedBytes -= sizeOf(entry);
        announce(batch, crossings);
      } catch (error) {
        logger.error('gateway: usage records could not be written; kept and retried', {
          error,
          records: batch.length,
          pending: queue.length,
        });
        // Shutting down: no more retries; close() reports what is left.
        if (closing) return;
        await new Promise<void>((resolve) => setTimeout(resolve, retryDelayMs).unref?.());
      }
    }
  };

  const start = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    running ??= drain().finally(() => {
      running = null;
      urgent = queue.some((entry) => entry.settlement !== null);
      if (queue.length > 0) schedule();
    });
    return running;
  };
  let urgent = false;
  const schedule = () => {
    if (running) return;
    if (queue.length >= maxBatchSize || flushIntervalMs <= 0) {
      void start();
      return;
    }
    if (timer && !urgent) return;
    // A settlement releases budget headroom held by a finished call: write it on the next turn, not after the interval.
    const delay = urgent ? 0 : flushIntervalMs;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      urgent = false;
      void start();
    }, delay);
    timer.unref?.();
  };

  return {
    write(entry) {
      if (closed) {
        logger.warn('gateway: usage record after close was dropped', { usageId: entry.record.id });
        return;
      }
      queue.push(entry);
      queuedBytes += sizeOf(entry);
      if (entry.settlement && !urgent) {
        urgent = true;
        if (timer) {
          clearTimeout(timer);
          timer = null;
        }
      }
      if (queue.length >= maxBatchSize && !running) void start();
      else schedule();
    },
    pending: () => ({ calls: queue.length, bytes: queuedBytes }),
    full() {
      if (queue.length >= maxQueue) return `usage records of ${queue.length} calls wait to be written (limit ${maxQueue} calls)`;
      if (queuedBytes >= maxQueueBytes) return `${queuedBytes} bytes of usage records wait to be written (limit ${maxQueueBytes} bytes)`;
      return null;
    },
    async flush() {
      while (running || queue.length > 0) await (running ?? start());
    },
    async close() {
      closing = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await (running ?? start());
      closed = true;
      const left = queue;
      queue = [];
      queuedBytes = 0;
      return left;
    },
  };
}
