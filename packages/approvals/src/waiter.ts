import { PreloopError, type ApprovalOutcome } from '@preloop/core';
import { readRequest, type EngineContext } from './engine-context.js';
import { approvalError } from './errors.js';
import type { ApprovalRequestRow } from './tables.js';
import { advanceRequest } from './transitions.js';
import { toOutcome } from './views.js';

/** Waits on approval requests: woken by Bus signals, re-checked against the database, with a poll and a deadline timer. */
export interface Waiter {
  /** Resolves with the outcome once the request is no longer pending; rejects when `signal` aborts. */
  wait(id: string, options?: { signal?: AbortSignal }): Promise<ApprovalOutcome>;
  /** Wakes the waits on `id` (a Bus message said it changed); they re-read the database. */
  wake(id: string): void;
  /** Rejects every wait with `APPROVALS_CLOSED`. */
  close(): void;
}

const graceMs = 5;

/**
 * Creates the waiter. A wait never trusts a signal alone: every wake-up re-reads
 * the row, so a lost or duplicated Bus message can neither hang nor fool it.
 * Besides Bus wake-ups it re-reads every `pollIntervalMs`, and at the request's
 * deadline it applies the expiry itself (a conditional update, safe with other
 * instances), so it ends on time even when no scheduler runs.
 *
 * @example
 * ```ts
 * const waiter = createWaiter(context);
 * const outcome = await waiter.wait(ticket.id, { signal: AbortSignal.timeout(60_000) });
 * ```
 */
export function createWaiter(context: EngineContext): Waiter {
  const waits = new Map<string, Set<() => void>>();
  const closers = new Set<(error: Error) => void>();
  let closed = false;

  async function wait(id: string, options: { signal?: AbortSignal } = {}): Promise<ApprovalOutcome> {
    if (closed) throw approvalError('APPROVALS_CLOSED', 'The approval engine is closed.');
    options.signal?.throwIfAborted();
    const first = await readRequest(context.db, context.dialect, id);
    if (!first) throw new PreloopError('NOT_FOUND', `No approval request ${id}.`);
    if (first.status !== 'pending') return toOutcome(first);

    return new Promise<ApprovalOutcome>((resolve, reject) => {
      let done = false;
      let checking = false;
      let again = false;
      let deadlineTimer: ReturnType<typeof setTimeout> | null = null;
      let armedFor = 0;
      const set = waits.get(id) ?? new Set<() => void>();
      waits.set(id, set);

      const finish = (error: Error | null, outcome?: ApprovalOutcome) => {
        if (done) return;
        done = true;
        set.delete(check);
        if (set.size === 0) waits.delete(id);
        clearInterval(poll);
        if (deadlineTimer) clearTimeout(deadlineTimer);
        closers.delete(onClose);
        options.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(outcome!);
      };
      const armDeadline = (row: ApprovalRequestRow) => {
        const deadline = row.escalate_at !== null && row.escalated_at === null ? Math.min(row.escalate_at, row.expires_at) : row.expires_at;
        if (deadline === armedFor) return;
        armedFor = deadline;
        if (deadlineTimer) clearTimeout(deadlineTimer);
        const delay = Math.max(0, deadline - context.now()) + graceMs;
        deadlineTimer = setTimeout(
          () => {
            armedFor = 0;
            void advanceRequest(context, id).then(check, check);
          },
          Math.min(delay, 2_147_483_647),
        );
      };
      async function run(): Promise<void> {
        const row = await readRequest(context.db, context.dialect, id);
        if (done) return;
        if (!row) return finish(new PreloopError('NOT_FOUND', `Approval request ${id} disappeared.`));
        if (row.status !== 'pending') return finish(null, toOutcome(row));
        armDeadline(row);
      }
      function check(): void {
        if (done) return;
        if (checking) {
          again = true;
          return;
        }
        checking = true;
        run()
          .catch((error) =>
            context.preloop.logger.warn('approvals: a wait could not re-read its request; retrying on the next poll', { error, id }),
          )
          .finally(() => {
            checking = false;
            if (again && !done) {
              again = false;
              check();
            }
          });
      }
      const onAbort = () =>
        finish(options.signal?.reason instanceof Error ? options.signal.reason : new DOMException('The wait was aborted.', 'AbortError'));
      const onClose = (error: Error) => finish(error);
      const poll = setInterval(check, context.options.pollIntervalMs);
      poll.unref?.();
      set.add(check);
      closers.add(onClose);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) return onAbort();
      armDeadline(first);
      // Re-read once now that we listen: a decision between the first read and the subscription is not missed.
      check();
    });
  }

  return {
    wait,
    wake(id) {
      for (const check of [...(waits.get(id) ?? [])]) check();
    },
    close() {
      closed = true;
      const error = approvalError('APPROVALS_CLOSED', 'The approval engine closed while waiting; the request is unchanged.');
      for (const close of [...closers]) close(error);
    },
  };
}
