import { createPreloop, createLogger } from '@preloop/core';
import { describePostgres, testDialects, testSecretKey } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { approvals } from './approvals-plugin.js';
import { createApprovalFixture, toolCall, type ApprovalFixture } from './test-fixtures.js';

const workflows = {
  one: { approvers: { roles: ['approver' as const] } },
  quick: { approvers: { roles: ['approver' as const] }, timeoutSeconds: 1 },
  escalating: {
    approvers: { users: [] as string[], roles: ['approver' as const] },
    timeoutSeconds: 60,
    escalation: { afterSeconds: 30, approvers: { roles: ['owner' as const] } },
  },
};

describe.each(testDialects())('timeouts, escalation and waiting on $name', (dialect) => {
  let f: ApprovalFixture;
  afterEach(async () => {
    await f?.cleanup();
  });

  it('expires a request on time with nobody waiting, and a wait started later answers at once', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'quick' }));
    const expired = new Promise<number>((resolve) =>
      f.preloop.events.on('approval-updated', (event) => {
        if (event.id === ticket.id && event.status === 'expired') resolve(Date.now());
      }),
    );
    const at = await expired;
    expect(at).toBeGreaterThanOrEqual(ticket.expiresAt);
    expect(at - ticket.expiresAt).toBeLessThan(2000); // the precise timer, not the 15 s sweep
    expect(await f.engine.wait(ticket.id)).toMatchObject({ status: 'expired', reason: 'timeout' });
  });

  it('wakes a wait when the request is decided, and rejects a wait whose signal aborts', async () => {
    f = await createApprovalFixture(dialect, { workflows, pollIntervalMs: 60_000 });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    const controller = new AbortController();
    const aborted = f.engine.wait(ticket.id, { signal: controller.signal });
    controller.abort(new Error('client went away'));
    await expect(aborted).rejects.toThrow('client went away');
    const waiting = f.engine.wait(ticket.id);
    const started = Date.now();
    await f.engine.decide({ accountId: f.accountId, requestId: ticket.id, actor: f.alice.principal, decision: 'approve', channel: 'api' });
    expect(await waiting).toMatchObject({ status: 'approved' });
    expect(Date.now() - started).toBeLessThan(2000);
    // Disconnect is not cancel: the aborted wait left the request alone, and it was approved.
    expect((await f.engine.get(f.accountId, ticket.id)).status).toBe('approved');
  });

  it('escalates once: the deadline moves, escalation approvers become eligible and are notified, then it expires', async () => {
    let now = Date.now();
    const seen: Array<{ type: string; to: string | null }> = [];
    f = await createApprovalFixture(dialect, {
      workflows,
      clock: () => now,
      publicUrl: 'https://preloop.example.com',
      notifiers: [
        {
          id: 'recorder',
          version: 1,
          async notify(n) {
            seen.push({ type: n.type, to: n.recipient?.name ?? null });
          },
        },
      ],
    });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'escalating' }));
    const created = now;
    expect(ticket.expiresAt).toBe(created + 60_000);
    await expect(
      f.engine.decide({ accountId: f.accountId, requestId: ticket.id, actor: f.owner.principal, decision: 'approve', channel: 'api' }),
    ).rejects.toMatchObject({
      code: 'APPROVER_NOT_ELIGIBLE',
    });
    now = created + 30_000;
    expect(await f.engine.sweep()).toBe(1);
    expect(await f.engine.sweep()).toBe(0); // escalation fires once
    const escalated = await f.engine.get(f.accountId, ticket.id);
    expect(escalated).toMatchObject({ status: 'pending', escalatedAt: created + 30_000, expiresAt: created + 90_000 });
    await f.engine.notificationsIdle();
    expect(seen.filter((entry) => entry.type === 'approval.escalated').map((entry) => entry.to)).toEqual(['owner']);
    expect(
      seen
        .filter((entry) => entry.type === 'approval.requested')
        .map((entry) => entry.to)
        .sort(),
    ).toEqual(['alice', 'bob', 'carol']);
    now = created + 89_999;
    expect(await f.engine.sweep()).toBe(0);
    now = created + 90_000;
    expect(await f.engine.sweep()).toBe(1);
    expect(await f.engine.get(f.accountId, ticket.id)).toMatchObject({ status: 'expired', outcomeReason: 'timeout' });
    const timeline = (await f.engine.detail(f.accountId, ticket.id)).timeline.map((entry) => entry.type);
    expect(timeline.filter((type) => type === 'escalated')).toHaveLength(1);
    expect(timeline.filter((type) => type === 'expired')).toHaveLength(1);
  });

  it('lets an escalation approver decide once escalated (a late sweep escalates inside the decide)', async () => {
    let now = Date.now();
    f = await createApprovalFixture(dialect, { workflows, clock: () => now });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'escalating' }));
    now += 60_000; // past the first deadline, but the escalation has not been swept yet
    const result = await f.engine.decide({
      accountId: f.accountId,
      requestId: ticket.id,
      actor: f.owner.principal,
      decision: 'approve',
      channel: 'api',
    });
    expect(result.request).toMatchObject({ status: 'approved', escalatedAt: now });
  });
});

describePostgres('two kernels on one database', (dialect) => {
  it('wakes a wait on kernel A when kernel B decides', async () => {
    const a = await createApprovalFixture(dialect, { workflows, pollIntervalMs: 60_000 });
    const b = await createPreloop({
      database: a.url,
      secretKey: testSecretKey,
      logger: createLogger({ level: 'silent' }),
      plugins: [approvals({ workflows, pollIntervalMs: 60_000 })],
    });
    try {
      const ticket = await a.engine.request(toolCall(a.agent.principal, { workflow: 'one' }));
      const waiting = a.engine.wait(ticket.id);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      const decided = await b
        .service('approvals')
        .decide({ accountId: a.accountId, requestId: ticket.id, actor: a.alice.principal, decision: 'approve', channel: 'api' });
      expect(decided.resolved).toBe(true);
      expect(await waiting).toMatchObject({ id: ticket.id, status: 'approved' });
      expect(Date.now() - started).toBeLessThan(2000); // far below the 60 s poll: the Bus woke it
      // B sees A's requests and joins them.
      const joined = await b.service('approvals').request(toolCall(a.agent.principal, { workflow: 'one', args: { same: true } }));
      const again = await a.engine.request(toolCall(a.agent.principal, { workflow: 'one', args: { same: true } }));
      expect(again).toMatchObject({ id: joined.id, joined: true });
    } finally {
      await b.close();
      await a.cleanup();
    }
  });

  it('expires a request exactly once when both kernels sweep', async () => {
    let now = Date.now();
    const a = await createApprovalFixture(dialect, { workflows, clock: () => now });
    const b = await createPreloop({
      database: a.url,
      secretKey: testSecretKey,
      logger: createLogger({ level: 'silent' }),
      plugins: [approvals({ workflows, clock: () => now })],
    });
    try {
      const tickets = await Promise.all(
        Array.from({ length: 10 }, () => a.engine.request(toolCall(a.agent.principal, { workflow: 'one' }))),
      );
      now += 300_000;
      await Promise.all([a.engine.sweep(), b.service('approvals').sweep(), a.engine.sweep(), b.service('approvals').sweep()]);
      for (const ticket of tickets) expect((await a.engine.get(a.accountId, ticket.id)).status).toBe('expired');
      const records = await a.preloop.audit.query({ accountId: a.accountId, action: 'approval.expire', limit: 100 });
      expect(records.items).toHaveLength(10);
    } finally {
      await b.close();
      await a.cleanup();
    }
  });
});
