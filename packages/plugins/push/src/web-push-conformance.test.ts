import { notifierConformance, sampleApprovalNotification } from '@preloop/core/testing';
import { expect, it } from 'vitest';
import webPush from 'web-push';
import { registerDevice, withPushKernel, type PushKernel } from './test-support/push-kernel.js';
import { startPushService, type TestPushService } from './test-support/web-push-service.js';

const vapid = webPush.generateVAPIDKeys();

/** The local push service, a kernel whose push plugin points at it, and one subscribed browser of the conformance approver. */
async function start(): Promise<TestPushService & { kernel: PushKernel }> {
  const service = await startPushService(() => vapid.publicKey);
  const channel = await withPushKernel(service, {
    webPush: { subject: 'mailto:ops@example.com', publicKey: vapid.publicKey, privateKey: vapid.privateKey, endpointHosts: ['127.0.0.1'] },
  });
  await registerDevice(channel.kernel, {
    name: 'Ann’s phone',
    platform: 'web',
    push: { kind: 'web-push', subscription: service.subscribe() },
  });
  return channel;
}

notifierConformance({
  name: 'web-push',
  content: 'reference',
  channel: start,
  notifier: (service) => service.kernel.notifier('web-push'),
  secrets: [vapid.privateKey],
  additionalTests(context) {
    it('sends TTL, Urgency and a Topic from the request id; the service decrypted every push and refused none', () => {
      const pushed = context.channel.pushes.at(-1)!;
      expect(pushed.headers.urgency).toMatch(/^(normal|high)$/);
      expect(pushed.headers.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
      expect(Number(pushed.headers.ttl)).toBeGreaterThanOrEqual(60);
      expect(JSON.parse(pushed.payload)).toMatchObject({ v: 1, requestId: 'apr_conformance_0001', accountId: 'acc_conformance' });
      expect(context.channel.refusals).toEqual([]);
    });

    it('removes a browser whose subscription the push service answers 410 or 404, and still reaches the user’s other one', async () => {
      const { kernel } = context.channel;
      const register = () =>
        registerDevice(
          kernel,
          { name: 'Bo’s browser', platform: 'web', push: { kind: 'web-push', subscription: context.channel.subscribe() } },
          'usr_bo',
        );
      const devices = [await register(), await register(), await register()];
      context.channel.failNext('gone');
      context.channel.failNext('not-found');
      const before = context.channel.pushes.length;
      await context.notifier.notify(sampleApprovalNotification({ recipient: { userId: 'usr_bo', name: 'Bo', email: 'bo@example.com' } }), {
        attempt: 1,
        signal: new AbortController().signal,
      });
      expect(context.channel.pushes.length).toBe(before + 1);
      const after = await Promise.all(devices.map((device) => kernel.store.find(device.id)));
      expect(after.map((device) => device!.revokedReason)).toEqual(['push_unregistered', 'push_unregistered', null]);
    });
  },
});
