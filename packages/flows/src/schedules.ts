import type { Preloop } from '@preloop/core';
import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import type { Flow } from './flow-store.js';
import type { FlowTables } from './tables.js';

/** Ticks one check fires at most per flow (a long pause does not start a burst). */
const maximumTicksPerCheck = 5;

/**
 * The schedule trigger: on every check, each enabled flow's cron schedules
 * (in their time zones, via croner) are walked from the last check to now,
 * and each due tick is claimed in the database (UNIQUE (flow, scheduled
 * time)), so one instance fires it, once. Ticks missed while no instance ran
 * are not fired afterwards. The clock is injectable for tests.
 *
 * @example
 * ```ts
 * const scheduler = createScheduler({ db, now, instanceId, flows: () => store.enabled(), fire });
 * await scheduler.check();
 * ```
 */
export function createScheduler(options: {
  preloop: Preloop;
  db: Kysely<FlowTables>;
  now: () => number;
  instanceId: string;
  flows: () => Promise<Array<Flow & { accountId: string }>>;
  fire: (flow: Flow & { accountId: string }, tick: { scheduledAt: number; cron: string; timezone: string }) => Promise<void>;
}) {
  let since = options.now();
  const claim = async (flow: Flow & { accountId: string }, scheduledAt: number): Promise<boolean> => {
    const result = await options.db
      .insertInto('flow_schedule_ticks')
      .values({
        flow_id: flow.id,
        scheduled_at: scheduledAt,
        account_id: flow.accountId,
        claimed_by: options.instanceId,
        claimed_at: options.now(),
      })
      .onConflict((conflict) => conflict.columns(['flow_id', 'scheduled_at']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  };

  return {
    /** Fires every tick due since the last check (claimed once across instances). */
    async check(): Promise<number> {
      const now = options.now();
      const from = since;
      since = now;
      let fired = 0;
      for (const flow of await options.flows()) {
        for (const trigger of flow.triggers) {
          if (trigger.type !== 'schedule') continue;
          let cron: Cron;
          try {
            cron = new Cron(trigger.cron, { timezone: trigger.timezone, paused: true });
          } catch {
            continue;
          }
          let cursor = new Date(from);
          for (let count = 0; count < maximumTicksPerCheck; count += 1) {
            const next = cron.nextRun(cursor);
            if (!next || next.getTime() > now) break;
            cursor = next;
            if (!(await claim(flow, next.getTime()))) continue;
            fired += 1;
            await options.fire(flow, { scheduledAt: next.getTime(), cron: trigger.cron, timezone: trigger.timezone }).catch((error) =>
              options.preloop.logger.warn('flows: a schedule tick could not start', {
                flowId: flow.id,
                error: (error as Error)?.message,
              }),
            );
          }
        }
      }
      return fired;
    },
    /** Forgets claimed ticks older than `before` (epoch ms). */
    async prune(before: number) {
      await options.db.deleteFrom('flow_schedule_ticks').where('claimed_at', '<', before).execute();
    },
  };
}

/** The scheduler's interface. */
export type Scheduler = ReturnType<typeof createScheduler>;
