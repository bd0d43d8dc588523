import { classifyNotifierFailure, type ApprovalNotification } from '@preloop/core';
import { notifierConformance, sampleApprovalNotification } from '@preloop/core/testing';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { expect, it } from 'vitest';
import { startApns, type TestApns } from './test-support/apns-server.js';
import { registerDevice, withPushKernel, type PushKernel } from './test-support/push-kernel.js';

const deviceToken = 'a1'.repeat(32);
const attempt = () => ({ attempt: 1, signal: new AbortController().signal });

/** The local APNs, a kernel whose push plugin points at it, and one iPhone of the conformance approver. */
async function start(): Promise<TestApns & { kernel: PushKernel }> {
  const apns = await startApns();
  const channel = await withPushKernel(apns, {
    apns: { ...apns.key, bundleId: apns.bundleId, hosts: { production: apns.origin, sandbox: apns.origin } },
  });
  await register(channel.kernel, deviceToken);
  return channel;
}

function register(kernel: PushKernel, token: string, userId?: string) {
  return registerDevice(
    kernel,
    { name: 'Ann’s iPhone', platform: 'ios', push: { kind: 'apns', token, environment: 'production' } },
    userId,
  );
}

function forUser(userId: string, overrides: Partial<ApprovalNotification> = {}): ApprovalNotification {
  return { ...sampleApprovalNotification({ recipient: { userId, name: 'Bo', email: 'bo@example.com' } }), ...overrides };
}

notifierConformance({
  name: 'apns',
  content: 'reference',
  channel: start,
  notifier: (apns) => apns.kernel.notifier('apns'),
  // Apple answers 429 without Retry-After (checked below).
  rateLimits: false,
  secrets: [],
  additionalTests(context) {
    it('signs with an ES256 provider token (kid, iss, iat) and sends Apple’s headers and the contract payload', () => {
      const push = context.channel.pushes.at(-1)!;
      expect(decodeProtectedHeader(push.jwt)).toEqual({ alg: 'ES256', kid: context.channel.key.keyId });
      expect(decodeJwt(push.jwt)).toEqual({ iss: context.channel.key.teamId, iat: expect.any(Number) });
      expect(push.headers).toMatchObject({
        'apns-push-type': 'alert',
        'apns-topic': 'com.example.preloop',
        'apns-collapse-id': 'apr_conformance_0001',
      });
      expect(push.headers['apns-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(push.payload).toMatchObject({
        aps: { category: 'PRELOOP_APPROVAL', alert: { title: expect.stringContaining('deploy_service') } },
        requestId: 'apr_conformance_0001',
        type: expect.any(String),
      });
      expect(context.channel.key.privateKey).not.toContain(JSON.stringify(push.payload));
      expect(context.channel.refusals).toEqual([]);
    });

    it('reuses the provider token across pushes, and mints a new one after ExpiredProviderToken', async () => {
      expect(context.channel.providerTokens.size).toBe(1);
      context.channel.failNext('expired-provider-token');
      await context.notifier.notify(sampleApprovalNotification(), attempt());
      expect(context.channel.pushes.at(-1)!.deviceToken).toBe(deviceToken);
    });

    it('treats 429 TooManyRequests as retryable (the outbox backs off)', async () => {
      context.channel.failNext('rate-limited');
      const error = await context.notifier.notify(sampleApprovalNotification(), attempt()).catch((caught: unknown) => caught);
      expect(classifyNotifierFailure(error).retryable).toBe(true);
    });

    it('removes a device answered 410 Unregistered or 400 BadDeviceToken, and still reaches the user’s other device', async () => {
      const { kernel } = context.channel;
      const gone = 'b2'.repeat(32);
      const bad = 'c3'.repeat(32);
      const good = 'd4'.repeat(32);
      context.channel.unregistered.add(gone);
      context.channel.badTokens.add(bad);
      const devices = [
        await register(kernel, gone, 'usr_bo'),
        await register(kernel, bad, 'usr_bo'),
        await register(kernel, good, 'usr_bo'),
      ];
      await context.notifier.notify(forUser('usr_bo'), attempt());
      expect(context.channel.pushes.at(-1)!.deviceToken).toBe(good);
      const after = await Promise.all(devices.map((device) => kernel.store.find(device.id)));
      expect(after.map((device) => device!.revokedReason)).toEqual(['push_unregistered', 'push_unregistered', null]);
      const audit = await kernel.preloop.audit.query({ accountId: 'acc_conformance', action: 'push.device-revoke' });
      expect(audit.items.map((record) => record.targetId).sort()).toEqual([devices[0]!.id, devices[1]!.id].sort());
    });

    it('delivers nothing to a user without a phone (not a failure), and fails for good once every phone is gone', async () => {
      const { kernel } = context.channel;
      const before = context.channel.pushes.length;
      await context.notifier.notify(forUser('usr_nobody'), attempt());
      const only = 'e5'.repeat(32);
      context.channel.unregistered.add(only);
      await register(kernel, only, 'usr_dee');
      const error = await context.notifier.notify(forUser('usr_dee'), attempt()).catch((caught: unknown) => caught);
      expect(classifyNotifierFailure(error).retryable).toBe(false);
      expect(context.channel.pushes.length).toBe(before);
    });
  },
});
