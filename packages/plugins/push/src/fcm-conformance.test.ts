import { classifyNotifierFailure, type ApprovalNotification } from '@preloop/core';
import { notifierConformance, sampleApprovalNotification } from '@preloop/core/testing';
import { expect, it } from 'vitest';
import { startFcm, type TestFcm } from './test-support/fcm-server.js';
import { registerDevice, withPushKernel, type PushKernel } from './test-support/push-kernel.js';

const registrationToken = `fcm-token:${'A'.repeat(40)}`;
const attempt = () => ({ attempt: 1, signal: new AbortController().signal });
let serviceAccountKey = '';

/** The local FCM, a kernel whose push plugin points at it, and one Android phone of the conformance approver. */
async function start(): Promise<TestFcm & { kernel: PushKernel }> {
  const fcm = await startFcm();
  serviceAccountKey = (JSON.parse(fcm.serviceAccount) as { private_key: string }).private_key;
  const channel = await withPushKernel(fcm, { fcm: { serviceAccount: fcm.serviceAccount, apiUrl: fcm.origin } });
  await register(channel.kernel, registrationToken);
  return channel;
}

function register(kernel: PushKernel, token: string, userId?: string) {
  return registerDevice(kernel, { name: 'Ann’s Pixel', platform: 'android', push: { kind: 'fcm', token } }, userId);
}

function forUser(userId: string): ApprovalNotification {
  return sampleApprovalNotification({ recipient: { userId, name: 'Bo', email: 'bo@example.com' } });
}

notifierConformance({
  name: 'fcm',
  content: 'reference',
  channel: start,
  notifier: (fcm) => fcm.kernel.notifier('fcm'),
  additionalTests(context) {
    it('exchanges one JWT bearer grant and reuses the access token; sends data + notification on the Android channel', () => {
      expect(context.channel.issued).toHaveLength(1);
      expect(context.channel.refusals).toEqual([]);
      const { message } = context.channel.messages.at(-1)!;
      expect(message).toMatchObject({
        token: registrationToken,
        data: { requestId: 'apr_conformance_0001', type: expect.any(String), priority: expect.any(String) },
        notification: { title: expect.stringContaining('deploy_service') },
        android: { collapse_key: 'apr_conformance_0001', notification: { channel_id: 'preloop_approvals' } },
      });
      for (const entry of context.channel.messages) expect(JSON.stringify(entry)).not.toContain(serviceAccountKey.slice(40, 80));
    });

    it('removes a device answered UNREGISTERED or INVALID_ARGUMENT on its token, and still reaches the user’s other phone', async () => {
      const { kernel } = context.channel;
      const gone = `gone:${'B'.repeat(40)}`;
      const bad = `bad:${'C'.repeat(40)}`;
      const good = `good:${'D'.repeat(40)}`;
      context.channel.unregistered.add(gone);
      context.channel.invalid.add(bad);
      const devices = [
        await register(kernel, gone, 'usr_bo'),
        await register(kernel, bad, 'usr_bo'),
        await register(kernel, good, 'usr_bo'),
      ];
      await context.notifier.notify(forUser('usr_bo'), attempt());
      expect(context.channel.messages.at(-1)!.message.token).toBe(good);
      const after = await Promise.all(devices.map((device) => kernel.store.find(device.id)));
      expect(after.map((device) => device!.revokedReason)).toEqual(['push_unregistered', 'push_unregistered', null]);
    });

    it('a retried delivery skips the devices an earlier attempt reached', async () => {
      const { kernel } = context.channel;
      await register(kernel, `one:${'E'.repeat(40)}`, 'usr_cy');
      const second = await register(kernel, `two:${'F'.repeat(40)}`, 'usr_cy');
      const sent = forUser('usr_cy');
      const before = context.channel.messages.length;
      // The first device meets a 503, the second is reached: the attempt fails, retryable.
      context.channel.failNext('retryable');
      const ordered = await kernel.store.activeFor('acc_conformance', 'usr_cy', 'fcm');
      expect(ordered.at(-1)!.id).toBe(second.id);
      expect(await kernel.store.sentTo(sent.id)).toEqual(new Set());
      const error = await context.notifier.notify(sent, attempt()).catch((caught: unknown) => caught);
      expect(classifyNotifierFailure(error).retryable).toBe(true);
      expect(await kernel.store.sentTo(sent.id)).toEqual(new Set([second.id]));
      await context.notifier.notify(sent, { attempt: 2, signal: new AbortController().signal });
      const tokens = context.channel.messages.slice(before).map((entry) => entry.message.token);
      expect(tokens.sort()).toEqual([`one:${'E'.repeat(40)}`, `two:${'F'.repeat(40)}`]);
    });
  },
});
