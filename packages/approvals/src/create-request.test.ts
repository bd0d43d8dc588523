import { testDialects } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApprovalFixture, toolCall, type ApprovalFixture } from './test-fixtures.js';

const workflows = { one: { approvers: { roles: ['approver' as const] } } };

describe.each(testDialects())('requests on $name', (dialect) => {
  let f: ApprovalFixture;
  afterEach(async () => {
    await f?.cleanup();
  });

  const approve = (id: string) =>
    f.engine.decide({ accountId: f.accountId, requestId: id, actor: f.alice.principal, decision: 'approve', channel: 'api' });

  it('joins an identical retried call, even with reordered keys, and keeps distinct calls apart', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const args = { repo: 'acme/api', options: { squash: true, delete: false }, number: 42 };
    const first = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', args }));
    const retried = await Promise.all(
      Array.from({ length: 5 }, () =>
        f.engine.request(
          toolCall(f.agent.principal, {
            workflow: 'one',
            args: { number: 42, options: { delete: false, squash: true }, repo: 'acme/api' },
          }),
        ),
      ),
    );
    expect(first).toMatchObject({ status: 'pending', joined: false });
    for (const ticket of retried) expect(ticket).toMatchObject({ id: first.id, status: 'pending', joined: true });
    // A different argument, tool definition or subject is a different request.
    const otherArgs = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', args: { ...args, number: 43 } }));
    const otherDefinition = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', args, definitionHash: 'def-hash-2' }));
    const otherSubject = await f.engine.request(toolCall(f.dave.principal, { workflow: 'one', args }));
    expect(new Set([first.id, otherArgs.id, otherDefinition.id, otherSubject.id]).size).toBe(4);
    const pending = await f.engine.list(f.accountId, { status: 'pending' });
    expect(pending.items).toHaveLength(4);
    const view = await f.engine.get(f.accountId, first.id);
    expect(view.args).toEqual({ number: 42, options: { delete: false, squash: true }, repo: 'acme/api' });
    expect(view.argsHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('claims execution exactly once, stores the result, and answers a retry with it', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const args = { repo: 'acme/api', number: 1 };
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', args }));
    expect(await f.engine.claimExecution(ticket.id)).toBe(false); // not approved yet
    await expect(f.engine.storeResult(ticket.id, { ok: true })).rejects.toMatchObject({ code: 'APPROVAL_NOT_APPROVED' });
    await approve(ticket.id);
    const claims = await Promise.all(Array.from({ length: 20 }, () => f.engine.claimExecution(ticket.id)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const result = { content: [{ type: 'text', text: 'merged' }] };
    await f.engine.storeResult(ticket.id, result);
    await expect(f.engine.storeResult(ticket.id, { again: true })).rejects.toMatchObject({ code: 'APPROVAL_NOT_APPROVED' });
    expect(await f.engine.status(ticket.id, f.accountId)).toMatchObject({ status: 'executed' });
    const retry = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', args }));
    expect(retry).toMatchObject({ id: ticket.id, status: 'executed', joined: true, storedResult: result });
    expect(await f.engine.storedResult(f.accountId, ticket.id)).toEqual(result);
    const actions = (await f.preloop.audit.query({ accountId: f.accountId, limit: 100 })).items.map((record) => record.action);
    expect(actions.filter((action) => action === 'approval.execute')).toHaveLength(1);
    expect(actions.filter((action) => action === 'approval.result')).toHaveLength(1);
  });

  it('returns an approved but unexecuted request to a retry without a second claim', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const args = { repo: 'acme/api', number: 2 };
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', args }));
    await approve(ticket.id);
    expect(await f.engine.claimExecution(ticket.id)).toBe(true);
    const retry = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', args }));
    expect(retry).toMatchObject({ id: ticket.id, status: 'approved', joined: true });
    expect(await f.engine.claimExecution(retry.id)).toBe(false);
  });

  it('starts a new request after a denied one', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const args = { repo: 'acme/api', number: 3 };
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', args }));
    await f.engine.decide({ accountId: f.accountId, requestId: ticket.id, actor: f.alice.principal, decision: 'deny', channel: 'api' });
    const again = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', args }));
    expect(again.id).not.toBe(ticket.id);
    expect(again).toMatchObject({ status: 'pending', joined: false });
  });

  it('denies requests beyond the per-subject cap, with an approval-flood alert, and accepts again once one resolves', async () => {
    f = await createApprovalFixture(dialect, { workflows, maxPendingPerSubject: 3 });
    const floods: Array<{ subject: string; cap: number }> = [];
    f.preloop.events.on('approval-flood', (payload) => floods.push(payload));
    const tickets = [];
    for (let i = 0; i < 5; i += 1) tickets.push(await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' })));
    expect(tickets.map((ticket) => ticket.status)).toEqual(['pending', 'pending', 'pending', 'denied', 'denied']);
    expect(tickets[3]!.reason).toMatch(/^flood_control: agent:/);
    expect(floods).toHaveLength(2);
    expect(floods[0]).toMatchObject({ subject: `agent:${f.agent.id}`, cap: 3, pending: 3 });
    // Another subject is not affected.
    expect((await f.engine.request(toolCall(f.dave.principal, { workflow: 'one' }))).status).toBe('pending');
    // A denied ticket's wait answers at once.
    expect(await f.engine.wait(tickets[3]!.id)).toMatchObject({ status: 'denied', reason: expect.stringMatching(/^flood_control/) });
    await approve(tickets[0]!.id);
    expect((await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }))).status).toBe('pending');
    const audit = await f.preloop.audit.query({ accountId: f.accountId, action: 'approval.request', limit: 50 });
    expect(audit.items.filter((record) => record.outcome === 'denied')).toHaveLength(2);
  });

  it('holds the cap under concurrent requests', async () => {
    f = await createApprovalFixture(dialect, { workflows, maxPendingPerSubject: 5 });
    const tickets = await Promise.all(Array.from({ length: 30 }, () => f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }))));
    expect(tickets.filter((ticket) => ticket.status === 'pending')).toHaveLength(5);
  });

  it('cancels a pending request once; a later approval is 409', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    const waiting = f.engine.wait(ticket.id);
    await f.engine.cancel(ticket.id, f.agent.principal, 'notifications/cancelled');
    expect(await waiting).toMatchObject({ status: 'cancelled', reason: 'notifications/cancelled' });
    await expect(approve(ticket.id)).rejects.toMatchObject({ code: 'APPROVAL_ALREADY_DECIDED', status: 409 });
    await expect(f.engine.cancel(ticket.id, f.agent.principal)).rejects.toMatchObject({ code: 'APPROVAL_ALREADY_DECIDED' });
    const viaApi = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    const response = await f.api('POST', `/approvals/${viaApi.id}/cancel`, { as: f.owner, body: { reason: 'withdrawn' } });
    expect(await response.json()).toMatchObject({ status: 'cancelled', outcomeReason: 'withdrawn' });
    expect((await f.api('POST', `/approvals/${viaApi.id}/cancel`, { as: f.alice, body: {} })).status).toBe(403);
  });

  it('refuses malformed input with VALIDATION_ERROR', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(f.engine.request({ ...toolCall(f.agent.principal), args: cyclic })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(f.engine.request({ ...toolCall(f.agent.principal), args: { n: 1n } as never })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    await expect(f.engine.request({ ...toolCall(f.agent.principal), tool: { name: '', definitionHash: null } })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    await expect(f.engine.request({ ...toolCall(f.agent.principal), args: [] as never })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
  });

  it('uses the policy workflow, the options workflow, and falls back to owners and admins for unknown names', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const unknown = await f.engine.request(toolCall(f.agent.principal, { workflow: 'no-such-workflow' }));
    const detail = await f.engine.detail(f.accountId, unknown.id);
    expect(detail.timeline[0]).toMatchObject({ type: 'requested', data: { workflowSource: 'fallback' } });
    await expect(approve(unknown.id)).rejects.toMatchObject({ code: 'APPROVER_NOT_ELIGIBLE' });
    expect(
      (
        await f.engine.decide({
          accountId: f.accountId,
          requestId: unknown.id,
          actor: f.owner.principal,
          decision: 'approve',
          channel: 'api',
        })
      ).request.status,
    ).toBe('approved');
    const own = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    expect((await f.engine.detail(f.accountId, own.id)).timeline[0]).toMatchObject({ data: { workflowSource: 'options' } });
  });
});

describe.each(testDialects())('questions on $name', (dialect) => {
  it('records an answer from the offered options, and refuses another when free text is off', async () => {
    const f = await createApprovalFixture(dialect, { workflows });
    try {
      const ticket = await f.engine.request({
        ...toolCall(f.agent.principal, { workflow: 'one', tool: 'ask_user', args: { question: 'Which region?' } }),
        kind: 'question',
        question: { text: 'Which region?', options: ['eu-west-1', 'us-east-1'], allowFreeText: false },
      });
      const decide = (answer: string) =>
        f.engine.decide({
          accountId: f.accountId,
          requestId: ticket.id,
          actor: f.alice.principal,
          decision: 'approve',
          answer,
          channel: 'api',
        });
      await expect(decide('mars-1')).rejects.toMatchObject({ code: 'APPROVAL_INVALID_ANSWER' });
      expect((await decide('eu-west-1')).request).toMatchObject({ status: 'approved', answer: 'eu-west-1', kind: 'question' });
      expect(await f.engine.wait(ticket.id)).toMatchObject({ status: 'approved', answer: 'eu-west-1' });
    } finally {
      await f.cleanup();
    }
  });
});
