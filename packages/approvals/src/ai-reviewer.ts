import { createId, type PolicyAiReviewer, type Principal } from '@preloop/core';
import { aiReviewJsonSchema, aiReviewMessages, parseAiReview, type AiReviewAnswer } from './ai-review-prompt.js';
import { addTimeline, engineActor, readRequest, runEffects, writeTransaction, type Effect, type EngineContext } from './engine-context.js';
import type { ApprovalRequestRow } from './tables.js';
import { applyDue } from './transitions.js';
import { workflowOf } from './views.js';

/** Runs the AI reviews of workflows that name an `aiReviewer`. */
export interface AiReviewer {
  /** Starts the review of request `id` in the background when it is due (a no-op otherwise, or when this instance already runs it). */
  start(id: string): void;
  /** Resolves once no review started by this instance is running (tests, shutdown). */
  idle(): Promise<void>;
  /** Aborts running reviews (their lease lapses, so another instance or the next start runs them again) and waits for them. */
  close(): Promise<void>;
}

/** Reviews started this many times without finishing (each start that never recorded an answer) get the fallback. */
const maxAttempts = 3;

/** What one model call gave: an answer, or why there is none. */
type Asked =
  | { answer: AiReviewAnswer; problem: null; sessionId: string | null }
  | { answer: null; problem: string; sessionId: string | null };

/** The parts of an OpenAI chat completion (or error) the reviewer reads. */
interface ChatReply {
  choices?: Array<{ message?: { content?: unknown } }>;
  error?: { message?: unknown };
}

function parseReply(text: string): ChatReply | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as ChatReply) : null;
  } catch {
    return null;
  }
}

function reviewerPrincipal(accountId: string, agentId: string, name: string, sessionId: string | null): Principal {
  return {
    type: 'agent',
    id: agentId,
    accountId,
    name,
    role: null,
    userId: null,
    apiKeyId: null,
    agentId,
    runtimeSessionId: sessionId,
    teamIds: [],
    scopes: ['gateway'],
  };
}

/**
 * Creates the AI reviewer of an engine. A review runs after the request's
 * creation commits, never blocking it: the request row says when its review
 * is due (`ai_review_due_at`); a run claims it with a conditional update that
 * moves that time to the end of a lease (the model call's timeout plus 30 s),
 * asks the model through the gateway with a runtime credential of the
 * account's reviewer agent, and records the outcome (an `ai` vote, an
 * `ai_review` timeline entry, the decision in `decide` mode, an audit record)
 * in one transaction that also clears the due time. A process that stops
 * mid-review leaves the lease to lapse; the scheduler's next sweep (on any
 * instance) runs the review again; after three unfinished starts the
 * fallback applies.
 *
 * @example
 * ```ts
 * const reviewer = createAiReviewer(context);
 * reviewer.start(ticket.id);
 * await reviewer.idle();
 * ```
 */
