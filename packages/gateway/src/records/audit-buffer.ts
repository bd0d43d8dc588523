/**
 * The gateway's buffer of per-call audit records: records gather for
 * `intervalMs` and are handed to the audit trail together (so they share one
 * group-committed transaction; SQLite runs statements synchronously, so
 * records appended one by one would each get their own). A record the audit
 * trail cannot store because the database is unreachable stays in the buffer
 * and is retried until it is written: it is never dropped while the process
 * runs. The buffer's size is reported so the gateway can refuse new calls
 * (503) before it holds more than its bound.
 *
 * @module
 */

import type { AuditRecordInput, AuditTrail, Logger } from '@preloop/core';
import { isStoreUnavailable } from '@preloop/core/internal';

/** Options of {@link createAuditBuffer}. */
export interface AuditBufferOptions {
  audit: Pick<AuditTrail, 'record'>;
  logger: Logger;
  /** How long records gather before they are written, in ms. @default 50 */
  intervalMs?: number;
  /** Records handed to the audit trail at once. @default 500 */
  batchSize?: number;
  /** Wait before retrying records the database refused, in ms. @default 1000 */
  retryDelayMs?: number;
}

/** The buffer (see the module comment). */
export interface AuditBuffer {
  /** Queues one record. */
  write(input: AuditRecordInput): void;
  /** Records not yet written. */
  pending(): number;
  /** Resolves once everything queued so far is written, or (when `giveUp` is set) once an attempt failed. */
  flush(options?: { giveUp?: boolean }): Promise<void>;
  /** Flushes while the database answers; returns the records that could not be written. */
  close(): Promise<AuditRecordInput[]>;
}

/**
 * Creates the audit buffer.
 *
 * @example
 * ```ts
 * const buffer = createAuditBuffer({ audit: preloop.audit, logger: preloop.logger });
 * buffer.write({ accountId, actor: principal, action: 'model.call', target: { type: 'model', id: 'fast' }, outcome: 'success' });
 * await buffer.flush();
 * ```
 */
export function createAuditBuffer(options: AuditBufferOptions): AuditBuffer {
  const { audit, logger } = options;
  const intervalMs = options.intervalMs ?? 50;
  const batchSize = options.batchSize ?? 500;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  let queue: AuditRecordInput[] = [];
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<boolean> | null = null;

  /** Writes what is queued; false when the database refused some records (they are back in the queue). */
  const writeQueued = async (): Promise<boolean> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      queue = queue.slice(batch.length);
      const results = await Promise.allSettled(batch.map((input) => audit.record(input)));
      const retry: AuditRecordInput[] = [];
      results.forEach((result, index) => {
        if (result.status === 'fulfilled') return;
        if (isStoreUnavailable(result.reason)) retry.push(batch[index]!);
        else logger.error('gateway: audit record refused by the audit trail', { error: result.reason, action: batch[index]!.action });
      });
      if (retry.length > 0) {
        queue = [...retry, ...queue];
        logger.warn('gateway: audit records could not be written (database unavailable); kept and retried', {
          records: retry.length,
          pending: queue.length,
        });
        return false;
      }
    }
    return true;
  };
  const start = (): Promise<boolean> => {
    if (timer) clearTimeout(timer);
    timer = null;
    running ??= writeQueued().finally(() => {
      running = null;
    });
    return running;
  };
  const schedule = (delay: number) => {
    if (timer || running) return;
    timer = setTimeout(() => {
      timer = null;
      void start().then((done) => {
        if (!done) schedule(retryDelayMs);
        else if (queue.length > 0) schedule(intervalMs);
      });
    }, delay);
    timer.unref?.();
  };

  return {
    write(input) {
      queue.push(input);
      if (queue.length >= batchSize && !running) void start().then((done) => schedule(done ? intervalMs : retryDelayMs));
      else schedule(intervalMs);
    },
    pending: () => queue.length,
    async flush(flushOptions = {}) {
      while (running || queue.length > 0) {
        const done = await (running ?? start());
        if (!done) {
          if (flushOptions.giveUp) return;
          await new Promise<void>((resolve) => setTimeout(resolve, retryDelayMs).unref?.());
        }
      }
    },
    async close() {
      if (timer) clearTimeout(timer);
      timer = null;
      await this.flush({ giveUp: true });
      const left = queue;
      queue = [];
      return left;
    },
  };
}
