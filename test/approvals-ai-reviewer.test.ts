/**
 * The AI reviewer of approval workflows (issue 13), with real parts: the
 * approval engine and the model gateway in one kernel, the reviewer's model
 * call going through the gateway's web handler (policy, usage, audit) to a
 * local stand-in that speaks OpenAI's chat completions wire protocol.
 */
import type { ApprovalDetail } from '@preloop/approvals';
import { testDialects } from '@preloop/core/testing';
import { createGateway, gateway } from '@preloop/gateway';
import { openai } from '@preloop/plugin-openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovalFixture, toolCall, type ApprovalFixture } from '../packages/approvals/src/test-fixtures.js';
import { startMockUpstream, type MockRequest, type MockUpstream } from '../packages/gateway/test-fixtures/mock-upstream.js';

const upstreamKey = 'sk-reviewer-upstream-0123456789CANARY';
const secret = 'sk-live-argument-secret-0123456789abcdef';
const approvers = { roles: ['approver' as const] };
const guidelines = 'Approve merges into acme/docs; deny anything touching production.';

/** What the stand-in model answers, chosen by the `scenario` argument of the request under review. */
const replies: Record<string, { content: string; delayMs?: number }> = {
  approve: { content: JSON.stringify({ decision: 'approve', confidence: 0.95, reasoning: 'A docs merge, allowed by the guidelines.' }) },
  deny: { content: JSON.stringify({ decision: 'deny', confidence: 0.9, reasoning: 'It touches production.' }) },
  unsure: { content: JSON.stringify({ decision: 'approve', confidence: 0.5, reasoning: 'Probably fine, not sure.' }) },
  prose: { content: 'Sure, approve it!' },
  extra: { content: JSON.stringify({ decision: 'approve', confidence: 0.99, reasoning: 'ok', override: true }) },
  slow: { content: JSON.stringify({ decision: 'approve', confidence: 0.97, reasoning: 'Looks fine.' }), delayMs: 400 },
};

function scenarioOf(request: MockRequest): string {
  const text = String(request.body?.messages?.[1]?.content ?? '');
  return Object.keys(replies).find((name) => text.includes(`"scenario": "${name}"`)) ?? 'prose';
}

