import { testDialects } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApprovalFixture, toolCall, type ApprovalFixture, type TestUser } from './test-fixtures.js';

type Name = 'alice' | 'bob' | 'carol';

describe.each(testDialects())('workflow factors on $name', (dialect) => {
  let f: ApprovalFixture;
  afterEach(async () => {
    await f?.cleanup();
  });

  /** Applies, through the admin API, a policy whose `release` workflow needs 2 approvals from team A and 1 from team B. */
  async function setup(teamA: Name[], teamB: Name[]) {
    f = await createApprovalFixture(dialect);
    const a = await f.preloop.identity.teams.create(f.accountId, { name: 'platform', memberIds: teamA.map((name) => f[name].id) });
    const b = await f.preloop.identity.teams.create(f.accountId, { name: 'security', memberIds: teamB.map((name) => f[name].id) });
    const document = {
      version: 1,
      defaults: { tools: 'require_approval', workflow: 'release' },
      workflows: {
        release: {
          factors: [
            { name: 'platform', approvers: { teams: [a.id] }, quorum: 2 },
            { name: 'security', approvers: { teams: [b.id] } },
          ],
        },
      },
    };
    const applied = await f.api('POST', '/policy', { as: f.owner, body: { document } });
    expect(applied.status).toBe(201);
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'release' }));
    const vote = async (user: TestUser, decision: 'approve' | 'deny') => {
      const response = await f.api('POST', `/approvals/${ticket.id}/decide`, { as: user, body: { decision } });
      return { status: response.status, body: await response.json() };
    };
    const detail = async () => (await f.api('GET', `/approvals/${ticket.id}`, { as: f.dave })).json();
    return { ticket, vote, detail };
  }

  it('needs every factor to reach its own quorum: 2 from team A and 1 from team B', async () => {
    const { vote, detail } = await setup(['alice', 'bob'], ['carol']);
    expect((await vote(f.alice, 'approve')).body.request.status).toBe('pending');
    // Two approvals, both from team A: a single quorum of 2 would have approved; team B has not spoken.
    expect((await vote(f.bob, 'approve')).body).toMatchObject({
      counted: true,
      resolved: false,
      request: { status: 'pending', votes: { approve: 2 } },
    });
    expect(await detail()).toMatchObject({
      workflow: {
        name: 'release',
        quorum: 3,
        factors: [
          { name: 'platform', quorum: 2 },
          { name: 'security', quorum: 1 },
        ],
      },
      factorTallies: [
        { name: 'platform', quorum: 2, approvers: [f.alice.id, f.bob.id] },
        { name: 'security', quorum: 1, approvers: [] },
      ],
    });
    // Someone in neither team may not vote.
    expect((await vote(f.owner, 'approve')).body).toMatchObject({ error: { code: 'APPROVER_NOT_ELIGIBLE' } });
    expect((await vote(f.carol, 'approve')).body).toMatchObject({ resolved: true, request: { status: 'approved' } });
    const decided = await detail();
    expect(decided.factorTallies).toEqual([
      { name: 'platform', quorum: 2, approvers: [f.alice.id, f.bob.id] },
      { name: 'security', quorum: 1, approvers: [f.carol.id] },
    ]);
    expect(decided.timeline.at(-1)).toMatchObject({ type: 'approved', data: { factors: decided.factorTallies } });
  });

  it('counts a person in both teams toward one factor only, whatever the order of votes', async () => {
    // carol is in both teams; alice only in A; bob only in A.
    const { vote, detail } = await setup(['alice', 'bob', 'carol'], ['carol']);
    await vote(f.carol, 'approve');
    expect((await vote(f.alice, 'approve')).body.request.status).toBe('pending'); // carol cannot fill both A's second place and B
    expect((await detail()).factorTallies).toEqual([
      { name: 'platform', quorum: 2, approvers: [f.alice.id] },
      { name: 'security', quorum: 1, approvers: [f.carol.id] },
    ]);
    expect((await vote(f.bob, 'approve')).body.request.status).toBe('approved');
  });

  it('a deny from a member of a required factor vetoes, even once the other factor is complete', async () => {
    const { vote } = await setup(['alice', 'bob'], ['carol']);
    await vote(f.alice, 'approve');
    await vote(f.bob, 'approve');
    expect((await vote(f.carol, 'deny')).body).toMatchObject({ resolved: true, request: { status: 'denied' } });
    expect((await vote(f.alice, 'deny')).body).toMatchObject({ error: { code: 'APPROVAL_VOTE_CONFLICT' } });
  });

  it('refuses a policy mixing approvers and factors, changing nothing', async () => {
    f = await createApprovalFixture(dialect);
    const response = await f.api('POST', '/policy', {
      as: f.owner,
      body: {
        document: {
          version: 1,
          defaults: { tools: 'allow' },
          workflows: { bad: { approvers: { roles: ['admin'] }, factors: [{ name: 'a', approvers: { roles: ['owner'] } }] } },
        },
      },
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('workflows.bad.factors: use either approvers with quorum, or factors');
  });
});
