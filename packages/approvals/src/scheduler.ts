import type { EngineContext } from './engine-context.js';
import { advanceRequest } from './transitions.js';

/** Expires and escalates requests on time, on every instance, across restarts. */
export interface Scheduler {
  /** Sweeps once now, then keeps sweeping periodically and at the nearest deadline. */
  start(): Promise<void>;
  /** Makes sure a sweep runs at `deadline` (epoch ms) or earlier. */
  arm(deadline: number): void;
  /** Sweeps now: applies every due escalation and expiry, and every lapsed execution lease, and starts due AI reviews. Returns how many requests it looked at. */
  sweep(): Promise<number>;
  /** Stops the timers and waits for a running sweep. */
  stop(): Promise<void>;
}

const batchSize = 100;
const graceMs = 5;

/**
 * Creates the scheduler. Deadlines live in the database, not in memory, so a
 * restarted server picks them up in its first sweep; several instances may
 * sweep at once because every transition is a conditional update. Between
 * periodic sweeps (`sweepIntervalMs`) a precise timer fires at the nearest
 * deadline known to this instance (its own requests, and others' announced on
 * the Bus).
 *
 * @example
 * ```ts
 * const scheduler = createScheduler(context);
 * await scheduler.start();
 * ```
 */
export function createScheduler(context: EngineContext): Scheduler {
  const { db, options } = context;
  let interval: ReturnType<typeof setInterval> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let timerAt = Number.POSITIVE_INFINITY;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = false;

  const arm = (deadline: number) => {
    if (stopped || !Number.isFinite(deadline) || deadline >= timerAt) return;
    if (timer) clearTimeout(timer);
    timerAt = deadline;
    const delay = Math.min(Math.max(0, deadline - context.now()) + graceMs, options.sweepIntervalMs);
    timer = setTimeout(() => {
      timer = null;
      timerAt = Number.POSITIVE_INFINITY;
      void sweep();
    }, delay);
    timer.unref?.();
  };

  async function sweepOnce(): Promise<number> {
    let seen = 0;
    for (;;) {
      const now = context.now();
      const due = await db
        .selectFrom('approval_requests')
        .select('id')
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb.and([eb('escalate_at', '<=', now), eb('escalated_at', 'is', null)])]))
        .orderBy('id')
        .limit(batchSize)
        .execute();
      for (const { id } of due) {
        if (stopped) return seen;
        await advanceRequest(context, id).catch((error) =>
          context.preloop.logger.warn('approvals: could not advance a due request', { error, id }),
        );
      }
      seen += due.length;
      if (due.length < batchSize || stopped) break;
    }
    // Approved calls whose execution lease lapsed (the instance running them died).
    for (;;) {
      const lapsed = await db
        .selectFrom('approval_requests')
        .select('id')
        .where('status', '=', 'approved')
        .where('execution_lease_expires_at', '<=', context.now())
        .orderBy('id')
        .limit(batchSize)
        .execute();
      for (const { id } of lapsed) {
        if (stopped) return seen;
        await advanceRequest(context, id).catch((error) =>
          context.preloop.logger.warn('approvals: could not apply a lapsed execution lease', { error, id }),
        );
      }
      seen += lapsed.length;
      if (lapsed.length < batchSize || stopped) break;
    }
    // AI reviews due: never started (the process stopped right after creating the request) or whose lease lapsed.
    const reviews = await db
      .selectFrom('approval_requests')
      .select('id')
      .where('status', '=', 'pending')
      .where('ai_review_due_at', '<=', context.now())
      .orderBy('id')
      .limit(batchSize)
      .execute();
    for (const { id } of reviews) if (!stopped) context.startAiReview(id);
    const next = await db
      .selectFrom('approval_requests')
      .select((eb) => [
        eb.fn.min('expires_at').as('expires'),
        eb.fn.min(eb.case().when('escalated_at', 'is', null).then(eb.ref('escalate_at')).end()).as('escalates'),
      ])
      .where('status', '=', 'pending')
      .executeTakeFirst();
    const candidates = [next?.expires, next?.escalates].filter((value) => value !== null && value !== undefined).map(Number);
    if (candidates.length > 0) arm(Math.min(...candidates));
    return seen;
  }

  function sweep(): Promise<number> {
    if (stopped) return Promise.resolve(0);
    if (running) {
      again = true;
      return running;
    }
    running = sweepOnce()
      .catch((error) => {
        context.preloop.logger.warn('approvals: the sweep failed; retrying at the next interval', { error });
        return 0;
      })
      .finally(() => {
        running = null;
        if (again && !stopped) {
          again = false;
          void sweep();
        }
      });
    return running;
  }

  return {
    async start() {
      stopped = false;
      interval = setInterval(() => void sweep(), options.sweepIntervalMs);
      interval.unref?.();
      await sweep();
    },
    arm,
    sweep,
    async stop() {
      stopped = true;
      if (interval) clearInterval(interval);
      if (timer) clearTimeout(timer);
      timer = null;
      await running?.catch(() => {});
    },
  };
}
