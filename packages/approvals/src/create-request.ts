import { createId, PreloopError, type ApprovalRequestInput, type ApprovalTicket } from '@preloop/core';
import { sha256Hex } from '@preloop/core/internal';
import { sql } from 'kysely';
import { bindingKey, canonicalArgs } from './binding-key.js';
import { addTimeline, readRequest, runEffects, writeTransaction, type Effect, type EngineContext } from './engine-context.js';
import { isUniqueViolation } from './errors.js';
import type { ApprovalRequestRow } from './tables.js';
import { applyDue } from './transitions.js';
import { normalizeRow } from './views.js';

const kinds = new Set(['tool_call', 'request', 'question']);

function check(condition: boolean, path: string, message: string): asserts condition {
  if (!condition)
    throw new PreloopError('VALIDATION_ERROR', `Invalid approval request: ${path}: ${message}`, {
      details: { issues: [{ path, message }] },
    });
}

function ticketOf(row: ApprovalRequestRow, joined: boolean): ApprovalTicket {
  const ticket: ApprovalTicket = {
    id: row.id,
    status: row.status as ApprovalTicket['status'],
    joined,
    expiresAt: row.expires_at,
    reason: row.outcome_reason,
  };
  if (row.status === 'executed') ticket.storedResult = row.result_json === null ? null : JSON.parse(row.result_json);
  return ticket;
}

/**
 * Creates an approval request, or joins the pending one with the same binding
 * (subject, runtime session, tool, argument hash, definition hash), or, for an
 * approved or executed one within `reuseResultSeconds`, returns it (with the
 * stored result). A subject at its pending cap gets a `denied` ticket and an
 * `approval-flood` event.
 *
 * @example
 * ```ts
 * const ticket = await createApprovalRequest(context, { principal, tool: { name: 'deploy', definitionHash: null }, args: { env: 'prod' }, workflow: 'admins' });
 * ```
 */
