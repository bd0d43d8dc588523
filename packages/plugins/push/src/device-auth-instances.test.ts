import { approvals } from '@preloop/approvals';
import { createLogger, createPreloop, type Preloop } from '@preloop/core';
import { postgresOnly, testSecretKey } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { push, type PushOptions } from './push-plugin.js';
import { signDeviceJwt } from './test-support/device-jwt.js';
import { deviceKeyPair, startPushKernel, type PushKernel } from './test-support/push-kernel.js';

const options: PushOptions = { webPush: { subject: 'mailto:ops@example.com', endpointHosts: ['push.example'] } };
const base = 'http://localhost/api/v1';

describe.each(postgresOnly())('the device credential across two instances on $name', (dialect) => {
  let first: PushKernel;
  let second: Preloop;
  let cookie: string;
  let phone: { id: string; privateKey: ReturnType<typeof deviceKeyPair>['privateKey'] };

  const call = (preloop: Preloop, method: string, path: string, headers: Record<string, string>) =>
    preloop.api(new Request(`${base}${path}`, { method, headers }));
  const signed = async (jwt?: string) => ({
    authorization: `PreloopDevice ${jwt ?? (await signDeviceJwt(phone.privateKey, phone.id, 'GET', `${base}/approvals`))}`,
  });

  beforeAll(async () => {
    first = await startPushKernel(options, dialect);
    second = await createPreloop({
      database: first.url,
      secretKey: testSecretKey,
      logger: createLogger({ level: 'silent' }),
      plugins: [approvals({ publicUrl: null }), push(options)],
    });
    const { preloop } = first;
    const user = await preloop.identity.users.create(preloop.accountId, { email: 'ann@example.com', name: 'ann', role: 'approver' });
    cookie = (await preloop.identity.consoleSessions.create(user)).cookie.split(';')[0]!;
    const keys = deviceKeyPair();
    const device = await first.store.register({
      accountId: preloop.accountId,
      userId: user.id,
      name: 'ann-phone',
      platform: 'web',
      publicKeyJwk: keys.publicKeyJwk,
      push: {
        kind: 'web-push',
        subscription: { endpoint: 'https://push.example/abc', keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) } },
      },
    });
    phone = { id: device.id, privateKey: keys.privateKey };
  });

  afterAll(async () => {
    await second?.close();
    await first?.cleanup();
  });

  it('both instances serve the one VAPID key pair generated on first start', async () => {
    const [a, b] = await Promise.all(
      [first.preloop, second].map(async (preloop) => (await call(preloop, 'GET', '/push/config', {})).json()),
    );
    expect(a.webPush.vapidPublicKey).toEqual(expect.any(String));
    expect(b).toEqual(a);
  });

  it('a jti used on one instance is a replay on the other', async () => {
    const jwt = await signDeviceJwt(phone.privateKey, phone.id, 'GET', `${base}/approvals`);
    expect((await call(first.preloop, 'GET', '/approvals', await signed(jwt))).status).toBe(200);
    const replay = await call(second, 'GET', '/approvals', await signed(jwt));
    expect(replay.status).toBe(401);
    expect((await replay.json()).error.message).toContain('replay');
  });

  it('a device revoked on one instance is refused by the other at once', async () => {
    expect((await call(first.preloop, 'GET', '/approvals', await signed())).status).toBe(200);
    expect((await call(second, 'DELETE', `/devices/${phone.id}`, { cookie, origin: 'http://localhost' })).status).toBe(204);
    const refused = await call(first.preloop, 'GET', '/approvals', await signed());
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.message).toContain('revoked');
  });
});
