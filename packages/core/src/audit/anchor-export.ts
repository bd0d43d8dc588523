import type { Kysely } from 'kysely';
import type { Logger } from '../logger.js';
import type { KernelTables } from '../storage/schema.js';
import type { AnchoredCheckpoint, AuditAnchorSink } from './anchor-sink.js';

/** The outcome of one export pass. */
export interface AnchorExportResult {
  /** Checkpoints written to a sink in this pass. */
  exported: number;
  /** Checkpoints still not received by some sink (their sink failed; retried later). */
  pending: number;
}

/** Exports signed checkpoints to the anchor sinks, durably. */
export interface AnchorExporter {
  /** Runs an export pass now (or joins the running one, then runs again) and resolves when it is done; never rejects. */
  flush(): Promise<AnchorExportResult>;
  /** Starts a pass in the background (after new checkpoints, on startup). */
  kick(): void;
  /** Stops retries, runs a last pass (waiting at most `timeoutMs`) and closes the sinks. */
  close(timeoutMs: number): Promise<void>;
}

const batchSize = 200;
const maxRetryDelayMs = 60_000;

/**
 * Creates the exporter that ships every signed checkpoint to each anchor sink.
 * The database remembers per sink which checkpoint (id and signature) it has
 * received (`audit_anchor_exports`), so checkpoints signed while a sink was
 * down, before a restart, or re-signed after a key rotation are exported on
 * the next pass. A failing sink never breaks a request: the failure is logged
 * and the pass is retried with backoff (1 s, doubling, at most 60 s).
 *
 * @example
 * ```ts
 * const exporter = createAnchorExporter({ db, sinks: [createFileAnchorSink({ path })], logger });
 * exporter.kick();
 * ```
 */
export function createAnchorExporter(options: {
  db: Kysely<KernelTables>;
  sinks: readonly AuditAnchorSink[];
  logger: Logger;
}): AnchorExporter {
  const { db } = options;
  const { sinks, logger } = options;
  let running: Promise<AnchorExportResult> | null = null;
  let again: Promise<AnchorExportResult> | null = null;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let closed = false;

  const exportTo = async (sink: AuditAnchorSink): Promise<{ exported: number; failed: boolean }> => {
    let exported = 0;
    for (;;) {
      const pending = await db
        .selectFrom('audit_checkpoints as c')
        .selectAll('c')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('audit_anchor_exports as e')
                .select('e.checkpoint_id')
                .where('e.sink', '=', sink.name)
                .whereRef('e.checkpoint_id', '=', 'c.id')
                .whereRef('e.signature', '=', 'c.signature'),
            ),
          ),
        )
        .orderBy('c.account_id')
        .orderBy('c.seq')
        .orderBy('c.id')
        .limit(batchSize)
        .execute();
      for (const row of pending) {
        const checkpoint: AnchoredCheckpoint = {
          v: 1,
          id: row.id,
          accountId: row.account_id,
          seq: Number(row.seq),
          hash: row.hash,
          keyId: row.key_id,
          signature: row.signature,
          time: Number(row.time),
        };
        try {
          await sink.write(checkpoint);
        } catch (error) {
          logger.warn('audit anchor export failed; will retry', {
            anchor: sink.name,
            checkpointId: row.id,
            error: (error as Error).message,
          });
          return { exported, failed: true };
        }
        await db
          .insertInto('audit_anchor_exports')
          .values({ sink: sink.name, checkpoint_id: row.id, signature: row.signature, exported_at: Date.now() })
          .onConflict((conflict) => conflict.columns(['sink', 'checkpoint_id', 'signature']).doNothing())
          .execute();
        exported++;
      }
      if (pending.length < batchSize) return { exported, failed: false };
    }
  };

  const pass = async (): Promise<AnchorExportResult> => {
    let exported = 0;
    let failed = false;
    for (const sink of sinks) {
      try {
        const result = await exportTo(sink);
        exported += result.exported;
        failed ||= result.failed;
      } catch (error) {
        // The database itself failed (for example it is restarting): retried like a sink failure.
        logger.warn('audit anchor export failed; will retry', { anchor: sink.name, error: (error as Error).message });
        failed = true;
      }
    }
    const pending = failed ? await countPending().catch(() => 1) : 0;
    if (failed && !closed) scheduleRetry();
    else failures = 0;
    return { exported, pending };
  };

  const countPending = async (): Promise<number> => {
    let total = 0;
    for (const sink of sinks) {
      const { count } = await db
        .selectFrom('audit_checkpoints as c')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('audit_anchor_exports as e')
                .select('e.checkpoint_id')
                .where('e.sink', '=', sink.name)
                .whereRef('e.checkpoint_id', '=', 'c.id')
                .whereRef('e.signature', '=', 'c.signature'),
            ),
          ),
        )
        .executeTakeFirstOrThrow();
      total += Number(count);
    }
    return total;
  };

  const scheduleRetry = () => {
    if (retryTimer) return;
    const delay = Math.min(maxRetryDelayMs, 1000 * 2 ** Math.min(failures, 6));
    failures++;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void flush();
    }, delay);
    retryTimer.unref?.();
  };

  const flush = (): Promise<AnchorExportResult> => {
    if (sinks.length === 0) return Promise.resolve({ exported: 0, pending: 0 });
    if (running) {
      // Checkpoints signed while a pass runs may have been missed by it: run once more after it.
      again ??= running.then(() => {
        again = null;
        return flush();
      });
      return again;
    }
    running = pass().finally(() => {
      running = null;
    });
    return running;
  };

  return {
    flush,
    kick() {
      if (!closed) void flush();
    },
    async close(timeoutMs) {
      closed = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      if (sinks.length > 0) {
        // A last pass, so checkpoints signed just before shutdown are anchored now rather than on the next start.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
        clearTimeout(timer);
      }
      for (const sink of sinks) await sink.close?.().catch(() => {});
    },
  };
}
