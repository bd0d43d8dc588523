import { createId, PreloopError, type ApprovalRequestView, type Principal } from '@preloop/core';
import type { Kysely } from 'kysely';
import { addTimeline, readRequest, runEffects, writeTransaction, type Effect, type EngineContext } from './engine-context.js';
import { approvalError } from './errors.js';
import type { ApprovalRequestRow, ApprovalTables } from './tables.js';
import { applyDue } from './transitions.js';
import { parseJson, toRequestView, workflowOf } from './views.js';
import { readFactorTally } from './factor-tally.js';
import { eligibleFactors } from './workflows.js';
import { decisionRights } from './decision-rights.js';

/** An approve or deny. */
export type ApprovalDecision = 'approve' | 'deny';

/** What {@link decideApproval} takes: one vote, from any channel. */
export interface DecideInput {
  accountId: string;
  requestId: string;
  /** Who acts: a user, or an API key acting for its user (a key bound to an agent never approves). */
  actor: Principal;
  decision: ApprovalDecision;
  /** The approver's comment; required when the workflow sets `requireReason`. */
  comment?: string | null;
  /** The answer, for questions (`ask_user`). */
  answer?: string | null;
  /** Where the vote came from: `api`, `link`, `slack`, `push`… */
  channel: string;
  /** The decision link used, consumed in the same transaction as the vote. */
  link?: { id: string };
}

/** What a vote did. */
export interface DecideResult {
  /** The request as it now stands. */
  request: ApprovalRequestView;
  /** False when this approver had already voted the same way (the vote counts once). */
  counted: boolean;
  /** True when this vote resolved the request (approved or denied). */
  resolved: boolean;
}

type Attempt =
  | { ok: true; row: ApprovalRequestRow; counted: boolean; resolved: boolean }
  | { ok: false; error: PreloopError; row: ApprovalRequestRow | null };

/**
 * The user a principal may vote as: a user, or the user behind an API key that
 * is not bound to an agent; null for agents and runtime sessions (they never approve).
 *
 * @example
 * ```ts
 * approverUserIdOf(principal); // 'usr_…' or null
 * ```
 */
export function approverUserIdOf(actor: Principal): string | null {
  if (actor.type === 'user') return actor.id;
  if (actor.type === 'api_key' && actor.agentId === null) return actor.userId;
  return null;
}

async function countVotes(db: Kysely<ApprovalTables>, requestId: string): Promise<{ approve: number; deny: number }> {
  const rows = await db
    .selectFrom('approval_votes')
    .select(['decision', (eb) => eb.fn.countAll<number>().as('count')])
    .where('request_id', '=', requestId)
    .where('approver_type', '=', 'user')
    .groupBy('decision')
    .execute();
  const counts = { approve: 0, deny: 0 };
  for (const row of rows) if (row.decision === 'approve' || row.decision === 'deny') counts[row.decision] = Number(row.count);
  return counts;
}

/**
 * The one transactional decide every channel ends in (admin API, decision
 * links, and later Slack and push). Rules:
 *
 * - the request must be pending with its deadline ahead (`APPROVAL_EXPIRED`
 *   410, `APPROVAL_ALREADY_DECIDED` 409);
 * - separation of duties: the requester, the owner of the requesting key and
 *   the owner of the requesting agent never approve (`SELF_APPROVAL_FORBIDDEN`);
 * - the approver must be named by the workflow (users, teams, roles; the
 *   escalation approvers once escalated) (`APPROVER_NOT_ELIGIBLE`);
 * - a vote counts once per approver (UNIQUE (request, approver)); the same vote
 *   again is answered with the current state (`counted: false`), the other
 *   vote is `APPROVAL_VOTE_CONFLICT`;
 * - **deny rule**: one deny from an eligible approver denies the request (a
 *   veto, whichever factor the approver belongs to); it is approved once
 *   `quorum` distinct approvers approved, or, with `factors`, once every
 *   factor reached its own quorum, each person counting toward one factor
 *   (the assignment that fills the most factors: see core's `tallyFactors`);
 * - the status changes with a conditional update (`WHERE status = 'pending'
 *   AND expires_at > now`), so concurrent deciders get exactly one outcome.
 *
 * Every attempt is audited, refused ones included.
 *
 * @example
 * ```ts
 * const { request, resolved } = await decideApproval(context, { accountId, requestId, actor: principal, decision: 'approve', channel: 'api' });
 * ```
 */