describe.each(testDialects())('AI reviewer on $name', (dialect) => {
  let fixture: ApprovalFixture;
  let upstream: MockUpstream;

  const review = async (workflow: string, scenario: string, args: Record<string, unknown> = {}) => {
    const ticket = await fixture.engine.request(
      toolCall(fixture.agent.principal, { workflow, args: { repo: 'acme/docs', scenario, n: Math.random(), ...args } }),
    );
    await fixture.engine.aiReviewsIdle();
    return { ticket, detail: (await fixture.engine.detail(fixture.accountId, ticket.id)) as ApprovalDetail };
  };
  const aiNote = (detail: ApprovalDetail) => detail.timeline.find((entry) => entry.type === 'ai_review')!.data;

  beforeAll(async () => {
    upstream = await startMockUpstream({ credentials: [upstreamKey] });
    upstream.handle = (request) => {
      const reply = replies[scenarioOf(request)]!;
      return {
        delayMs: reply.delayMs,
        json: {
          id: 'chatcmpl-review',
          object: 'chat.completion',
          created: 1,
          model: 'gpt-4o-mini',
          choices: [
            { index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content: reply.content, refusal: null } },
          ],
          usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
        },
      };
    };
    const reviewer = { model: 'reviewer', guidelines };
    fixture = await createApprovalFixture(
      dialect,
      {
        workflows: {
          decide: { approvers, aiReviewer: { ...reviewer, mode: 'decide' } },
          strict: { approvers, aiReviewer: { ...reviewer, mode: 'decide', fallback: 'deny' } },
          advise: { approvers, aiReviewer: reviewer },
          forbidden: { approvers, aiReviewer: { ...reviewer, model: 'unlisted', mode: 'decide', fallback: 'deny' } },
        },
        aiReviewer: { gateway: (preloop) => createGateway(preloop) },
      },
      {
        plugins: [gateway({ reclaimIntervalMs: 0, writeIntervalMs: 5 }), openai()],
        policy: { version: 1, defaults: { models: { allow: ['reviewer'] } } },
      },
    );
    // `unlisted` exists but the policy's model allow-list does not name it.
    for (const alias of ['reviewer', 'unlisted']) {
      await fixture.preloop
        .service('gateway')
        .models.create(
          fixture.accountId,
          { alias, provider: 'openai', model: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: upstreamKey },
          { type: 'system', name: 'test' },
        );
    }
  });
  afterAll(async () => {
    await fixture?.cleanup();
    await upstream?.close();
  });

  it("decide mode: a confident approve decides; the vote is the AI's, the model never saw the secret argument, the call is metered and audited as the reviewer agent", async () => {
    const { ticket, detail } = await review('decide', 'approve', { token: secret });
    expect(detail.status).toBe('approved');
    expect(detail.voteList).toEqual([
      expect.objectContaining({
        approverType: 'ai',
        decision: 'approve',
        confidence: 0.95,
        channel: 'ai',
        comment: 'A docs merge, allowed by the guidelines.',
      }),
    ]);
    expect(detail.votes).toEqual({ approve: 0, deny: 0 }); // human votes only
    expect(aiNote(detail)).toMatchObject({ outcome: 'decided', counted: true, model: 'reviewer', mode: 'decide' });
    expect(await fixture.engine.wait(ticket.id)).toMatchObject({ status: 'approved', comment: 'A docs merge, allowed by the guidelines.' });

    const sent = upstream.requests.at(-1)!;
    expect(JSON.stringify(sent.body)).not.toContain(secret);
    expect(sent.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'approval_review', strict: true } });
    expect(sent.body.messages[0].content).toContain(guidelines);

    const agentId = detail.voteList[0]!.approverId;
    const agent = await fixture.preloop.identity.agents.get(fixture.accountId, agentId);
    expect(agent).toMatchObject({ name: 'preloop-ai-reviewer', kind: 'ai_reviewer' });
    await fixture.preloop.service('gateway').flush();
    const usage = await (await fixture.api('GET', `/usage?agentId=${agentId}`, { as: fixture.owner })).json();
    expect(usage.items).toEqual([
      expect.objectContaining({ alias: 'reviewer', agentId, runtimeSessionId: aiNote(detail).runtimeSessionId, inputTokens: 120 }),
    ]);
    const audit = (action: string, extra: Record<string, string> = {}) =>
      fixture.preloop.audit.query({ accountId: fixture.accountId, action, ...extra }).then((page) => page.items);
    expect(await audit('model.call', { runtimeSessionId: String(aiNote(detail).runtimeSessionId) })).toHaveLength(1);
    expect(await audit('approval.ai_review', { targetId: ticket.id })).toEqual([
      expect.objectContaining({ actorId: agentId, outcome: 'decided' }),
    ]);
    expect(await audit('approval.decide', { targetId: ticket.id })).toEqual([
      expect.objectContaining({ actorId: agentId, outcome: 'approved' }),
    ]);
  });

  it('decide mode: a confident deny denies', async () => {
    const { detail } = await review('decide', 'deny');
    expect(detail.status).toBe('denied');
    expect(aiNote(detail)).toMatchObject({ outcome: 'decided', decision: 'deny', confidence: 0.9 });
  });

  it('below the threshold: escalated to the humans (pending, a non-counting note); a human approve then decides alone', async () => {
    const { ticket, detail } = await review('decide', 'unsure');
    expect(detail.status).toBe('pending');
    expect(aiNote(detail)).toMatchObject({
      outcome: 'escalated',
      counted: false,
      confidence: 0.5,
      problem: 'confidence 0.5 is below the threshold 0.8',
    });
    expect(detail.voteList).toEqual([expect.objectContaining({ approverType: 'ai', confidence: 0.5 })]);
    expect(detail.votes).toEqual({ approve: 0, deny: 0 });
    const { request } = await fixture.engine.decide({
      accountId: fixture.accountId,
      requestId: ticket.id,
      actor: fixture.alice.principal,
      decision: 'approve',
      channel: 'api',
    });
    expect(request).toMatchObject({ status: 'approved', votes: { approve: 1, deny: 0 } });
  });

  it('malformed output falls back: prose with fallback deny denies; an answer with an extra key escalates by default', async () => {
    const prose = await review('strict', 'prose');
    expect(prose.detail.status).toBe('denied');
    expect(prose.detail.voteList).toEqual([]);
    expect(aiNote(prose.detail)).toMatchObject({ outcome: 'fallback_decided', counted: true, problem: 'the reply is not JSON' });
    expect(await fixture.engine.status(prose.ticket.id, fixture.accountId)).toMatchObject({
      status: 'denied',
      reason: 'ai_reviewer_fallback: the reply is not JSON',
    });

    const extra = await review('decide', 'extra');
    expect(extra.detail.status).toBe('pending');
    expect(aiNote(extra.detail)).toMatchObject({ outcome: 'escalated', counted: false });
    expect(String(aiNote(extra.detail).problem)).toContain('does not match the schema');
  });

  it('advise mode: a confident approve is only a note; a human decides, and overrides while the AI is still thinking', async () => {
    const advised = await review('advise', 'approve');
    expect(advised.detail.status).toBe('pending');
    expect(aiNote(advised.detail)).toMatchObject({ outcome: 'advised', counted: false, decision: 'approve' });

    const before = upstream.requests.length;
    const ticket = await fixture.engine.request(
      toolCall(fixture.agent.principal, { workflow: 'decide', args: { scenario: 'slow', n: Math.random() } }),
    );
    await expect.poll(() => upstream.requests.length).toBe(before + 1); // the model is thinking (it answers after 400 ms)
    const { request } = await fixture.engine.decide({
      accountId: fixture.accountId,
      requestId: ticket.id,
      actor: fixture.bob.principal,
      decision: 'deny',
      channel: 'api',
    });
    expect(request.status).toBe('denied');
    await fixture.engine.aiReviewsIdle();
    const detail = (await fixture.engine.detail(fixture.accountId, ticket.id)) as ApprovalDetail;
    expect(detail.status).toBe('denied');
    expect(aiNote(detail)).toMatchObject({ outcome: 'late', counted: false, decision: 'approve' });
  });

  it('is governed: a model the policy does not allow is refused by the gateway (audited as denied), and the fallback applies', async () => {
    const before = upstream.requests.length;
    const { ticket, detail } = await review('forbidden', 'approve');
    expect(upstream.requests.length).toBe(before);
    expect(detail.status).toBe('denied');
    expect(aiNote(detail)).toMatchObject({ outcome: 'fallback_decided', decision: null });
    expect(String(aiNote(detail).problem)).toMatch(/^the gateway refused or failed the model call \(403\)/);
    expect(await fixture.engine.status(ticket.id, fixture.accountId)).toMatchObject({
      status: 'denied',
      reason: expect.stringContaining('ai_reviewer_fallback: the gateway refused'),
    });
    await fixture.preloop.service('gateway').flush();
    const refused = await fixture.preloop.audit.query({
      accountId: fixture.accountId,
      action: 'model.call',
      runtimeSessionId: String(aiNote(detail).runtimeSessionId),
    });
    expect(refused.items).toEqual([expect.objectContaining({ outcome: 'denied' })]);
  });

  it('stops when its agent is suspended: every review then falls back, until the agent is resumed', async () => {
    const page = await fixture.preloop.identity.agents.list(fixture.accountId, { kind: 'ai_reviewer' });
    const agentId = page.items[0]!.id;
    await fixture.preloop.identity.agents.suspend(fixture.accountId, agentId, 'reviewing the reviewer');
    const before = upstream.requests.length;
    const suspended = await review('decide', 'approve');
    expect(upstream.requests.length).toBe(before);
    expect(suspended.detail.status).toBe('pending');
    expect(aiNote(suspended.detail)).toMatchObject({ outcome: 'escalated', counted: false, decision: null });
    expect(String(aiNote(suspended.detail).problem)).toContain('the reviewer could not run');
    await fixture.preloop.identity.agents.resume(fixture.accountId, agentId);
    expect((await review('decide', 'approve')).detail.status).toBe('approved');
  });

  it('a review whose process stopped is run again by the sweep; after three unfinished starts the fallback applies', async () => {
    const db = fixture.preloop.db.withTables<import('../packages/approvals/src/tables.js').ApprovalTables>();
    const lapse = async (id: string, attempts: number) => {
      await db
        .updateTable('approval_events')
        .set({ type: 'ai_review_old' })
        .where('request_id', '=', id)
        .where('type', '=', 'ai_review')
        .execute();
      await db.deleteFrom('approval_votes').where('request_id', '=', id).execute();
      await db
        .updateTable('approval_requests')
        .set({
          status: 'pending',
          pending_binding: null,
          decided_at: null,
          ai_review_due_at: Date.now() - 1000,
          ai_review_attempts: attempts,
        })
        .where('id', '=', id)
        .execute();
    };
    const first = await review('decide', 'approve');
    await lapse(first.ticket.id, 1);
    await fixture.engine.sweep();
    await fixture.engine.aiReviewsIdle();
    expect(await fixture.engine.status(first.ticket.id, fixture.accountId)).toMatchObject({ status: 'approved' });

    const second = await review('strict', 'approve');
    await lapse(second.ticket.id, 3);
    await fixture.engine.sweep();
    await fixture.engine.aiReviewsIdle();
    expect(await fixture.engine.status(second.ticket.id, fixture.accountId)).toMatchObject({
      status: 'denied',
      reason: 'ai_reviewer_fallback: the review was started 3 times without finishing',
    });
  });
});
