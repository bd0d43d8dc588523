import { PreloopError, type Principal } from '@preloop/core';
import { addTimeline, engineActor, readRequest, runEffects, writeTransaction, type Effect, type EngineContext } from './engine-context.js';
import { approvalError } from './errors.js';
import { applyLeaseExpiry } from './execution-lease.js';

/**
 * Cancels a pending request (the agent gave up, or an admin withdrew it).
 * `NOT_FOUND` for another account's request; `APPROVAL_ALREADY_DECIDED` (409)
 * once it is no longer pending.
 *
 * @example
 * ```ts
 * await cancelApproval(context, id, principal, 'notifications/cancelled');
 * ```
 */
export async function cancelApproval(context: EngineContext, id: string, actor: Principal, reason?: string): Promise<void> {
  const effects: Effect[] = [];
  const text = reason?.trim() ? reason.trim().slice(0, 1000) : 'cancelled';
  const outcome = await writeTransaction(context, async (trx) => {
    const now = context.now();
    const row = await readRequest(trx, context.dialect, id, true);
    if (!row || row.account_id !== actor.accountId) return { done: false, status: null };
    const result = await trx
      .updateTable('approval_requests')
      .set({ status: 'cancelled', decided_at: now, updated_at: now, outcome_reason: text, pending_binding: null })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return { done: false, status: row.status };
    await addTimeline(trx, row, now, 'cancelled', actor.id, { reason: text });
    const cancelled = (await readRequest(trx, context.dialect, id))!;
    await context.enqueueNotification(trx, cancelled, 'approval.resolved');
    effects.push(
      {
        kind: 'audit',
        input: {
          accountId: row.account_id,
          actor,
          action: 'approval.cancel',
          target: { type: 'approval', id },
          outcome: 'cancelled',
          runtimeSessionId: row.runtime_session_id,
          data: { reason: text },
        },
      },
      { kind: 'changed', row: cancelled, change: 'cancelled', actorId: actor.id },
      { kind: 'notify', row: cancelled, type: 'approval.resolved' },
    );
    return { done: true, status: 'cancelled' };
  });
  await runEffects(context, effects);
  if (outcome.status === null) throw new PreloopError('NOT_FOUND', `No approval request ${id}.`);
  if (!outcome.done) {
    await context.preloop.audit
      .record({
        accountId: actor.accountId,
        actor,
        action: 'approval.cancel',
        target: { type: 'approval', id },
        outcome: 'refused',
        data: { refused: 'APPROVAL_ALREADY_DECIDED', status: outcome.status },
      })
      .catch((error) => context.preloop.logger.error('approvals: could not write an audit record', { error }));
    throw approvalError('APPROVAL_ALREADY_DECIDED', `The request is already ${outcome.status}; only a pending request can be cancelled.`, {
      status: outcome.status,
    });
  }
}

/**
 * Claims execution of an approved request, once across instances (a
 * conditional update on `execution_claimed = 0`), as a lease held by this
 * instance for `executionLeaseSeconds` (the caller keeps it alive with the
 * {@link LeaseKeeper}). A lapsed lease found here is applied first: an
 * idempotent tool's claim is released (and this call may claim it), any other
 * becomes `execution_unknown` (no claim). The claim is audited before it is
 * returned: when that audit write fails, this throws and the call must not run
 * (fail closed; the lease then lapses to `execution_unknown`).
 *
 * @example
 * ```ts
 * if (await claimExecution(context, id, { idempotent: false })) { const result = await run(); await storeExecutionResult(context, id, result); }
 * ```
 */