export async function decideApproval(context: EngineContext, input: DecideInput): Promise<DecideResult> {
  const { actor, decision, channel } = input;
  const comment = typeof input.comment === 'string' && input.comment.trim() !== '' ? input.comment.trim() : null;
  const approverId = approverUserIdOf(actor);
  const initial = await readRequest(context.db, context.dialect, input.requestId);
  if (!initial || initial.account_id !== input.accountId) throw new PreloopError('NOT_FOUND', `No approval request ${input.requestId}.`);
  const workflow = workflowOf(initial);
  const question = parseJson<{ options: string[]; allowFreeText: boolean }>(initial.question);
  const answer = initial.kind === 'question' && typeof input.answer === 'string' && input.answer !== '' ? input.answer : null;
  const facts = approverId ? await context.directory.approver(input.accountId, approverId) : null;

  const refuse = (error: PreloopError): Attempt => ({ ok: false, error, row: null });
  const precheck = (): PreloopError | null => {
    if (decision !== 'approve' && decision !== 'deny') return new PreloopError('VALIDATION_ERROR', 'decision: must be approve or deny');
    if (!approverId)
      return approvalError(
        'APPROVER_NOT_ELIGIBLE',
        'Only a user (or an API key acting for its user) may decide an approval; agents never approve.',
      );
    if (!facts) return approvalError('APPROVER_NOT_ELIGIBLE', `User ${approverId} does not exist or is disabled.`);
    const rights = decisionRights({ row: initial, approverId, facts });
    if (rights.reason === 'requester' || rights.reason === 'key_owner') {
      return approvalError(
        'SELF_APPROVAL_FORBIDDEN',
        'Separation of duties: the requester and the owner of the requesting key or agent may not decide this request.',
      );
    }
    if (workflow.requireReason && comment === null)
      return approvalError('APPROVAL_REASON_REQUIRED', `The workflow "${initial.workflow_name}" requires a comment with every decision.`);
    if (answer !== null && question && question.options.length > 0 && !question.allowFreeText && !question.options.includes(answer)) {
      return approvalError('APPROVAL_INVALID_ANSWER', `The answer must be one of: ${question.options.join(', ')}.`);
    }
    return null;
  };

  const effects: Effect[] = [];
  const early = precheck();
  const attempt: Attempt = early
    ? refuse(early)
    : await writeTransaction(context, async (trx): Promise<Attempt> => {
        const now = context.now();
        const locked = await readRequest(trx, context.dialect, input.requestId, true);
        if (!locked) return refuse(new PreloopError('NOT_FOUND', `No approval request ${input.requestId}.`));
        const row = await applyDue(context, trx, locked, now, effects);
        const previous = await trx
          .selectFrom('approval_votes')
          .selectAll()
          .where('request_id', '=', row.id)
          .where('approver_id', '=', approverId!)
          .executeTakeFirst();
        if (previous && previous.decision !== decision) {
          return refuse(
            approvalError('APPROVAL_VOTE_CONFLICT', `You already voted ${previous.decision} on this request; a vote counts once.`, {
              status: row.status,
            }),
          );
        }
        if (!previous) {
          // The same rule the list and detail reads show as `viewer` (decision-rights.ts).
          const rights = decisionRights({ row, approverId, facts, now });
          if (rights.reason === 'not_pending' && (row.status === 'expired' || row.status === 'pending')) {
            return refuse(
              approvalError(
                'APPROVAL_EXPIRED',
                `The request expired at ${new Date(row.expires_at).toISOString()}; the decision came too late.`,
                { status: row.status, expiresAt: row.expires_at },
              ),
            );
          }
          if (rights.reason === 'not_pending')
            return refuse(approvalError('APPROVAL_ALREADY_DECIDED', `The request is already ${row.status}.`, { status: row.status }));
          if (rights.reason === 'not_an_approver') {
            return refuse(approvalError('APPROVER_NOT_ELIGIBLE', `You are not an approver of the workflow "${row.workflow_name}".`));
          }
        }
        if (input.link) {
          const used = await trx
            .updateTable('approval_links')
            .set({ used_at: now })
            .where('id', '=', input.link.id)
            .where('used_at', 'is', null)
            .where('expires_at', '>', now)
            .executeTakeFirst();
          if (Number(used.numUpdatedRows) !== 1) return refuse(approvalError('APPROVAL_LINK_USED', 'This decision link was already used.'));
        }
        if (previous) return { ok: true, row, counted: false, resolved: false };

        await trx
          .insertInto('approval_votes')
          .values({
            id: createId('apv'),
            account_id: row.account_id,
            request_id: row.id,
            approver_id: approverId!,
            decision,
            comment,
            answer,
            channel,
            created_at: now,
            approver_type: 'user',
            confidence: null,
          })
          .execute();
        // The factors this approver counts toward are fixed when the vote is cast (a later change of team never re-counts it).
        const factors = eligibleFactors(workflow, { escalated: row.escalated_at !== null }, facts!);
        await addTimeline(trx, row, now, 'vote', approverId, { decision, channel, comment, ...(workflow.factors ? { factors } : {}) });
        const votes = await countVotes(trx, row.id);
        const tally = await readFactorTally(trx, row.id, workflow);
        const approved = tally ? tally.satisfied : votes.approve >= workflow.quorum;
        const status = votes.deny > 0 ? 'denied' : approved ? 'approved' : 'pending';
        const progress = tally ? { factors: tally.tallies } : {};
        const update = trx
          .updateTable('approval_requests')
          .where('id', '=', row.id)
          .where('status', '=', 'pending')
          .where('expires_at', '>', now);
        const result =
          status === 'pending'
            ? await update.set({ updated_at: now }).executeTakeFirst()
            : await update
                .set({
                  status,
                  decided_at: now,
                  decided_by: approverId,
                  decision_comment: comment,
                  answer,
                  updated_at: now,
                  pending_binding: null,
                })
                .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) {
          // Another decider won between our read and our write: undo the vote and refuse.
          throw approvalError('APPROVAL_ALREADY_DECIDED', 'The request was decided concurrently.');
        }
        if (status !== 'pending') await addTimeline(trx, row, now, status, approverId, { quorum: workflow.quorum, votes, ...progress });
        const updated = (await readRequest(trx, context.dialect, row.id))!;
        effects.push(
          {
            kind: 'audit',
            input: {
              accountId: row.account_id,
              actor,
              action: 'approval.vote',
              target: { type: 'approval', id: row.id },
              outcome: 'success',
              runtimeSessionId: row.runtime_session_id,
              data: { decision, channel, comment, votes, quorum: workflow.quorum, ...progress },
            },
          },
          { kind: 'changed', row: updated, change: status === 'pending' ? 'vote' : status, actorId: approverId },
        );
        if (status !== 'pending') {
          await context.enqueueNotification(trx, updated, 'approval.resolved');
          effects.push(
            {
              kind: 'audit',
              input: {
                accountId: row.account_id,
                actor,
                action: 'approval.decide',
                target: { type: 'approval', id: row.id },
                outcome: status,
                runtimeSessionId: row.runtime_session_id,
                data: {
                  decision,
                  channel,
                  comment,
                  votes,
                  quorum: workflow.quorum,
                  ...progress,
                  tool: row.tool_name,
                  argsHash: row.args_hash,
                },
              },
            },
            { kind: 'notify', row: updated, type: 'approval.resolved' },
          );
        }
        return { ok: true, row: updated, counted: true, resolved: status !== 'pending' };
      }).catch((error: unknown): Attempt => {
        effects.length = 0; // rolled back: nothing happened
        if (error instanceof PreloopError && error.code === 'APPROVAL_ALREADY_DECIDED') return refuse(error);
        throw error;
      });

  if (!attempt.ok) {
    effects.push({
      kind: 'audit',
      input: {
        accountId: input.accountId,
        actor,
        action: 'approval.decide',
        target: { type: 'approval', id: input.requestId },
        outcome: 'refused',
        runtimeSessionId: initial.runtime_session_id,
        data: { refused: attempt.error.code, message: attempt.error.message, decision, channel },
      },
    });
    await runEffects(context, effects);
    throw attempt.error;
  }
  await runEffects(context, effects);
  const votes = await countVotes(context.db, attempt.row.id);
  return { request: toRequestView(attempt.row, votes), counted: attempt.counted, resolved: attempt.resolved };
}
