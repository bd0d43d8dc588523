import type { Preloop } from '@preloop/core';
import './approval-events.js';
import type { ApprovalTables } from './tables.js';

/** How long a scrape reuses the count of pending approvals before asking the database again. */
const pendingCacheMs = 5_000;

/**
 * Registers the approval engine's metrics on `preloop.metrics`: pending approval requests
 * (a gauge counted in the database at scrape time, across every instance; cached for 5 s, dropped at once by a change on this instance),
 * open deliveries of the notification outbox (counted in the database at scrape time),
 * deliveries this instance is sending now, and
 * notifier failures by notifier. Called once per kernel by the `approvals()` plugin;
 * `source.inFlight` is read at scrape time (so it may follow a rebuilt engine).
 *
 * @example
 * ```ts
 * registerApprovalMetrics(preloop, { inFlight: () => built?.inFlight() ?? 0 });
 * ```
 */
export function registerApprovalMetrics(preloop: Preloop, source: { inFlight: () => number }): void {
  const db = preloop.db.withTables<ApprovalTables>();
  let cached: { at: number; count: number } | null = null;
  // A change on this instance is seen at the next scrape; one on another instance within the cache time.
  const forget = () => {
    if (cached) cached.at = 0;
  };
  preloop.events.on('approval-created', forget);
  preloop.events.on('approval-updated', forget);
  preloop.metrics.gauge({
    name: 'preloop_approvals_pending',
    help: 'Approval requests waiting for a decision (all accounts, all instances; counted in the database at scrape time, at most 5 s old).',
    async collect() {
      if (!cached || Date.now() - cached.at > pendingCacheMs) {
        try {
          const row = await db
            .selectFrom('approval_requests')
            .select((eb) => eb.fn.countAll<number | string>().as('count'))
            .where('status', '=', 'pending')
            .executeTakeFirst();
          cached = { at: Date.now(), count: Number(row?.count ?? 0) };
        } catch {
          // A database that cannot be reached leaves the last known count (and readiness reports the outage).
          if (!cached) return;
        }
      }
      this.set(cached.count);
    },
  });
  preloop.metrics.gauge({
    name: 'preloop_approval_deliveries_open',
    help: 'Approval notification deliveries not yet sent, failed or given up (the outbox: planned, pending, sending or held for a digest; all instances, counted in the database at scrape time).',
    async collect() {
      try {
        const row = await db
          .selectFrom('approval_deliveries')
          .select((eb) => eb.fn.countAll<number | string>().as('count'))
          .where('status', 'in', ['planned', 'pending', 'sending', 'held'])
          .executeTakeFirst();
        this.set(Number(row?.count ?? 0));
      } catch {
        // A database that cannot be reached leaves the last value (and readiness reports the outage).
      }
    },
  });
  preloop.metrics.gauge({
    name: 'preloop_approval_notifications_in_flight',
    help: 'Approval notification deliveries this instance is sending now (the outbox itself is in the database: preloop_approval_deliveries_open).',
    collect() {
      this.set(source.inFlight());
    },
  });
  const failures = preloop.metrics.counter({
    name: 'preloop_approval_notifier_failures_total',
    help: 'Notifications a notifier failed to deliver after every attempt, by notifier.',
    labelNames: ['notifier'],
  });
  preloop.events.on('approval-notifier-failed', ({ notifierId }) => failures.inc({ notifier: notifierId }));
}
