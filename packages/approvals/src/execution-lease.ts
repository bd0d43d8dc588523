import type { Kysely } from 'kysely';
import { addTimeline, engineActor, readRequest, type Effect, type EngineContext } from './engine-context.js';
import type { ApprovalRequestRow, ApprovalTables } from './tables.js';

/** Why a lapsed, non-idempotent execution ends in `execution_unknown`. */
export const executionUnknownReason = 'execution lease expired: the instance running the approved call stopped before storing its result';

/**
 * Applies a lapsed execution lease on an approved, claimed request, inside the
 * caller's transaction (conditional updates, safe on every instance):
 *
 * - idempotent tool: the claim is released, so the next identical call claims
 *   and runs it again (`execution_lease_expired` on the timeline);
 * - any other tool: the request becomes `execution_unknown` (approved, outcome
 *   not known); it never runs again, and an admin resolves it.
 *
 * Returns the row as it now stands; pushes what to do after commit on `effects`.
 *
 * @example
 * ```ts
 * row = await applyLeaseExpiry(context, trx, row, context.now(), effects);
 * ```
 */
export async function applyLeaseExpiry(
  context: EngineContext,
  trx: Kysely<ApprovalTables>,
  row: ApprovalRequestRow,
  now: number,
  effects: Effect[],
): Promise<ApprovalRequestRow> {
  if (
    row.status !== 'approved' ||
    row.execution_claimed !== 1 ||
    row.execution_lease_expires_at === null ||
    row.execution_lease_expires_at > now
  )
    return row;
  const idempotent = row.execution_idempotent === 1;
  const base = trx.updateTable('approval_requests');
  const update = idempotent
    ? base.set({
        execution_claimed: 0,
        execution_claimed_at: null,
        execution_claimed_by: null,
        execution_lease_expires_at: null,
        execution_idempotent: 0,
        updated_at: now,
      })
    : base.set({ status: 'execution_unknown', execution_lease_expires_at: null, outcome_reason: executionUnknownReason, updated_at: now });
  const result = await update
    .where('id', '=', row.id)
    .where('status', '=', 'approved')
    .where('execution_claimed', '=', 1)
    .where('execution_lease_expires_at', '<=', now)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return (await readRequest(trx, context.dialect, row.id)) ?? row;
  const data = {
    claimedBy: row.execution_claimed_by,
    claimedAt: row.execution_claimed_at,
    leaseExpiredAt: row.execution_lease_expires_at,
    idempotent,
  };
  await addTimeline(trx, row, now, idempotent ? 'execution_lease_expired' : 'execution_unknown', null, data);
  const current = (await readRequest(trx, context.dialect, row.id))!;
  effects.push(
    {
      kind: 'audit',
      input: {
        accountId: current.account_id,
        actor: engineActor,
        action: idempotent ? 'approval.execution_released' : 'approval.execution_unknown',
        target: { type: 'approval', id: current.id },
        outcome: idempotent ? 'released' : 'unknown',
        runtimeSessionId: current.runtime_session_id,
        data: { ...data, tool: current.tool_name, argsHash: current.args_hash },
      },
    },
    { kind: 'changed', row: current, change: idempotent ? 'execution_released' : 'execution_unknown', actorId: null },
  );
  return current;
}

/** Keeps this instance's execution leases alive while their calls run. */
export interface LeaseKeeper {
  /** Starts renewing the lease on `id` (held by this instance) every third of the lease. */
  hold(id: string): void;
  /** Stops renewing the lease on `id`. */
  release(id: string): void;
  /** Stops every renewal (the engine closes; the leases lapse on their own). */
  close(): void;
}

/**
 * Creates the lease keeper (the heartbeat). A renewal is a conditional update
 * on `execution_claimed_by` = this instance, so a lease that already lapsed
 * (the process was frozen longer than the lease) is never revived: the
 * renewal stops and says so in the log.
 *
 * @example
 * ```ts
 * const leases = createLeaseKeeper(context);
 * leases.hold(id); // … run the call …
 * leases.release(id);
 * ```
 */
export function createLeaseKeeper(context: EngineContext): LeaseKeeper {
  const timers = new Map<string, ReturnType<typeof setInterval>>();
  const leaseMs = context.options.executionLeaseSeconds * 1000;

  async function renew(id: string): Promise<void> {
    const now = context.now();
    const result = await context.db
      .updateTable('approval_requests')
      .set({ execution_lease_expires_at: now + leaseMs, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'approved')
      .where('execution_claimed', '=', 1)
      .where('execution_claimed_by', '=', context.instanceId)
      .where('execution_lease_expires_at', '>', now)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1 && timers.has(id)) {
      release(id);
      context.preloop.logger.warn(
        'approvals: an execution lease could not be renewed (it lapsed or was settled); the result will still be stored if the request allows it',
        { id },
      );
    }
  }

  function release(id: string): void {
    const timer = timers.get(id);
    if (timer) clearInterval(timer);
    timers.delete(id);
  }

  return {
    hold(id) {
      release(id);
      const timer = setInterval(
        () => {
          renew(id).catch((error) => context.preloop.logger.warn('approvals: could not renew an execution lease; retrying', { error, id }));
        },
        Math.max(50, Math.floor(leaseMs / 3)),
      );
      timer.unref?.();
      timers.set(id, timer);
    },
    release,
    close() {
      for (const id of [...timers.keys()]) release(id);
    },
  };
}
