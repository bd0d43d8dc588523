import { NotifierError, type ApprovalNotification, type Notifier, type NotifyContext, type NotifyUpdateContext } from '@preloop/core';
import { testDialects } from '@preloop/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApprovalDelivery } from './delivery-outbox.js';
import { resolveApprovalsOptions } from './options.js';
import { createApprovalFixture, toolCall, type ApprovalFixture } from './test-fixtures.js';

const workflows = { one: { approvers: { roles: ['approver' as const] } } };
const fast = { notifierBackoffMs: 5, notifierMaxBackoffMs: 20, notifierTimeoutMs: 500, notifierLeaseMs: 2000 };

type Call = { notification: ApprovalNotification; context: NotifyContext | NotifyUpdateContext; at: number; method: 'notify' | 'update' };

describe.each(testDialects())('notification outbox on $name', (dialect) => {
  let f: ApprovalFixture;
  afterEach(async () => {
    await f?.cleanup();
  });

  it('writes deliveries with the request, one per approver after expansion, with sealed links, and lists them in the admin API', async () => {
    const calls: Call[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const notifier: Notifier = {
      id: 'gated',
      version: 1,
      async notify(notification, context) {
        await gate;
        calls.push({ notification, context, at: Date.now(), method: 'notify' });
      },
    };
    f = await createApprovalFixture(dialect, { workflows, ...fast, publicUrl: 'https://preloop.example.com', notifiers: [notifier] });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    // Committed with the request: visible before anything was sent.
    const early = await f.engine.deliveries(f.accountId, ticket.id);
    expect(early.length).toBeGreaterThan(0);
    expect(early.every((delivery) => ['pending', 'sending'].includes(delivery.status) && delivery.notifier === 'gated')).toBe(true);
    const openDeliveries = async () =>
      (await f.preloop.metrics.registry.getSingleMetric('preloop_approval_deliveries_open')!.get()).values[0]!.value;
    expect(await openDeliveries()).toBeGreaterThan(0);
    release();
    await f.engine.notificationsIdle();
    expect(await openDeliveries()).toBe(0);

    const response = await f.api('GET', `/approvals/${ticket.id}/deliveries`, { as: f.dave });
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: ApprovalDelivery[] };
    expect(items).toHaveLength(3);
    expect(items.map((item) => item.recipient?.name).sort()).toEqual(['alice', 'bob', 'carol']);
    for (const item of items)
      expect(item).toMatchObject({
        requestId: ticket.id,
        type: 'approval.requested',
        status: 'sent',
        attempts: 1,
        nextAttemptAt: null,
        lastError: null,
        sentAt: expect.any(Number),
      });
    // The idempotency key each notifier got is the delivery's id.
    expect(calls.map((call) => call.notification.id).sort()).toEqual(items.map((item) => item.id).sort());
    // The personal links travel sealed: no token in the table.
    const stored = await f.preloop.db
      .selectFrom('approval_deliveries' as never)
      .selectAll()
      .execute();
    const tokens = calls.map((call) => call.notification.links.approve!.split('/links/')[1]!.split('?')[0]!);
    for (const token of tokens) expect(JSON.stringify(stored)).not.toContain(token);

    expect((await f.api('GET', '/approvals/apr_missing/deliveries', { as: f.dave })).status).toBe(404);
    expect((await f.api('GET', `/approvals/${ticket.id}/deliveries`)).status).toBe(401);
  });

  it('fails a permanent failure at once, waits what the channel asks, and gives up after the last attempt', async () => {
    const calls: Call[] = [];
    const notifier: Notifier = {
      id: 'classified',
      version: 1,
      async notify(notification, context) {
        calls.push({ notification, context, at: Date.now(), method: 'notify' });
        const name = notification.recipient?.name;
        if (name === 'alice') throw new NotifierError('no such mailbox', { retryable: false });
        if (name === 'bob' && context.attempt === 1) throw new NotifierError('rate limited', { retryAfterMs: 300 });
        if (name === 'carol') throw new Error('connection reset');
      },
    };
    f = await createApprovalFixture(dialect, { workflows, ...fast, notifierAttempts: 3, notifiers: [notifier] });
    const failures: Array<{ notifierId: string; attempts: number; error: string }> = [];
    f.preloop.events.on('approval-notifier-failed', (payload) => failures.push(payload));
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    await f.engine.notificationsIdle();

    const byName = new Map((await f.engine.deliveries(f.accountId, ticket.id)).map((delivery) => [delivery.recipient!.name, delivery]));
    expect(byName.get('alice')).toMatchObject({ status: 'failed', attempts: 1, lastError: 'no such mailbox' });
    expect(byName.get('bob')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(byName.get('carol')).toMatchObject({ status: 'given_up', attempts: 3, lastError: 'connection reset' });
    expect(calls.filter((call) => call.notification.recipient?.name === 'alice')).toHaveLength(1);
    const toBob = calls.filter((call) => call.notification.recipient?.name === 'bob');
    expect(toBob[1]!.at - toBob[0]!.at).toBeGreaterThanOrEqual(300); // Retry-After over the 5 ms backoff
    expect(failures.map((failure) => [failure.error, failure.attempts]).sort()).toEqual([
      ['connection reset', 3],
      ['no such mailbox', 1],
    ]);
    const detail = await f.engine.detail(f.accountId, ticket.id);
    expect(detail.timeline.filter((entry) => entry.type === 'notify_failed')).toHaveLength(2);
    expect((await f.engine.get(f.accountId, ticket.id)).status).toBe('pending');
  });

  it('retries an expansion that fails (the recipients or links cannot be resolved), then gives it up', async () => {
    const notifier: Notifier = { id: 'unused', version: 1, notify: async () => {} };
    f = await createApprovalFixture(dialect, {
      workflows,
      ...fast,
      notifierAttempts: 2,
      consoleUrl: () => {
        throw new Error('the console URL cannot be built');
      },
      notifiers: [notifier],
    });
    const failures: Array<{ attempts: number; error: string }> = [];
    f.preloop.events.on('approval-notifier-failed', (payload) => failures.push(payload));
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    await f.engine.notificationsIdle();
    expect(await f.engine.deliveries(f.accountId, ticket.id)).toEqual([
      expect.objectContaining({ recipient: null, status: 'given_up', attempts: 2, lastError: 'the console URL cannot be built' }),
    ]);
    expect(failures).toEqual([expect.objectContaining({ attempts: 2, error: 'the console URL cannot be built' })]);
  });

  it('edits the sent message in place with update for the resolved notice, and skips request notices once decided', async () => {
    const calls: Call[] = [];
    const notifier: Notifier = {
      id: 'editable',
      version: 1,
      async notify(notification, context) {
        calls.push({ notification, context, at: Date.now(), method: 'notify' });
        return { messageRef: `msg-${notification.recipient?.userId}` };
      },
      async update(notification, context) {
        calls.push({ notification, context, at: Date.now(), method: 'update' });
      },
    };
    f = await createApprovalFixture(dialect, { workflows, ...fast, notifiers: [notifier] });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    await f.engine.notificationsIdle();
    await f.engine.decide({ accountId: f.accountId, requestId: ticket.id, actor: f.alice.principal, decision: 'approve', channel: 'api' });
    await f.engine.notificationsIdle();

    const requested = calls.filter((call) => call.notification.type === 'approval.requested');
    const resolved = calls.filter((call) => call.notification.type === 'approval.resolved');
    expect(requested.map((call) => call.method)).toEqual(['notify', 'notify', 'notify']);
    expect(resolved.map((call) => call.method)).toEqual(['update', 'update', 'update']);
    for (const call of resolved) {
      const earlier = requested.find((entry) => entry.notification.recipient?.userId === call.notification.recipient?.userId)!;
      expect(call.context).toMatchObject({ messageRef: `msg-${call.notification.recipient?.userId}`, previousId: earlier.notification.id });
      expect(call.notification.request.status).toBe('approved');
    }

    // A request decided before its notice went out: the notice is skipped, the resolved notice still goes.
    const second = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    await f.engine.cancel(second.id, f.owner.principal, 'changed my mind');
    await f.engine.notificationsIdle();
    const deliveries = await f.engine.deliveries(f.accountId, second.id);
    const states = deliveries.map((delivery) => `${delivery.type}:${delivery.status}`);
    expect(states.filter((state) => state.startsWith('approval.resolved')).every((state) => state.endsWith(':sent'))).toBe(true);
    expect(
      states
        .filter((state) => state.startsWith('approval.requested'))
        .every((state) => state.endsWith(':sent') || state.endsWith(':skipped')),
    ).toBe(true);
  });

  it('falls back to the next channel for an approver the first one failed, then to whoever has not reacted after the window', async () => {
    let offset = 0;
    const sent: Array<{ notifier: string; type: string; to: string }> = [];
    const recording = (
      id: string,
      audience: 'approvers' | 'channel',
      fails: (notification: ApprovalNotification) => boolean,
    ): Notifier => ({
      id,
      version: 1,
      audience,
      async notify(notification) {
        if (fails(notification)) throw new NotifierError('no device registered', { retryable: false });
        sent.push({ notifier: id, type: notification.type, to: notification.recipient?.name ?? '*' });
      },
    });
    const to = (notifier: string, type = 'approval.requested') =>
      sent
        .filter((entry) => entry.notifier === notifier && entry.type === type)
        .map((entry) => entry.to)
        .sort();
    f = await createApprovalFixture(dialect, {
      workflows: { three: { approvers: { roles: ['approver'] }, quorum: 3, timeoutSeconds: 3600 } },
      ...fast,
      clock: () => Date.now() + offset,
      notifiers: [
        recording(
          'push',
          'approvers',
          (notification) => notification.recipient?.name === 'alice' && notification.type === 'approval.requested',
        ),
        recording('email', 'approvers', () => false),
        recording('feed', 'channel', () => false),
      ],
      fallback: [{ notifier: 'push' }, { notifier: 'email', afterSeconds: 60 }],
    });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'three' }));
    // Push failed for alice: email goes to her at once; the others wait for the window. The feed is not chained.
    await vi.waitFor(() => expect(to('email')).toEqual(['alice']), { timeout: 10_000, interval: 20 });
    expect(to('push')).toEqual(['bob', 'carol']);
    expect(to('feed')).toEqual(['*']);
    // Bob reacts; 61 s later, email goes to carol only.
    await f.engine.decide({ accountId: f.accountId, requestId: ticket.id, actor: f.bob.principal, decision: 'approve', channel: 'api' });
    offset = 61_000;
    await f.engine.notificationsIdle();
    expect(to('email')).toEqual(['alice', 'carol']);
    // The resolved notice goes where each chained channel reached someone.
    for (const approver of [f.alice, f.carol])
      await f.engine.decide({
        accountId: f.accountId,
        requestId: ticket.id,
        actor: approver.principal,
        decision: 'approve',
        channel: 'api',
      });
    await f.engine.notificationsIdle();
    expect(to('push', 'approval.resolved')).toEqual(['bob', 'carol']);
    expect(to('email', 'approval.resolved')).toEqual(['alice', 'carol']);
    expect(to('feed', 'approval.resolved')).toEqual(['*']);
  });
});