export async function claimExecution(context: EngineContext, id: string, options: { idempotent?: boolean } = {}): Promise<boolean> {
  const effects: Effect[] = [];
  const idempotent = options.idempotent === true;
  const claimed = await writeTransaction(context, async (trx) => {
    const now = context.now();
    const locked = await readRequest(trx, context.dialect, id, true);
    if (!locked) return null;
    const current = await applyLeaseExpiry(context, trx, locked, now, effects);
    if (current.status !== 'approved' || current.execution_claimed !== 0) return null;
    const leaseExpiresAt = now + context.options.executionLeaseSeconds * 1000;
    const result = await trx
      .updateTable('approval_requests')
      .set({
        execution_claimed: 1,
        execution_claimed_at: now,
        execution_claimed_by: context.instanceId,
        execution_lease_expires_at: leaseExpiresAt,
        execution_idempotent: idempotent ? 1 : 0,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('status', '=', 'approved')
      .where('execution_claimed', '=', 0)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return null;
    const row = (await readRequest(trx, context.dialect, id))!;
    await addTimeline(trx, row, now, 'execution_claimed', null, { claimedBy: context.instanceId, leaseExpiresAt, idempotent });
    return row;
  });
  if (!claimed) {
    await runEffects(context, effects);
    return false;
  }
  effects.push({ kind: 'changed', row: claimed, change: 'execution_claimed', actorId: null });
  await context.preloop.audit.record({
    accountId: claimed.account_id,
    actor: engineActor,
    action: 'approval.execute',
    target: { type: 'approval', id },
    outcome: 'success',
    runtimeSessionId: claimed.runtime_session_id,
    data: {
      tool: claimed.tool_name,
      argsHash: claimed.args_hash,
      claimedBy: context.instanceId,
      leaseExpiresAt: claimed.execution_lease_expires_at,
      idempotent,
    },
  });
  await runEffects(context, effects);
  return true;
}

/**
 * Stores the result of an executed call: the status becomes `executed`, and
 * identical retries get this result instead of running again. Only after a
 * successful claim by this instance (`APPROVAL_NOT_APPROVED` otherwise). A
 * result that arrives after the lease lapsed to `execution_unknown` is still
 * stored (the truth settles the unknown), as long as no admin resolved it.
 *
 * @example
 * ```ts
 * await storeExecutionResult(context, id, { content: [{ type: 'text', text: 'done' }] });
 * ```
 */
export async function storeExecutionResult(context: EngineContext, id: string, result: unknown): Promise<void> {
  const effects: Effect[] = [];
  const json = JSON.stringify(result ?? null) ?? 'null';
  const stored = await writeTransaction(context, async (trx) => {
    const now = context.now();
    const before = await readRequest(trx, context.dialect, id, true);
    const update = await trx
      .updateTable('approval_requests')
      .set({ status: 'executed', result_json: json, executed_at: now, execution_lease_expires_at: null, updated_at: now })
      .where('id', '=', id)
      .where('execution_claimed', '=', 1)
      .where((eb) =>
        eb.or([
          eb.and([
            eb('status', '=', 'approved'),
            eb.or([eb('execution_claimed_by', '=', context.instanceId), eb('execution_claimed_by', 'is', null)]),
          ]),
          eb.and([eb('status', '=', 'execution_unknown'), eb('execution_claimed_by', '=', context.instanceId)]),
        ]),
      )
      .executeTakeFirst();
    if (Number(update.numUpdatedRows) !== 1) return null;
    const row = (await readRequest(trx, context.dialect, id))!;
    const late = before?.status === 'execution_unknown';
    await addTimeline(trx, row, now, 'executed', null, { resultBytes: json.length, ...(late ? { afterLeaseExpired: true } : {}) });
    effects.push(
      {
        kind: 'audit',
        input: {
          accountId: row.account_id,
          actor: engineActor,
          action: 'approval.result',
          target: { type: 'approval', id },
          outcome: 'success',
          runtimeSessionId: row.runtime_session_id,
          data: { resultBytes: json.length, ...(late ? { afterLeaseExpired: true } : {}) },
        },
      },
      { kind: 'changed', row, change: 'executed', actorId: null },
    );
    return row;
  });
  if (!stored)
    throw approvalError(
      'APPROVAL_NOT_APPROVED',
      `Approval request ${id} is not approved with an execution claimed by this instance, so no result can be stored.`,
    );
  await runEffects(context, effects);
}
