import { commands } from 'vitest/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreloopClient } from '../client/preloop-client.js';
import { ownerClient, seed, waitFor } from '../../test/browser-helpers.js';
import { forgetDevice, type StoredDevice } from './device-key.js';
import { pairDevice } from './pair-device.js';

// The service worker in real Chromium: the server's Web Push reaches the local push service (which decrypts it),
// the payload is handed to the worker through the DevTools protocol (ServiceWorker.deliverPushMessage), and the
// worker's notificationclick handler decides with the device's key. Headless Chromium cannot click a
// notification, so the handler is called inside the worker with the real notification it shows (see clickNotification).

let device: StoredDevice;

beforeAll(async () => {
  const session = new PreloopClient();
  await session.auth.login(seed.owner.email, seed.owner.password);
  const { token } = await session.request<{ token: string }>('POST', '/devices/pairings');
  await session.auth.logout();
  await commands.grantNotifications();
  const subscription = await commands.pushSubscription();
  const subscribe = PushManager.prototype.subscribe;
  // Headless Chromium has no push service: the subscription is one on the local push service the server sends to.
  PushManager.prototype.subscribe = async () =>
    ({ toJSON: () => ({ endpoint: subscription.endpoint, keys: subscription.keys }) }) as unknown as PushSubscription;
  try {
    device = await pairDevice({
      client: new PreloopClient({ credentials: 'omit' }),
      pairingToken: token,
      name: 'Worker phone',
      serviceWorkerUrl: '/approve/sw.js',
    });
  } finally {
    PushManager.prototype.subscribe = subscribe;
  }
});
afterAll(() => forgetDevice());

async function newestPending(tool: string): Promise<string> {
  return waitFor(
    async () => (await ownerClient().approvals.list({ status: 'pending', limit: 50 })).items.find((item) => item.tool.name === tool)?.id,
  );
}

describe('the approval app’s service worker', () => {
  it('shows the pushed request with Approve and Deny; Approve decides it with the device key and the agent’s call resumes; the resolved push closes it', async () => {
    const call = await commands.callTool('github.merge_pull_request', { repo: 'acme/checkout', number: 31 });
    const id = await newestPending('github.merge_pull_request');
    const pushed = await commands.deliverPush(id, 'approval.requested');
    expect(pushed).toMatchObject({ requestId: id, title: 'github.merge_pull_request needs approval' });
    expect(JSON.stringify(pushed)).not.toContain('acme/checkout'); // no arguments in a push
    const shown = await waitFor(async () => (await commands.shownNotifications()).find((notification) => notification.tag === id));
    expect(shown).toMatchObject({ title: 'github.merge_pull_request needs approval', actions: ['approve', 'deny'] });

    expect(await commands.clickNotification(id, 'approve')).toEqual({ decided: 'approve' });
    expect(await commands.toolResult(call)).toEqual({ isError: false, text: 'merged #31' });
    const decided = await ownerClient().approvals.get(id);
    expect(decided.decidedBy).toBe(seed.owner.id);
    const audit = await ownerClient().audit.list({ limit: 100 });
    const vote = audit.items.find((record) => record.targetId === id && record.action === 'approval.vote');
    expect(vote?.data, 'the vote’s audit record names the device').toMatchObject({ decision: 'approve', channel: `device:${device.id}` });
    expect((await commands.shownNotifications()).find((notification) => notification.tag === id)?.title).toBe('Approved');

    await commands.deliverPush(id, 'approval.resolved');
    await waitFor(async () => !(await commands.shownNotifications()).some((notification) => notification.tag === id));
  });

  it('sends a renewed push subscription to the server with the device key; the next push goes to it', async () => {
    const renewed = await commands.pushSubscription();
    expect(await commands.changeSubscription(renewed)).toBe(renewed.endpoint);
    const call = await commands.callTool('github.merge_pull_request', { repo: 'acme/checkout', number: 32 });
    const id = await newestPending('github.merge_pull_request');
    const pushed = await commands.deliverPush(id, 'approval.requested');
    expect(renewed.endpoint.endsWith(`/push/${pushed.subscriptionId}`)).toBe(true);
    expect(await commands.clickNotification(id, 'deny')).toEqual({ decided: 'deny' });
    expect((await commands.toolResult(call)).isError).toBe(true);
  });

  it('opens the app instead when the request is a question', async () => {
    const call = await commands.callTool('ask_user', { question: 'Ship v2.4 today?', options: ['yes', 'no'] });
    const id = await newestPending('ask_user');
    await commands.deliverPush(id, 'approval.requested');
    await waitFor(async () => (await commands.shownNotifications()).some((notification) => notification.tag === id), { timeout: 15_000 });
    const outcome = await commands.clickNotification(id, 'approve');
    expect(outcome).toMatchObject({ reason: 'a question needs an answer' });
    expect((outcome as { opened: string }).opened).toMatch(new RegExp(`/approve/#request=${id}$`));
    expect((await ownerClient().approvals.get(id)).status).toBe('pending');
    await ownerClient().approvals.decide(id, { decision: 'approve', answer: 'yes' });
    expect(await commands.toolResult(call)).toEqual({ isError: false, text: 'yes' });
  });
});
