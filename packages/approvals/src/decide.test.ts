import { testDialects } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApprovalFixture, toolCall, type ApprovalFixture } from './test-fixtures.js';

const workflows = {
  one: { approvers: { roles: ['approver' as const] } },
  two: { approvers: { roles: ['approver' as const] }, quorum: 2 },
  reasoned: { approvers: { roles: ['approver' as const] }, requireReason: true },
  owners: { approvers: { roles: ['owner' as const] } },
  viewers: { approvers: { roles: ['viewer' as const, 'approver' as const] } },
  relaxed: { approvers: { roles: ['viewer' as const] }, separationOfDuties: false },
  short: { approvers: { roles: ['approver' as const] }, timeoutSeconds: 60 },
};

describe.each(testDialects())('deciding on $name', (dialect) => {
  let f: ApprovalFixture;
  let now = Date.now();
  const clock = () => now;
  afterEach(async () => {
    await f?.cleanup();
  });

  it('with quorum 2, one person voting through the API and a link counts once', async () => {
    f = await createApprovalFixture(dialect, { workflows, publicUrl: 'https://preloop.example.com' });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'two' }));
    const viaApi = await f.api('POST', `/approvals/${ticket.id}/decide`, {
      as: f.alice,
      body: { decision: 'approve', comment: 'looks fine' },
    });
    expect(viaApi.status).toBe(200);
    expect(await viaApi.json()).toMatchObject({
      counted: true,
      resolved: false,
      request: { status: 'pending', votes: { approve: 1, deny: 0 } },
    });

    const link = await f.engine.mintLink({ accountId: f.accountId, requestId: ticket.id, approverId: f.alice.id });
    const viaLink = await f.preloop.api(
      new Request(link.url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: link.token, decision: 'approve' }),
      }),
    );
    expect(viaLink.status).toBe(200);
    expect(await viaLink.json()).toMatchObject({ counted: false, resolved: false, request: { status: 'pending' } });
    expect((await f.engine.get(f.accountId, ticket.id)).votes).toEqual({ approve: 1, deny: 0 });

    const second = await f.api('POST', `/approvals/${ticket.id}/decide`, { as: f.bob, body: { decision: 'approve' } });
    expect(await second.json()).toMatchObject({
      counted: true,
      resolved: true,
      request: { status: 'approved', votes: { approve: 2, deny: 0 } },
    });
    const detail = await f.engine.detail(f.accountId, ticket.id);
    expect(detail.voteList.map((vote) => [vote.approverId, vote.channel])).toEqual([
      [f.alice.id, 'api'],
      [f.bob.id, 'api'],
    ]);
  });

  it('refuses self-approval: the requesting user, the owner of the requesting key, the owner of the agent', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    // dave (a viewer, eligible in "viewers") asks himself, through the console.
    const own = await f.engine.request(toolCall(f.dave.principal, { workflow: 'viewers' }));
    await expect(
      f.engine.decide({ accountId: f.accountId, requestId: own.id, actor: f.dave.principal, decision: 'approve', channel: 'api' }),
    ).rejects.toMatchObject({
      code: 'SELF_APPROVAL_FORBIDDEN',
      status: 403,
    });
    // The agent's key belongs to dave, who also owns the agent: dave may not approve its calls, even with his own admin key.
    const byAgent = await f.engine.request(toolCall(f.agent.principal, { workflow: 'viewers' }));
    const daveKey = (await f.preloop.authenticate(
      new Request('http://localhost/api', { headers: { authorization: `Bearer ${f.dave.key}` } }),
    ))!;
    expect(daveKey.type).toBe('api_key');
    await expect(
      f.engine.decide({ accountId: f.accountId, requestId: byAgent.id, actor: daveKey, decision: 'approve', channel: 'api' }),
    ).rejects.toMatchObject({
      code: 'SELF_APPROVAL_FORBIDDEN',
    });
    // An API key owned by alice, used to make the request: alice may not approve it.
    const { key } = await f.preloop.identity.apiKeys.create(f.accountId, { name: 'alice-mcp', scopes: ['mcp'], userId: f.alice.id });
    const aliceKey = (await f.preloop.authenticate(new Request('http://localhost/mcp', { headers: { authorization: `Bearer ${key}` } })))!;
    const byKey = await f.engine.request(toolCall(aliceKey, { workflow: 'one' }));
    await expect(
      f.engine.decide({ accountId: f.accountId, requestId: byKey.id, actor: f.alice.principal, decision: 'approve', channel: 'api' }),
    ).rejects.toMatchObject({
      code: 'SELF_APPROVAL_FORBIDDEN',
    });
    // The agent itself never approves.
    await expect(
      f.engine.decide({ accountId: f.accountId, requestId: byKey.id, actor: f.agent.principal, decision: 'approve', channel: 'api' }),
    ).rejects.toMatchObject({
      code: 'APPROVER_NOT_ELIGIBLE',
    });
    // Everything is still pending, and each refusal is audited.
    for (const id of [own.id, byAgent.id, byKey.id]) expect((await f.engine.get(f.accountId, id)).status).toBe('pending');
    const refused = await f.preloop.audit.query({ accountId: f.accountId, action: 'approval.decide', limit: 50 });
    expect(refused.items.filter((record) => record.outcome === 'refused').length).toBeGreaterThanOrEqual(4);
    // With separation of duties off, dave may decide.
    const relaxed = await f.engine.request(toolCall(f.dave.principal, { workflow: 'relaxed' }));
    const ok = await f.engine.decide({
      accountId: f.accountId,
      requestId: relaxed.id,
      actor: f.dave.principal,
      decision: 'approve',
      channel: 'api',
    });
    expect(ok.request.status).toBe('approved');
  });

  it('yields exactly one outcome for 50 concurrent approve and deny calls', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const approvers = [f.alice, f.bob, f.carol];
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    const calls = Array.from({ length: 50 }, (_, index) =>
      f
        .api('POST', `/approvals/${ticket.id}/decide`, {
          as: approvers[index % 3],
          body: { decision: index % 2 === 0 ? 'approve' : 'deny' },
        })
        .then(async (response) => ({ status: response.status, body: await response.json() })),
    );
    const results = await Promise.all(calls);
    const winners = results.filter((result) => result.status === 200 && result.body.resolved === true);
    expect(winners).toHaveLength(1);
    const final = winners[0]!.body.request.status;
    expect(['approved', 'denied']).toContain(final);
    for (const result of results) {
      if (result.status === 200) {
        // Only the winner, or the winner's own identical repeat (counted once), succeed.
        expect(result.body.request.status).toBe(final);
        if (!result.body.resolved) expect(result.body.counted).toBe(false);
      } else {
        expect(result.status).toBe(409);
        expect(['APPROVAL_ALREADY_DECIDED', 'APPROVAL_VOTE_CONFLICT']).toContain(result.body.error.code);
      }
    }
    const detail = await f.engine.detail(f.accountId, ticket.id);
    expect(detail.status).toBe(final);
    expect(detail.voteList).toHaveLength(1);
    expect(detail.timeline.filter((entry) => entry.type === 'approved' || entry.type === 'denied')).toHaveLength(1);
    const decided = await f.preloop.audit.query({ accountId: f.accountId, action: 'approval.decide', limit: 100 });
    expect(decided.items.filter((record) => record.outcome === final)).toHaveLength(1);
    expect(decided.items.filter((record) => record.outcome === 'refused' && record.data.refused).length).toBe(
      results.filter((r) => r.status !== 200).length,
    );
  });

  it('lets exactly one of 50 distinct approvers deciding at once win; the other 49 get 409', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const principals = await Promise.all(
      Array.from({ length: 50 }, async (_, index) => {
        const user = await f.preloop.identity.users.create(f.accountId, {
          email: `approver${index}@example.com`,
          name: `approver ${index}`,
          role: 'approver',
        });
        return { ...f.alice.principal, id: user.id, userId: user.id, name: user.name };
      }),
    );
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    const settled = await Promise.allSettled(
      principals.map((actor, index) =>
        f.engine.decide({ accountId: f.accountId, requestId: ticket.id, actor, decision: index % 2 ? 'deny' : 'approve', channel: 'api' }),
      ),
    );
    const fulfilled = settled.filter((result) => result.status === 'fulfilled');
    expect(fulfilled).toHaveLength(1);
    const rejected = settled.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(rejected.map((result) => result.reason.code)).toEqual(Array(49).fill('APPROVAL_ALREADY_DECIDED'));
    const detail = await f.engine.detail(f.accountId, ticket.id);
    expect(detail.voteList).toHaveLength(1);
    expect(detail.status).toBe(detail.voteList[0]!.decision === 'approve' ? 'approved' : 'denied');
  });

  it('refuses a decision after the timeout (410), audits it and leaves the request expired', async () => {
    now = Date.now();
    f = await createApprovalFixture(dialect, { workflows, clock });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'short' }));
    now += 60_000; // exactly at the deadline: too late
    const response = await f.api('POST', `/approvals/${ticket.id}/decide`, { as: f.alice, body: { decision: 'approve' } });
    expect(response.status).toBe(410);
    expect((await response.json()).error.code).toBe('APPROVAL_EXPIRED');
    const view = await f.engine.get(f.accountId, ticket.id);
    expect(view).toMatchObject({ status: 'expired', outcomeReason: 'timeout', votes: { approve: 0, deny: 0 } });
    expect(await f.engine.wait(ticket.id)).toMatchObject({ status: 'expired', reason: 'timeout' });
    expect(await f.engine.claimExecution(ticket.id)).toBe(false);
    const records = await f.preloop.audit.query({ accountId: f.accountId, limit: 100 });
    expect(
      records.items.some(
        (record) => record.action === 'approval.decide' && record.outcome === 'refused' && record.data.refused === 'APPROVAL_EXPIRED',
      ),
    ).toBe(true);
    expect(records.items.filter((record) => record.action === 'approval.expire')).toHaveLength(1);
  });

  it('accepts a decision 1 ms before the deadline', async () => {
    now = Date.now();
    f = await createApprovalFixture(dialect, { workflows, clock });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'short' }));
    now += 59_999;
    const result = await f.engine.decide({
      accountId: f.accountId,
      requestId: ticket.id,
      actor: f.alice.principal,
      decision: 'approve',
      channel: 'api',
    });
    expect(result.request.status).toBe('approved');
  });

  it('lets one eligible deny veto, enforces eligibility and requireReason', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'two' }));
    await f.engine.decide({ accountId: f.accountId, requestId: ticket.id, actor: f.alice.principal, decision: 'approve', channel: 'api' });
    // The owner is not named by "two" (roles match exactly).
    await expect(
      f.engine.decide({ accountId: f.accountId, requestId: ticket.id, actor: f.owner.principal, decision: 'approve', channel: 'api' }),
    ).rejects.toMatchObject({
      code: 'APPROVER_NOT_ELIGIBLE',
    });
    // Alice may not change her vote.
    await expect(
      f.engine.decide({ accountId: f.accountId, requestId: ticket.id, actor: f.alice.principal, decision: 'deny', channel: 'api' }),
    ).rejects.toMatchObject({
      code: 'APPROVAL_VOTE_CONFLICT',
      status: 409,
    });
    const denied = await f.engine.decide({
      accountId: f.accountId,
      requestId: ticket.id,
      actor: f.bob.principal,
      decision: 'deny',
      comment: 'no',
      channel: 'api',
    });
    expect(denied).toMatchObject({
      resolved: true,
      request: { status: 'denied', comment: 'no', decidedBy: f.bob.id, votes: { approve: 1, deny: 1 } },
    });
    expect(await f.engine.wait(ticket.id)).toMatchObject({ status: 'denied', comment: 'no' });

    const reasoned = await f.engine.request(toolCall(f.agent.principal, { workflow: 'reasoned' }));
    const missing = await f.api('POST', `/approvals/${reasoned.id}/decide`, { as: f.alice, body: { decision: 'approve', comment: '   ' } });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.code).toBe('APPROVAL_REASON_REQUIRED');
    const given = await f.api('POST', `/approvals/${reasoned.id}/decide`, {
      as: f.alice,
      body: { decision: 'approve', comment: 'ticket OPS-12' },
    });
    expect((await given.json()).request.status).toBe('approved');
  });

  it('refuses the decide route to a viewer and to another account', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    expect((await f.api('POST', `/approvals/${ticket.id}/decide`, { as: f.dave, body: { decision: 'approve' } })).status).toBe(403);
    expect((await f.api('POST', `/approvals/${ticket.id}/decide`, { body: { decision: 'approve' } })).status).toBe(401);
    await expect(
      f.engine.decide({
        accountId: 'acc_other',
        requestId: ticket.id,
        actor: { ...f.alice.principal, accountId: 'acc_other' },
        decision: 'approve',
        channel: 'api',
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
