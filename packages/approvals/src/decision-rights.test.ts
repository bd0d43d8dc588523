import { testDialects } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApprovalFixture, toolCall, type ApprovalFixture, type TestUser } from './test-fixtures.js';

const workflows = {
  one: { approvers: { roles: ['approver' as const] } },
  two: { approvers: { roles: ['approver' as const] }, quorum: 2 },
};

type Viewer = { canDecide: boolean; reason?: string; vote?: string };

describe.each(testDialects())('who may decide, per viewer, on $name', (dialect) => {
  let f: ApprovalFixture;
  afterEach(async () => {
    await f?.cleanup();
  });

  async function viewerOf(as: TestUser, id: string): Promise<Viewer> {
    const list = await (await f.api('GET', '/approvals?status=pending', { as })).json();
    const listed = list.items.find((item: { id: string }) => item.id === id)?.viewer as Viewer | undefined;
    const detail = (await (await f.api('GET', `/approvals/${id}`, { as })).json()).viewer as Viewer;
    expect(listed ?? detail).toEqual(detail); // the list and the detail say the same
    return detail;
  }

  it('says why each viewer may not decide, and the decide path refuses exactly those', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    // Carol owns a second agent (and its key): she may not decide its calls.
    const carolsAgent = await f.preloop.identity.agents.enroll(f.accountId, {
      name: 'carols-bot',
      kind: 'custom',
      ownerUserId: f.carol.id,
    });
    const { key } = await f.preloop.identity.apiKeys.create(f.accountId, {
      name: 'carols-bot-key',
      scopes: ['mcp'],
      agentId: carolsAgent.id,
      userId: f.carol.id,
    });
    const carolsPrincipal = (await f.preloop.authenticate(
      new Request('http://localhost/mcp', { headers: { authorization: `Bearer ${key}` } }),
    ))!;

    const fromDavesAgent = await f.engine.request(toolCall(f.agent.principal, { workflow: 'two' }));
    const fromAlice = await f.engine.request(toolCall(f.alice.principal, { workflow: 'one' }));
    const fromCarolsAgent = await f.engine.request(toolCall(carolsPrincipal, { workflow: 'one' }));

    expect(await viewerOf(f.dave, fromDavesAgent.id)).toEqual({ canDecide: false, reason: 'viewer_role' });
    expect(await viewerOf(f.owner, fromDavesAgent.id)).toEqual({ canDecide: false, reason: 'not_an_approver' }); // "approver" names the role exactly
    expect(await viewerOf(f.alice, fromDavesAgent.id)).toEqual({ canDecide: true });
    expect(await viewerOf(f.alice, fromAlice.id)).toEqual({ canDecide: false, reason: 'requester' });
    expect(await viewerOf(f.carol, fromCarolsAgent.id)).toEqual({ canDecide: false, reason: 'key_owner' });
    expect(await viewerOf(f.bob, fromCarolsAgent.id)).toEqual({ canDecide: true });
    // An approver's read-only key may look, not decide (the decide route wants admin:write).
    const { key: readOnly } = await f.preloop.identity.apiKeys.create(f.accountId, {
      name: 'bob-read',
      scopes: ['admin:read'],
      userId: f.bob.id,
    });
    const bobReading = { ...f.bob, key: readOnly };
    expect(await viewerOf(bobReading, fromCarolsAgent.id)).toEqual({ canDecide: false, reason: 'read_only_key' });
    expect((await f.api('POST', `/approvals/${fromCarolsAgent.id}/decide`, { as: bobReading, body: { decision: 'approve' } })).status).toBe(
      403,
    );

    // The decide path agrees, reason for reason.
    const decide = (as: TestUser, id: string) => f.api('POST', `/approvals/${id}/decide`, { as, body: { decision: 'approve' } });
    expect((await decide(f.dave, fromDavesAgent.id)).status).toBe(403);
    expect((await (await decide(f.owner, fromDavesAgent.id)).json()).error.code).toBe('APPROVER_NOT_ELIGIBLE');
    expect((await (await decide(f.alice, fromAlice.id)).json()).error.code).toBe('SELF_APPROVAL_FORBIDDEN');
    expect((await (await decide(f.carol, fromCarolsAgent.id)).json()).error.code).toBe('SELF_APPROVAL_FORBIDDEN');
    const voted = await decide(f.alice, fromDavesAgent.id);
    expect(voted.status).toBe(200);
    expect((await voted.json()).request.viewer).toEqual({ canDecide: false, reason: 'already_voted', vote: 'approve' });

    // Alice voted (quorum 2: still pending): she is told so, with her vote; Bob still may.
    expect(await viewerOf(f.alice, fromDavesAgent.id)).toEqual({ canDecide: false, reason: 'already_voted', vote: 'approve' });
    expect(await viewerOf(f.bob, fromDavesAgent.id)).toEqual({ canDecide: true });
    expect((await decide(f.bob, fromDavesAgent.id)).status).toBe(200);
    // Resolved: nobody may decide any more.
    expect(await viewerOf(f.carol, fromDavesAgent.id)).toEqual({ canDecide: false, reason: 'not_pending' });
    expect((await (await decide(f.carol, fromDavesAgent.id)).json()).error.code).toBe('APPROVAL_ALREADY_DECIDED');
  });

  it('reads readiness: the only admin cannot approve their own agents under the default policy, until a second one exists', async () => {
    f = await createApprovalFixture(dialect, {
      workflows: {
        ...workflows,
        solo: { approvers: { roles: ['admin' as const] } },
        soloTest: { approvers: { roles: ['admin' as const] }, separationOfDuties: false },
        four: { approvers: { roles: ['approver' as const] }, quorum: 4 },
      },
    });
    const readiness = async () => (await f.api('GET', '/approvals/readiness', { as: f.dave })).json();
    let result = await readiness();
    const byName = (name: string) => result.workflows.find((entry: { workflow: string }) => entry.workflow === name);
    expect(result.ready).toBe(false);
    expect(byName('admins')).toMatchObject({
      source: 'policy',
      status: 'self_approval_only',
      approvers: [{ id: f.owner.id, name: 'owner' }],
      blockedOwners: [{ id: f.owner.id, name: 'owner' }],
    });
    expect(byName('admins').message).toContain('nobody can approve calls from agents or keys owned by owner');
    expect(byName('one')).toMatchObject({ status: 'ready', message: null });
    expect(byName('two')).toMatchObject({ status: 'ready' });
    expect(byName('four')).toMatchObject({ status: 'no_approvers' });
    expect(byName('solo')).toMatchObject({ status: 'no_approvers' }); // nobody has role admin
    expect(byName('soloTest')).toMatchObject({ status: 'no_approvers' });
    expect(result.remedies.join(' ')).toContain('separationOfDuties: false');

    const admin = await f.preloop.identity.users.create(f.accountId, { email: 'erin@example.com', name: 'erin', role: 'admin' });
    result = await readiness();
    expect(byName('admins')).toMatchObject({ status: 'ready', blockedOwners: [], message: null });
    expect(byName('solo')).toMatchObject({ status: 'self_approval_only', blockedOwners: [{ id: admin.id, name: 'erin' }] });
    expect(byName('soloTest')).toMatchObject({ status: 'ready' }); // no separation of duties: erin may approve her own agents
    expect((await f.api('GET', '/approvals/readiness')).status).toBe(401);
  });
});