describe.each(testDialects())('flood control per approver on $name', (dialect) => {
  let f: ApprovalFixture;
  afterEach(async () => {
    await f?.cleanup();
  });

  it('sends the first notices one by one, then one digest of those still pending at the end of the window', async () => {
    let offset = 0;
    const received: ApprovalNotification[] = [];
    const notifier: Notifier = {
      id: 'digesting',
      version: 1,
      digests: true,
      notify: async (notification) => void received.push(notification),
    };
    f = await createApprovalFixture(dialect, {
      workflows,
      ...fast,
      clock: () => Date.now() + offset,
      digest: { after: 2, windowSeconds: 60 },
      notifiers: [notifier],
    });
    const tickets: Array<{ id: string }> = [];
    for (let index = 0; index < 5; index += 1)
      tickets.push(await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', tool: `tool_${index}` })));
    await vi.waitFor(
      async () =>
        expect(
          (await Promise.all(tickets.map((ticket) => f.engine.deliveries(f.accountId, ticket.id))))
            .flat()
            .filter((delivery) => delivery.status === 'held'),
        ).toHaveLength(9),
      { timeout: 10_000, interval: 50 },
    );
    const toAlice = (type = 'approval.requested') =>
      received.filter((notification) => notification.recipient?.userId === f.alice.id && notification.type === type);
    expect(toAlice().map((notification) => notification.digest === undefined)).toEqual([true, true]);
    // One of the held requests is decided before the window ends: the digest leaves it out.
    const heldToAlice = (await Promise.all(tickets.map((ticket) => f.engine.deliveries(f.accountId, ticket.id))))
      .flat()
      .filter((delivery) => delivery.recipient?.userId === f.alice.id && delivery.status === 'held');
    expect(heldToAlice).toHaveLength(3);
    const [cancelled, ...stillPending] = heldToAlice.map((delivery) => tickets.findIndex((ticket) => ticket.id === delivery.requestId));
    await f.engine.cancel(tickets[cancelled!]!.id, f.owner.principal, 'not needed');
    offset = 61_000;
    await f.engine.notificationsIdle();
    expect(toAlice()).toHaveLength(3);
    const digest = toAlice()[2]!.digest!;
    expect(digest.total).toBe(2);
    expect(digest.items.map((item) => item.request.tool.name).sort()).toEqual(stillPending.map((index) => `tool_${index}`).sort());
    const after = (await Promise.all(tickets.map((ticket) => f.engine.deliveries(f.accountId, ticket.id))))
      .flat()
      .filter((delivery) => delivery.recipient?.userId === f.alice.id && delivery.type === 'approval.requested');
    expect(after.map((delivery) => `${delivery.digest ? 'digest' : 'notice'}:${delivery.status}`).sort()).toEqual([
      'digest:sent',
      'notice:digested',
      'notice:digested',
      'notice:sent',
      'notice:sent',
      'notice:skipped',
    ]);
    // Nor does a resolved notice follow a notice the approver never got on its own.
    expect(toAlice('approval.resolved')).toHaveLength(0);
  });
});

describe('outbox options', () => {
  it('refuses a lease that does not outlast an attempt, and a fallback naming a notifier that is not installed', async () => {
    expect(() => resolveApprovalsOptions({ notifierTimeoutMs: 5000, notifierLeaseMs: 5000 })).toThrow(
      /"notifierLeaseMs" \(5000\) must exceed "notifierTimeoutMs" \(5000\)/,
    );
    await expect(createApprovalFixture(testDialects()[0]!, { fallback: [{ notifier: 'push' }] })).rejects.toThrow(
      /"fallback" names the notifier "push", which is not installed/,
    );
    expect(() => resolveApprovalsOptions({ fallback: [{ notifier: 'push', afterSeconds: 5 }] })).toThrow(
      /"fallback\[0\]\.afterSeconds" must be 0/,
    );
  });
});
