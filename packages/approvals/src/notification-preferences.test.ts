import type { ApprovalNotification, Notifier } from '@preloop/core';
import { testDialects } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalDelivery } from './delivery-outbox.js';
import { quietHoursEnd } from './notification-preferences.js';
import { createApprovalFixture, toolCall, type ApprovalFixture } from './test-fixtures.js';

const workflows = { one: { approvers: { roles: ['approver' as const] }, timeoutSeconds: 86_400 } };
const fast = { notifierBackoffMs: 5, notifierMaxBackoffMs: 20, notifierTimeoutMs: 500, notifierLeaseMs: 2000 };
const hhmm = (time: number) => new Date(time).toISOString().slice(11, 16);

function recording(id: string, received: Array<ApprovalNotification & { notifier: string }>): Notifier {
  return { id, version: 1, digests: true, notify: async (notification) => void received.push({ ...notification, notifier: id }) };
}

describe.each(testDialects())('notification preferences on $name', (dialect) => {
  let f: ApprovalFixture;
  afterEach(async () => {
    await f?.cleanup();
  });

  it('are read and set by the user, or by an admin for a user, and refuse what would not work', async () => {
    f = await createApprovalFixture(dialect, { workflows, notifiers: [recording('email', []), recording('slack', [])] });
    expect(await (await f.api('GET', '/notification-preferences', { as: f.alice })).json()).toEqual({
      userId: f.alice.id,
      mutedNotifiers: [],
      quietHours: null,
      digest: true,
    });
    const mine = { mutedNotifiers: ['email'], quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' }, digest: false };
    const put = await f.api('PUT', '/notification-preferences', { as: f.alice, body: mine });
    expect(put.status).toBe(200);
    expect(await (await f.api('GET', '/notification-preferences', { as: f.alice })).json()).toEqual({ userId: f.alice.id, ...mine });
    expect(await (await f.api('GET', `/notification-preferences/${f.alice.id}`, { as: f.owner })).json()).toEqual({
      userId: f.alice.id,
      ...mine,
    });

    const refused = async (body: unknown) => {
      const response = await f.api('PUT', '/notification-preferences', { as: f.alice, body });
      return { status: response.status, text: await response.text() };
    };
    expect(await refused({ ...mine, mutedNotifiers: ['emial'] })).toMatchObject({
      status: 400,
      text: expect.stringContaining('no notifier \\"emial\\" is installed (installed: email, slack)'),
    });
    expect(await refused({ ...mine, quietHours: { start: '25:00', end: '07:00', timeZone: 'UTC' } })).toMatchObject({
      status: 400,
      text: expect.stringContaining('HH:MM'),
    });
    expect(await refused({ ...mine, quietHours: { start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' } })).toMatchObject({
      status: 400,
      text: expect.stringContaining('IANA time zone'),
    });
    expect(await (await f.api('GET', '/notification-preferences', { as: f.alice })).json()).toEqual({ userId: f.alice.id, ...mine });

    expect((await f.api('PUT', `/notification-preferences/${f.bob.id}`, { as: f.dave, body: mine })).status).toBe(403);
    expect((await f.api('PUT', `/notification-preferences/${f.bob.id}`, { as: f.owner, body: mine })).status).toBe(200);
    expect((await f.api('GET', '/notification-preferences/usr_nobody', { as: f.owner })).status).toBe(404);
    const agent = await f.preloop.api(
      new Request('http://localhost/api/v1/notification-preferences', { headers: { authorization: `Bearer ${f.agent.key}` } }),
    );
    expect(agent.status).toBeGreaterThanOrEqual(401);
  });

  it('mute a channel, hold notices through quiet hours, and turn the digest off, per approver', async () => {
    let offset = 0;
    const received: Array<ApprovalNotification & { notifier: string }> = [];
    f = await createApprovalFixture(dialect, {
      workflows,
      ...fast,
      clock: () => Date.now() + offset,
      digest: { after: 1, windowSeconds: 60 },
      notifiers: [recording('email', received), recording('slack', received)],
    });
    const now = Date.now();
    await f.api('PUT', '/notification-preferences', { as: f.alice, body: { mutedNotifiers: ['email'], quietHours: null, digest: false } });
    await f.api('PUT', '/notification-preferences', {
      as: f.bob,
      body: {
        mutedNotifiers: [],
        quietHours: { start: hhmm(now - 3_600_000), end: hhmm(now + 3_600_000), timeZone: 'UTC' },
        digest: false,
      },
    });
    const first = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    await f.engine.request(toolCall(f.agent.principal, { workflow: 'one' }));
    const waitingForBob = async () =>
      ((await f.engine.deliveries(f.accountId, first.id)) as ApprovalDelivery[]).filter(
        (delivery) => delivery.recipient?.userId === f.bob.id,
      );
    const deadline = Date.now() + 10_000;
    const bobWaits = async () => {
      const deliveries = await waitingForBob();
      return (
        deliveries.length === 2 &&
        deliveries.every((delivery) => delivery.status === 'pending' && delivery.nextAttemptAt! > Date.now() + 60_000)
      );
    };
    // Alice: 2 on slack; carol: 1 per channel (her second notices are held for a digest).
    while (!(await bobWaits()) || received.length < 4) {
      if (Date.now() > deadline) throw new Error('the deliveries did not settle');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const to = (user: string, notifier: string) =>
      received.filter((entry) => entry.recipient?.userId === user && entry.notifier === notifier);
    // Alice muted email; with the digest off she gets both notices on slack one by one.
    expect(to(f.alice.id, 'email')).toHaveLength(0);
    expect(to(f.alice.id, 'slack').map((entry) => entry.digest === undefined)).toEqual([true, true]);
    // Carol (defaults): one notice per channel, the second held for a digest.
    expect(to(f.carol.id, 'email')).toHaveLength(1);
    // Bob is in his quiet hours: nothing yet, his deliveries wait for their end.
    expect(to(f.bob.id, 'email')).toHaveLength(0);
    for (const delivery of await waitingForBob()) {
      expect(delivery.status).toBe('pending');
      expect(delivery.nextAttemptAt).toBe(
        quietHoursEnd({ start: hhmm(now - 3_600_000), end: hhmm(now + 3_600_000), timeZone: 'UTC' }, delivery.updatedAt),
      );
    }
    offset = 3_700_000;
    await f.engine.notificationsIdle();
    expect(to(f.bob.id, 'email')).toHaveLength(2);
    expect(to(f.carol.id, 'email').map((entry) => entry.digest?.total ?? 0)).toEqual([0, 1]);
  });
});

describe('quiet hours', () => {
  it('end at the next end time in the approver’s time zone, across midnight, and do not apply outside', () => {
    const hours = { start: '22:00', end: '07:00', timeZone: 'UTC' };
    expect(quietHoursEnd(hours, Date.UTC(2026, 0, 15, 23, 30, 15))).toBe(Date.UTC(2026, 0, 16, 7, 0));
    expect(quietHoursEnd(hours, Date.UTC(2026, 0, 16, 6, 59))).toBe(Date.UTC(2026, 0, 16, 7, 0));
    expect(quietHoursEnd(hours, Date.UTC(2026, 0, 16, 7, 0))).toBeNull();
    expect(quietHoursEnd(hours, Date.UTC(2026, 0, 16, 12, 0))).toBeNull();
    // 22:00 in Paris is 21:00 UTC in winter.
    expect(quietHoursEnd({ ...hours, timeZone: 'Europe/Paris' }, Date.UTC(2026, 0, 15, 21, 30))).toBe(Date.UTC(2026, 0, 16, 6, 0));
    expect(quietHoursEnd(null, Date.UTC(2026, 0, 15, 23, 0))).toBeNull();
  });
});
