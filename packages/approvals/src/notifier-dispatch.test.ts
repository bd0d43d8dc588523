import type { ApprovalNotification, Notifier, NotifyContext } from '@preloop/core';
import { definePlugin } from '@preloop/core';
import { testDialects } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApprovalFixture, toolCall, type ApprovalFixture } from './test-fixtures.js';

const workflows = { one: { approvers: { roles: ['approver' as const] } } };
const fast = { notifierBackoffMs: 5, notifierMaxBackoffMs: 20, notifierTimeoutMs: 200 };

/** A notifier that fails its first `failures` attempts of each notification, then succeeds. */
function flaky(failures: number, id = 'flaky') {
  const calls: Array<{ notification: ApprovalNotification; context: NotifyContext }> = [];
  const notifier: Notifier = {
    id,
    version: 1,
    async notify(notification, context) {
      calls.push({ notification, context });
      if (context.attempt <= failures) throw new Error(`outage (attempt ${context.attempt})`);
    },
  };
  return { notifier, calls };
}

describe.each(testDialects())('notifiers on $name', (dialect) => {
  let f: ApprovalFixture;
  afterEach(async () => {
    await f?.cleanup();
  });

  it('retries a failing notifier with the same notification id, and never decides', async () => {
    const { notifier, calls } = flaky(2);
    f = await createApprovalFixture(dialect, { workflows, ...fast, publicUrl: 'https://preloop.example.com', notifiers: [notifier] });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    expect(ticket.status).toBe('pending'); // the request did not wait for the notifier
    await f.engine.notificationsIdle();
    const toAlice = calls.filter((call) => call.notification.recipient?.userId === f.alice.id);
    expect(toAlice.map((call) => call.context.attempt)).toEqual([1, 2, 3]);
    expect(new Set(toAlice.map((call) => call.notification.id)).size).toBe(1);
    // Approvers get personal links; the requester (dave owns the agent and its key) is not notified.
    const recipients = [...new Set(calls.map((call) => call.notification.recipient?.name))].sort();
    expect(recipients).toEqual(['alice', 'bob', 'carol']);
    const links = toAlice[0]!.notification.links;
    expect(links.approve).toMatch(
      new RegExp(`^https://preloop.example.com/api/v1/approvals/${ticket.id}/links/pla_[A-Za-z0-9_-]{43}\\?decision=approve$`),
    );
    expect(toAlice[0]!.notification.request).toMatchObject({
      id: ticket.id,
      status: 'pending',
      tool: { name: 'github.merge_pull_request' },
    });
    expect(await f.engine.get(f.accountId, ticket.id)).toMatchObject({ status: 'pending', votes: { approve: 0, deny: 0 } });
    // One audit record per delivery (notification, recipient, notifier), with the attempts it took.
    const audit = await f.preloop.audit.query({ accountId: f.accountId, action: 'approval.notify', limit: 10 });
    expect(audit.items.map((record) => [record.outcome, record.data.notifier, record.data.status, record.data.attempts])).toEqual(
      Array(3).fill(['success', 'flaky', 'sent', 3]),
    );
    expect(new Set(audit.items.map((record) => record.data.recipient))).toEqual(new Set([f.alice.id, f.bob.id, f.carol.id]));
    // The link from the notification works.
    const response = await f.preloop.api(
      new Request(links.view!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: links.view!.split('/').pop(), decision: 'approve' }),
      }),
    );
    expect(response.status).toBe(200);
    await f.engine.notificationsIdle();
    expect(calls.filter((call) => call.notification.type === 'approval.resolved').length).toBeGreaterThan(0);
  });

  it('gives up after the last attempt: emits approval-notifier-failed, audits it, and the request stays pending and decidable', async () => {
    const { notifier, calls } = flaky(Number.POSITIVE_INFINITY, 'down');
    const hanging: Notifier = { id: 'hanging', version: 1, audience: 'channel', notify: () => new Promise(() => {}) };
    const answering: Notifier = {
      id: 'answering',
      version: 1,
      audience: 'channel',
      notify: async () => ({ decision: 'approve' }) as never,
    };
    f = await createApprovalFixture(dialect, { workflows, ...fast, notifierAttempts: 3, notifiers: [notifier, hanging, answering] });
    const failures: Array<{ notifierId: string; attempts: number }> = [];
    f.preloop.events.on('approval-notifier-failed', (payload) => failures.push(payload));
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    await f.engine.notificationsIdle();
    expect(calls.filter((call) => call.notification.recipient?.userId === f.alice.id)).toHaveLength(3);
    expect(failures.filter((failure) => failure.notifierId === 'down')).toHaveLength(3); // one per approver
    expect(failures.filter((failure) => failure.notifierId === 'hanging')).toEqual([expect.objectContaining({ attempts: 3 })]);
    expect(await f.engine.get(f.accountId, ticket.id)).toMatchObject({ status: 'pending', votes: { approve: 0, deny: 0 } });
    const audit = await f.preloop.audit.query({ accountId: f.accountId, action: 'approval.notify', limit: 10 });
    expect(audit.items.map((record) => [record.data.notifier, record.outcome, record.data.status]).sort()).toEqual([
      ['answering', 'success', 'sent'],
      ['down', 'failure', 'given_up'],
      ['down', 'failure', 'given_up'],
      ['down', 'failure', 'given_up'],
      ['hanging', 'failure', 'given_up'],
    ]);
    const decided = await f.engine.decide({
      accountId: f.accountId,
      requestId: ticket.id,
      actor: f.bob.principal,
      decision: 'approve',
      channel: 'api',
    });
    expect(decided.request.status).toBe('approved');
  });

  it('stops retrying a request notice once the request is decided', async () => {
    const { notifier, calls } = flaky(Number.POSITIVE_INFINITY);
    f = await createApprovalFixture(dialect, {
      workflows,
      notifierBackoffMs: 200,
      notifierMaxBackoffMs: 200,
      notifierAttempts: 10,
      notifiers: [notifier],
    });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    await f.engine.decide({ accountId: f.accountId, requestId: ticket.id, actor: f.alice.principal, decision: 'deny', channel: 'api' });
    await f.engine.notificationsIdle();
    const requested = calls.filter((call) => call.notification.type === 'approval.requested');
    expect(requested.length).toBeLessThanOrEqual(6); // at most the first attempts (3 approvers), plus one in flight each
  });

  it('takes notifiers from plugins’ contributions', async () => {
    const { notifier, calls } = flaky(0, 'contributed');
    f = await createApprovalFixture(
      dialect,
      { workflows },
      { plugins: [definePlugin({ id: 'contributor', dependencies: ['approvals'], contributions: { notifiers: [notifier] } })] },
    );
    expect(f.engine.notifiers.map((entry) => entry.id)).toEqual(['contributed']);
    await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    await f.engine.notificationsIdle();
    expect(calls).toHaveLength(3);
    // Without a public URL, notifications carry no decision links.
    expect(calls[0]!.notification.links).toEqual({ approve: null, deny: null, view: null });
  });
});