export function createAiReviewer(context: EngineContext): AiReviewer {
  const { preloop } = context;
  const running = new Map<string, Promise<void>>();
  const agents = new Map<string, string>();
  const stop = new AbortController();
  let handler: ((request: Request) => Promise<Response>) | null = null;

  async function reviewerAgentId(accountId: string, name: string): Promise<string> {
    const known = agents.get(accountId);
    if (known) return known;
    const page = await preloop.identity.agents.list(accountId, { kind: 'ai_reviewer', limit: 200 });
    const found = page.items.find((agent) => agent.name === name && agent.state !== 'decommissioned');
    const agent = found ?? (await preloop.identity.agents.enroll(accountId, { name, kind: 'ai_reviewer', tags: ['approvals'] }));
    agents.set(accountId, agent.id);
    return agent.id;
  }

  async function ask(row: ApprovalRequestRow, reviewer: PolicyAiReviewer, agentId: string): Promise<Asked> {
    const option = context.options.aiReviewer;
    if (!option)
      return {
        answer: null,
        problem: 'no model gateway is configured for AI reviews (the approvals option aiReviewer.gateway)',
        sessionId: null,
      };
    handler ??= option.gateway(preloop);
    // A runtime session of the reviewer agent: its model calls are attributed to the agent and grouped under the session.
    const { session, credential } = await preloop.identity.runtimeSessions.start(row.account_id, {
      name: `AI review of ${row.id}`,
      agentId,
      source: 'approvals',
      externalId: row.id,
      audience: ['gateway'],
      metadata: { approvalId: row.id, workflow: row.workflow_name },
    });
    const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(reviewer.timeoutSeconds * 1000)]);
    try {
      const response = await handler(
        new Request(`http://preloop.internal${option.basePath}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${credential.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: reviewer.model,
            messages: aiReviewMessages(row, reviewer),
            temperature: 0,
            response_format: { type: 'json_schema', json_schema: { name: 'approval_review', strict: true, schema: aiReviewJsonSchema } },
          }),
          signal,
        }),
      );
      const text = await response.text();
      const body = parseReply(text);
      if (!response.ok) {
        const message = typeof body?.error?.message === 'string' ? body.error.message : `HTTP ${response.status}`;
        return {
          answer: null,
          problem: `the gateway refused or failed the model call (${response.status}): ${message.slice(0, 300)}`,
          sessionId: session.id,
        };
      }
      const parsed = parseAiReview(body?.choices?.[0]?.message?.content);
      return parsed.ok
        ? { answer: parsed.answer, problem: null, sessionId: session.id }
        : { answer: null, problem: parsed.problem, sessionId: session.id };
    } catch (error) {
      const timedOut = signal.aborted && !stop.signal.aborted;
      if (stop.signal.aborted) throw error;
      return {
        answer: null,
        problem: timedOut
          ? `the model did not answer within ${reviewer.timeoutSeconds} s`
          : `the model call failed: ${(error as Error).message}`,
        sessionId: session.id,
      };
    } finally {
      await preloop.identity.runtimeSessions
        .end(row.account_id, session.id, 'review finished')
        .catch((error) => preloop.logger.warn('approvals: could not end the AI reviewer session', { error }));
    }
  }

  async function record(id: string, reviewer: PolicyAiReviewer, agentId: string | null, asked: Asked): Promise<void> {
    const name = context.options.aiReviewer?.agentName ?? 'preloop-ai-reviewer';
    const effects: Effect[] = [];
    await writeTransaction(context, async (trx) => {
      const now = context.now();
      const locked = await readRequest(trx, context.dialect, id, true);
      if (!locked) return;
      const row = await applyDue(context, trx, locked, now, effects);
      await trx.updateTable('approval_requests').set({ ai_review_due_at: null }).where('id', '=', id).execute();
      const { answer } = asked;
      const confident = answer !== null && answer.confidence >= reviewer.threshold;
      const problem = asked.problem ?? (confident ? null : `confidence ${answer!.confidence} is below the threshold ${reviewer.threshold}`);
      const late = row.status !== 'pending';
      // What the request becomes: decided by a confident answer in `decide` mode, or by an approve/deny fallback; else unchanged.
      const decision =
        late || reviewer.mode !== 'decide'
          ? null
          : confident
            ? answer!.decision
            : reviewer.fallback === 'escalate'
              ? null
              : reviewer.fallback;
      const outcome = late
        ? 'late'
        : decision !== null
          ? confident
            ? 'decided'
            : 'fallback_decided'
          : problem !== null && reviewer.mode === 'decide'
            ? 'escalated'
            : 'advised';
      if (answer && agentId) {
        await trx
          .insertInto('approval_votes')
          .values({
            id: createId('apv'),
            account_id: row.account_id,
            request_id: row.id,
            approver_id: agentId,
            decision: answer.decision,
            comment: answer.reasoning,
            answer: null,
            channel: 'ai',
            created_at: now,
            approver_type: 'ai',
            confidence: answer.confidence,
          })
          .onConflict((conflict) => conflict.columns(['request_id', 'approver_id']).doNothing())
          .execute();
      }
      const note = {
        model: reviewer.model,
        mode: reviewer.mode,
        threshold: reviewer.threshold,
        fallback: reviewer.fallback,
        outcome,
        decision: answer?.decision ?? null,
        confidence: answer?.confidence ?? null,
        reasoning: answer?.reasoning ?? null,
        problem,
        counted: decision !== null,
        runtimeSessionId: asked.sessionId,
      };
      await addTimeline(trx, row, now, 'ai_review', agentId, note);
      const actor = agentId ? reviewerPrincipal(row.account_id, agentId, name, asked.sessionId) : engineActor;
      effects.push({
        kind: 'audit',
        input: {
          accountId: row.account_id,
          actor,
          action: 'approval.ai_review',
          target: { type: 'approval', id: row.id },
          outcome,
          runtimeSessionId: row.runtime_session_id,
          data: { ...note, tool: row.tool_name, argsHash: row.args_hash },
        },
      });
      if (decision === null) {
        if (!late) effects.push({ kind: 'changed', row, change: 'ai_review', actorId: agentId });
        return;
      }
      const status = decision === 'approve' ? 'approved' : 'denied';
      const comment = confident ? answer!.reasoning : `AI reviewer fallback (${reviewer.fallback}): ${problem}`;
      const result = await trx
        .updateTable('approval_requests')
        .set({
          status,
          decided_at: now,
          decided_by: agentId,
          decision_comment: comment,
          outcome_reason: confident ? null : `ai_reviewer_fallback: ${problem}`,
          updated_at: now,
          pending_binding: null,
        })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return;
      await addTimeline(trx, row, now, status, agentId, {
        by: 'ai',
        model: reviewer.model,
        confidence: answer?.confidence ?? null,
        fallback: !confident,
      });
      const decided = (await readRequest(trx, context.dialect, row.id))!;
      await context.enqueueNotification(trx, decided, 'approval.resolved');
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
              channel: 'ai',
              comment,
              by: 'ai',
              confidence: answer?.confidence ?? null,
              tool: row.tool_name,
              argsHash: row.args_hash,
            },
          },
        },
        { kind: 'changed', row: decided, change: status, actorId: agentId },
        { kind: 'notify', row: decided, type: 'approval.resolved' },
      );
    });
    await runEffects(context, effects);
  }

  async function review(id: string): Promise<void> {
    const now = context.now();
    const row = await readRequest(context.db, context.dialect, id);
    if (row?.status !== 'pending' || row.ai_review_due_at === null || row.ai_review_due_at > now) return;
    const reviewer = workflowOf(row).aiReviewer;
    if (!reviewer) {
      await context.db.updateTable('approval_requests').set({ ai_review_due_at: null }).where('id', '=', id).execute();
      return;
    }
    const claimed = await context.db
      .updateTable('approval_requests')
      .set({ ai_review_due_at: now + (reviewer.timeoutSeconds + 30) * 1000, ai_review_attempts: row.ai_review_attempts + 1 })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('ai_review_due_at', '=', row.ai_review_due_at)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return; // another instance runs it
    let agentId: string | null = null;
    let asked: Asked;
    try {
      agentId = await reviewerAgentId(row.account_id, context.options.aiReviewer?.agentName ?? 'preloop-ai-reviewer');
      asked =
        row.ai_review_attempts + 1 > maxAttempts
          ? { answer: null, problem: `the review was started ${maxAttempts} times without finishing`, sessionId: null }
          : await ask(row, reviewer, agentId);
    } catch (error) {
      if (stop.signal.aborted) return; // shutting down: the lease lapses and the review runs again
      agents.delete(row.account_id); // the agent may have been decommissioned: look it up again next time
      asked = { answer: null, problem: `the reviewer could not run: ${(error as Error).message}`, sessionId: null };
    }
    await record(id, reviewer, agentId, asked);
  }

  return {
    start(id) {
      if (stop.signal.aborted || running.has(id)) return;
      const run = review(id)
        .catch((error) => preloop.logger.warn('approvals: the AI review failed; it runs again once its lease lapses', { error, id }))
        .finally(() => running.delete(id));
      running.set(id, run);
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running.values()]);
    },
    async close() {
      stop.abort();
      await Promise.all([...running.values()]);
    },
  };
}
