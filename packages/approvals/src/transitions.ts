import type { Kysely } from 'kysely';
import { addTimeline, engineActor, readRequest, runEffects, writeTransaction, type Effect, type EngineContext } from './engine-context.js';
import { applyLeaseExpiry } from './execution-lease.js';
import type { ApprovalRequestRow, ApprovalTables } from './tables.js';
import { workflowOf } from './views.js';

/**
 * Applies what is due on a pending request, inside the caller's transaction,
 * with conditional updates so several instances can race safely:
 *
 * - escalation, when `escalate_at` has passed and it has not fired: the
 *   deadline moves once to now + the workflow's timeout and the escalation
 *   approvers become eligible (they are notified);
 * - expiry, when the deadline has passed and no escalation is left: the
 *   request becomes `expired` (outcome `deny`, reason `timeout`);
 * - on an approved request, a lapsed execution lease (see `applyLeaseExpiry`).
 *
 * Returns the row as it now stands; pushes what to do after commit on `effects`.
 *
 * @example
 * ```ts
 * row = await applyDue(context, trx, row, now, effects);
 * ```
 */
export async function applyDue(
  context: EngineContext,
  trx: Kysely<ApprovalTables>,
  row: ApprovalRequestRow,
  now: number,
  effects: Effect[],
): Promise<ApprovalRequestRow> {
  if (row.status === 'approved') return applyLeaseExpiry(context, trx, row, now, effects);
  if (row.status !== 'pending') return row;
  let current = row;
  if (current.escalate_at !== null && current.escalated_at === null && current.escalate_at <= now) {
    const workflow = workflowOf(current);
    const expiresAt = now + workflow.timeoutSeconds * 1000;
    const result = await trx
      .updateTable('approval_requests')
      .set({ escalated_at: now, expires_at: expiresAt, updated_at: now })
      .where('id', '=', current.id)
      .where('status', '=', 'pending')
      .where('escalated_at', 'is', null)
      .where('escalate_at', '<=', now)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) {
      await addTimeline(trx, current, now, 'escalated', null, { previousExpiresAt: current.expires_at, expiresAt });
      current = (await readRequest(trx, context.dialect, current.id))!;
      await context.enqueueNotification(trx, current, 'approval.escalated');
      effects.push(
        {
          kind: 'audit',
          input: {
            accountId: current.account_id,
            actor: engineActor,
            action: 'approval.escalate',
            target: { type: 'approval', id: current.id },
            outcome: 'success',
            runtimeSessionId: current.runtime_session_id,
            data: { expiresAt, previousExpiresAt: row.expires_at, approvers: workflow.escalation?.approvers ?? null },
          },
        },
        { kind: 'changed', row: current, change: 'escalated', actorId: null },
        { kind: 'notify', row: current, type: 'approval.escalated' },
      );
    }
  }
  if (current.expires_at <= now && (current.escalate_at === null || current.escalated_at !== null)) {
    const result = await trx
      .updateTable('approval_requests')
      .set({ status: 'expired', decided_at: now, updated_at: now, outcome_reason: 'timeout', pending_binding: null })
      .where('id', '=', current.id)
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) {
      await addTimeline(trx, current, now, 'expired', null, { deadline: current.expires_at, outcome: 'deny' });
      const expired = (await readRequest(trx, context.dialect, current.id))!;
      await context.enqueueNotification(trx, expired, 'approval.resolved');
      effects.push(
        {
          kind: 'audit',
          input: {
            accountId: expired.account_id,
            actor: engineActor,
            action: 'approval.expire',
            target: { type: 'approval', id: expired.id },
            outcome: 'expired',
            runtimeSessionId: expired.runtime_session_id,
            data: { reason: 'timeout', deadline: current.expires_at, tool: expired.tool_name },
          },
        },
        { kind: 'changed', row: expired, change: 'expired', actorId: null },
        { kind: 'notify', row: expired, type: 'approval.resolved' },
      );
      current = expired;
    }
  }
  return current;
}

/**
 * Applies what is due on one request in its own transaction and performs the
 * effects. Safe to call from any instance at any time; returns the row.
 *
 * @example
 * ```ts
 * const row = await advanceRequest(context, id);
 * ```
 */
export async function advanceRequest(context: EngineContext, id: string): Promise<ApprovalRequestRow | null> {
  const effects: Effect[] = [];
  const row = await writeTransaction(context, async (trx) => {
    const locked = await readRequest(trx, context.dialect, id, true);
    return locked ? applyDue(context, trx, locked, context.now(), effects) : null;
  });
  await runEffects(context, effects);
  return row;
}
