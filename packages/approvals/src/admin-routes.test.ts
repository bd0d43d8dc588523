import { testDialects } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApprovalFixture, toolCall, type ApprovalFixture } from './test-fixtures.js';

const workflows = { one: { approvers: { roles: ['approver' as const] } } };

async function readEvents(response: Response, count: number): Promise<Array<{ event: string; data: Record<string, unknown> }>> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: Array<{ event: string; data: Record<string, unknown> }> = [];
  let buffer = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let index: number;
    while ((index = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, index);
      buffer = buffer.slice(index + 2);
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (event && data && event.startsWith('approval-')) events.push({ event, data: JSON.parse(data) });
    }
  }
  await reader.cancel();
  return events;
}

describe.each(testDialects())('approval admin routes on $name', (dialect) => {
  let f: ApprovalFixture;
  afterEach(async () => {
    await f?.cleanup();
  });

  it('lists with filters and cursor pagination, and shows one request with votes and timeline', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push(
        (await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', tool: i < 3 ? 'deploy' : 'github.merge_pull_request' }))).id,
      );
    const byDave = await f.engine.request(toolCall(f.dave.principal, { workflow: 'one', tool: 'deploy' }));
    await f.engine.decide({
      accountId: f.accountId,
      requestId: ids[0]!,
      actor: f.alice.principal,
      decision: 'approve',
      comment: 'ok',
      channel: 'api',
    });

    const first = await (await f.api('GET', '/approvals?limit=4', { as: f.dave })).json();
    expect(first.items).toHaveLength(4);
    expect(first.items[0].id).toBe(byDave.id); // newest first
    const second = await (await f.api('GET', `/approvals?limit=4&cursor=${first.nextCursor}`, { as: f.dave })).json();
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].map((item: { id: string }) => item.id)).toEqual([byDave.id, ...[...ids].reverse()]);

    const pendingDeploys = await (await f.api('GET', '/approvals?status=pending&tool=deploy', { as: f.dave })).json();
    expect(pendingDeploys.items.map((item: { id: string }) => item.id)).toEqual([byDave.id, ids[2], ids[1]]);
    const byAgent = await (await f.api('GET', `/approvals?subject=${f.agent.id}`, { as: f.dave })).json();
    expect(byAgent.items).toHaveLength(5);
    expect((await f.api('GET', '/approvals?status=nope', { as: f.dave })).status).toBe(400);
    expect((await f.api('GET', '/approvals?cursor=bogus', { as: f.dave })).status).toBe(400);
    expect((await f.api('GET', '/approvals')).status).toBe(401);

    const detail = await (await f.api('GET', `/approvals/${ids[0]}`, { as: f.dave })).json();
    expect(detail).toMatchObject({
      id: ids[0],
      status: 'approved',
      decidedBy: f.alice.id,
      comment: 'ok',
      votes: { approve: 1, deny: 0 },
      voteList: [{ approverId: f.alice.id, decision: 'approve', channel: 'api', comment: 'ok' }],
      subject: { type: 'agent', id: f.agent.id, agentId: f.agent.id },
      workflow: { name: 'one', quorum: 1 },
    });
    expect(detail.timeline.map((entry: { type: string }) => entry.type)).toEqual(['requested', 'vote', 'approved']);
    expect((await f.api('GET', '/approvals/apr_missing', { as: f.dave })).status).toBe(404);
  });

  it('streams approval-created and approval-updated over the admin SSE stream', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const controller = new AbortController();
    const stream = await f.preloop.api(
      new Request('http://localhost/api/v1/events', { headers: { authorization: `Bearer ${f.dave.key}` }, signal: controller.signal }),
    );
    expect(stream.status).toBe(200);
    const events = readEvents(stream, 3);
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    await f.engine.decide({ accountId: f.accountId, requestId: ticket.id, actor: f.alice.principal, decision: 'approve', channel: 'api' });
    await f.engine.claimExecution(ticket.id);
    const received = await events;
    controller.abort();
    expect(received.map((entry) => [entry.event, entry.data.status])).toEqual([
      ['approval-created', 'pending'],
      ['approval-updated', 'approved'],
      ['approval-updated', 'approved'],
    ]);
    expect(received.every((entry) => entry.data.accountId === f.accountId && entry.data.id === ticket.id)).toBe(true);
  });

  it('answers every route and refusal with the body its contract declares (validateResponses is on)', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const ask = async () => (await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }))).id;
    const readiness = await f.api('GET', '/approvals/readiness', { as: f.dave });
    expect(readiness.status).toBe(200);
    expect(await readiness.json()).toMatchObject({
      ready: expect.any(Boolean),
      workflows: expect.arrayContaining([expect.objectContaining({ workflow: 'one' })]),
      remedies: expect.any(Array),
    });

    // Cancel answers the request as the caller now sees it, like every other approval route.
    const cancelled = await ask();
    const cancel = await f.api('POST', `/approvals/${cancelled}/cancel`, { as: f.owner, body: { reason: 'not needed' } });
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toMatchObject({
      id: cancelled,
      status: 'cancelled',
      outcomeReason: 'not needed',
      viewer: { canDecide: false, reason: 'not_pending' },
    });
    expect((await f.api('POST', `/approvals/${cancelled}/cancel`, { as: f.owner })).status).toBe(409);
    expect((await f.api('POST', '/approvals/apr_missing/cancel', { as: f.owner })).status).toBe(404);
    expect((await f.api('POST', `/approvals/${cancelled}/decide`, { as: f.alice, body: { decision: 'approve' } })).status).toBe(409);
    expect((await f.api('POST', '/approvals/apr_missing/decide', { as: f.alice, body: { decision: 'approve' } })).status).toBe(404);

    const approved = await ask();
    const decided = await f.api('POST', `/approvals/${approved}/decide`, { as: f.alice, body: { decision: 'approve', comment: 'ok' } });
    expect(decided.status).toBe(200);
    expect(await decided.json()).toMatchObject({
      counted: true,
      resolved: true,
      request: { id: approved, status: 'approved', viewer: { canDecide: false } },
    });
    expect(
      (
        await f.api('POST', `/approvals/${approved}/resolve-execution`, {
          as: f.owner,
          body: { outcome: 'executed', note: 'checked the logs' },
        })
      ).status,
    ).toBe(409);

    const open = await ask();
    const minted = await f.api('POST', `/approvals/${open}/links`, { as: f.owner, body: { approverId: f.alice.id, decision: 'approve' } });
    expect(minted.status).toBe(201);
    expect(await minted.json()).toMatchObject({
      token: expect.stringMatching(/^pla_/),
      approverId: f.alice.id,
      decision: 'approve',
      url: expect.stringContaining(`/api/v1/approvals/${open}/links/`),
    });
    expect((await f.api('POST', '/approvals/apr_missing/links', { as: f.owner, body: { approverId: f.alice.id } })).status).toBe(404);
    expect((await f.api('GET', `/approvals/${open}/arguments`, { as: f.owner })).status).toBe(200);
    expect((await f.api('GET', '/approvals/apr_missing/arguments', { as: f.owner })).status).toBe(404);
  });

  it('documents its routes in the OpenAPI document', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const document = await (await f.api('GET', '/openapi.json')).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/approvals', '/api/v1/approvals/{id}', '/api/v1/approvals/{id}/decide']),
    );
  });
});