export async function createApprovalRequest(context: EngineContext, input: ApprovalRequestInput): Promise<ApprovalTicket> {
  const principal = input?.principal;
  check(typeof principal === 'object' && principal !== null && typeof principal.accountId === 'string', 'principal', 'must be a principal');
  check(
    typeof input.tool?.name === 'string' && input.tool.name.length > 0 && input.tool.name.length <= 1000,
    'tool.name',
    'must be a non-empty string',
  );
  check(typeof input.args === 'object' && input.args !== null && !Array.isArray(input.args), 'args', 'must be an object');
  check(typeof input.workflow === 'string' && input.workflow.length > 0, 'workflow', 'must name a workflow');
  const kind = input.kind ?? 'tool_call';
  check(kinds.has(kind), 'kind', 'must be tool_call, request or question');
  if (input.question) {
    check(
      typeof input.question.text === 'string' && Array.isArray(input.question.options),
      'question',
      'must be { text, options, allowFreeText }',
    );
  }

  const accountId = principal.accountId;
  const argsJson = canonicalArgs(input.args);
  const argsHash = sha256Hex(argsJson);
  const subject = `${principal.type}:${principal.id}`;
  const definitionHash = input.tool.definitionHash ?? null;
  const binding = bindingKey({
    accountId,
    kind,
    subject,
    runtimeSessionId: principal.runtimeSessionId,
    tool: input.tool.name,
    argsHash,
    definitionHash,
  });
  const { workflow, source } = await context.lookupWorkflow(accountId, input.workflow);
  const excluded = await context.directory.excludedUsers(principal);

  for (let attempt = 0; ; attempt += 1) {
    const effects: Effect[] = [];
    try {
      const ticket = await writeTransaction(context, async (trx) => {
        const now = context.now();
        if (context.dialect === 'postgres') {
          // Serialize requests of one subject: the binding join and the flood count stay exact across instances.
          await sql`select pg_advisory_xact_lock(hashtextextended(${`approvals:${accountId}:${subject}`}, 0))`.execute(trx);
        }
        const pendingRow = await trx.selectFrom('approval_requests').selectAll().where('pending_binding', '=', binding).executeTakeFirst();
        if (pendingRow) {
          const current = await applyDue(context, trx, normalizeRow(pendingRow), now, effects);
          if (current.status === 'pending') {
            await addTimeline(trx, current, now, 'joined', null, { subject });
            effects.push(
              {
                kind: 'audit',
                input: {
                  accountId,
                  actor: principal,
                  action: 'approval.join',
                  target: { type: 'approval', id: current.id },
                  outcome: 'pending',
                  data: { tool: current.tool_name, argsHash },
                },
              },
              { kind: 'changed', row: current, change: 'joined', actorId: null },
            );
            return ticketOf(current, true);
          }
        }
        if (context.options.reuseResultSeconds > 0) {
          const reusable = await trx
            .selectFrom('approval_requests')
            .selectAll()
            .where('binding_key', '=', binding)
            .where('status', 'in', ['approved', 'executed', 'execution_unknown'])
            .where('decided_at', '>=', now - context.options.reuseResultSeconds * 1000)
            .orderBy('id', 'desc')
            .limit(1)
            .executeTakeFirst();
          if (reusable) {
            // A lapsed execution lease is applied here too: the retry gets the final answer, not a dead claim.
            const row = await applyDue(context, trx, normalizeRow(reusable), now, effects);
            await addTimeline(trx, row, now, 'joined', null, { subject, status: row.status });
            effects.push({
              kind: 'audit',
              input: {
                accountId,
                actor: principal,
                action: 'approval.join',
                target: { type: 'approval', id: row.id },
                outcome: row.status,
                data: { tool: row.tool_name, argsHash, reused: true },
              },
            });
            return ticketOf(row, true);
          }
        }

        const pendingCount = await trx
          .selectFrom('approval_requests')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('account_id', '=', accountId)
          .where('subject_key', '=', subject)
          .where('status', '=', 'pending')
          .where('expires_at', '>', now)
          .executeTakeFirstOrThrow();
        const flooded = Number(pendingCount.count) >= context.options.maxPendingPerSubject;
        const timeoutMs = workflow.timeoutSeconds * 1000;
        const row: ApprovalRequestRow = {
          id: createId('apr'),
          account_id: accountId,
          status: flooded ? 'denied' : 'pending',
          kind,
          principal: JSON.stringify(principal),
          subject_key: subject,
          subject_user_id: principal.type === 'user' ? principal.id : principal.userId,
          subject_api_key_id: principal.apiKeyId,
          subject_agent_id: principal.agentId,
          runtime_session_id: principal.runtimeSessionId,
          tool_name: input.tool.name,
          tool_definition_hash: definitionHash,
          args_json: argsJson,
          args_hash: argsHash,
          binding_key: binding,
          pending_binding: flooded ? null : binding,
          workflow_name: input.workflow,
          workflow_json: JSON.stringify(workflow),
          excluded_user_ids: JSON.stringify(excluded),
          reason: input.reason ?? null,
          justification: input.justification ?? null,
          question: input.question ? JSON.stringify(input.question) : null,
          created_at: now,
          updated_at: now,
          expires_at: now + timeoutMs,
          escalate_at: workflow.escalation ? Math.min(now + workflow.escalation.afterSeconds * 1000, now + timeoutMs) : null,
          escalated_at: null,
          decided_at: flooded ? now : null,
          decided_by: null,
          decision_comment: null,
          answer: null,
          outcome_reason: flooded
            ? `flood_control: ${subject} already has ${Number(pendingCount.count)} pending approval requests (the cap is ${context.options.maxPendingPerSubject})`
            : null,
          result_json: null,
          execution_claimed: 0,
          execution_claimed_at: null,
          execution_claimed_by: null,
          execution_lease_expires_at: null,
          execution_idempotent: 0,
          executed_at: null,
          // The AI reviewer runs after the commit; the scheduler runs it again if this process stops first.
          ai_review_due_at: workflow.aiReviewer && !flooded ? now : null,
          ai_review_attempts: 0,
        };
        await trx.insertInto('approval_requests').values(row).execute();
        await addTimeline(trx, row, now, flooded ? 'denied' : 'requested', null, {
          workflow: input.workflow,
          workflowSource: source,
          reason: row.outcome_reason,
        });
        const stored = (await readRequest(trx, context.dialect, row.id))!;
        effects.push(
          {
            kind: 'audit',
            input: {
              accountId,
              actor: principal,
              action: 'approval.request',
              target: { type: 'approval', id: row.id },
              outcome: flooded ? 'denied' : 'pending',
              data: {
                tool: row.tool_name,
                argsHash,
                definitionHash,
                workflow: input.workflow,
                workflowSource: source,
                kind,
                expiresAt: row.expires_at,
                reason: row.outcome_reason,
              },
            },
          },
          { kind: 'created', row: stored },
        );
        if (flooded) {
          effects.push({
            kind: 'event',
            name: 'approval-flood',
            payload: {
              accountId,
              subject,
              pending: Number(pendingCount.count),
              cap: context.options.maxPendingPerSubject,
              tool: row.tool_name,
              requestId: row.id,
            },
          });
        } else {
          await context.enqueueNotification(trx, stored, 'approval.requested');
          effects.push({ kind: 'notify', row: stored, type: 'approval.requested' });
        }
        return ticketOf(stored, false);
      });
      await runEffects(context, effects);
      if (workflow.aiReviewer && !ticket.joined && ticket.status === 'pending') context.startAiReview(ticket.id);
      return ticket;
    } catch (error) {
      // A concurrent identical request won the pending slot: join it on the next attempt.
      if (isUniqueViolation(error) && attempt < 3) continue;
      throw error;
    }
  }
}
