import { PreloopError, type Principal } from '@preloop/core';
import { addTimeline, readRequest, runEffects, writeTransaction, type Effect, type EngineContext } from './engine-context.js';
import { approvalError } from './errors.js';
import { applyLeaseExpiry } from './execution-lease.js';

/**
 * What an admin found out about an `execution_unknown` request:
 * `executed` (the call did run: the request becomes `executed`, with no stored
 * result) or `not_executed` (it did not: the claim is released and the request
 * is `approved` again, so the next identical call runs it, once).
 */
export type ExecutionResolution = 'executed' | 'not_executed';

/** Input of {@link resolveExecution}. */
export interface ResolveExecutionInput {
  accountId: string;
  requestId: string;
  actor: Principal;
  resolution: ExecutionResolution;
  /** What the admin checked (kept on the timeline and in the audit record). */
  note: string;
}

/**
 * Resolves a request whose execution outcome is unknown, audited
 * (`approval.resolve_execution`). A lapsed lease is applied first, so a
 * request still shown `approved` with an expired lease can be resolved too.
 * `NOT_FOUND` outside the account; `APPROVAL_EXECUTION_NOT_UNKNOWN` (409)
 * for any other state.
 *
 * @example
 * ```ts
 * await resolveExecution(context, { accountId, requestId: id, actor: admin, resolution: 'not_executed', note: 'no deploy in the CD log' });
 * ```
 */
export async function resolveExecution(context: EngineContext, input: ResolveExecutionInput): Promise<void> {
  const { requestId: id, actor } = input;
  const note = input.note.trim().slice(0, 2000);
  const effects: Effect[] = [];
  const outcome = await writeTransaction(context, async (trx) => {
    const now = context.now();
    const locked = await readRequest(trx, context.dialect, id, true);
    if (!locked || locked.account_id !== input.accountId) return { status: null, done: false };
    const row = await applyLeaseExpiry(context, trx, locked, now, effects);
    if (row.status !== 'execution_unknown') return { status: row.status, done: false };
    const base = trx.updateTable('approval_requests');
    const update =
      input.resolution === 'executed'
        ? base.set({ status: 'executed', executed_at: now, outcome_reason: `execution confirmed by an admin: ${note}`, updated_at: now })
        : base.set({
            status: 'approved',
            execution_claimed: 0,
            execution_claimed_at: null,
            execution_claimed_by: null,
            execution_lease_expires_at: null,
            execution_idempotent: 0,
            outcome_reason: null,
            updated_at: now,
          });
    const result = await update.where('id', '=', id).where('status', '=', 'execution_unknown').executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return { status: row.status, done: false };
    await addTimeline(trx, row, now, 'execution_resolved', actor.id, { resolution: input.resolution, note });
    const resolved = (await readRequest(trx, context.dialect, id))!;
    effects.push(
      {
        kind: 'audit',
        input: {
          accountId: row.account_id,
          actor,
          action: 'approval.resolve_execution',
          target: { type: 'approval', id },
          outcome: input.resolution,
          runtimeSessionId: row.runtime_session_id,
          data: { resolution: input.resolution, note, tool: row.tool_name, argsHash: row.args_hash },
        },
      },
      { kind: 'changed', row: resolved, change: 'execution_resolved', actorId: actor.id },
    );
    return { status: resolved.status, done: true };
  });
  await runEffects(context, effects);
  if (outcome.status === null) throw new PreloopError('NOT_FOUND', `No approval request ${id}.`);
  if (!outcome.done) {
    throw approvalError(
      'APPROVAL_EXECUTION_NOT_UNKNOWN',
      `The request is ${outcome.status}; only a request whose execution outcome is unknown (execution_unknown) can be resolved.`,
      { status: outcome.status },
    );
  }
}
