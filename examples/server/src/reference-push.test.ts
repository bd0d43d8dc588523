import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@preloop/core';
import { createTestPreloop, testDialects } from '@preloop/core/testing';
import { configFileSchema } from './config/config-schema.js';
import { referencePlugins } from './plugins.js';

const dir = mkdtempSync(path.join(tmpdir(), 'preloop-push-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sqlite = testDialects()[0]!;

// The reference server's plugins as startReferenceServer builds them (its start-up is tested elsewhere);
// that two instances share the generated pair is tested in plugin-push (device-auth-instances.test.ts).
describe('reference server mobile push', () => {
  it('turns Web Push on with zero setup: a VAPID key pair generated on first start, kept in the secret store, its private key never logged', async () => {
    const logs: string[] = [];
    const test = await createTestPreloop(sqlite, {
      plugins: referencePlugins(null, 'http://127.0.0.1:8787', {}),
      logger: createLogger({ level: 'debug', write: (line) => logs.push(line) }),
    });
    try {
      const { preloop } = test;
      const answer = await (await preloop.api(new Request('http://127.0.0.1:8787/api/v1/push/config'))).json();
      const stored = JSON.parse(await preloop.secrets.get(preloop.accountId, 'push.vapid')) as { publicKey: string; privateKey: string };
      expect(answer).toEqual({ webPush: { vapidPublicKey: stored.publicKey }, apns: false, fcm: false });
      expect(logs.join('\n')).toContain('generated a VAPID key pair');
      expect(logs.join('\n')).not.toContain(stored.privateKey);
      expect(preloop.service('approvals').notifiers.map((notifier) => notifier.id)).toContain('web-push');
      // Without PRELOOP_PUBLIC_URL, the pairing link names the address the console was opened at, not 127.0.0.1.
      const user = await preloop.identity.users.create(preloop.accountId, { email: 'ann@example.com', name: 'Ann', role: 'approver' });
      const { cookie } = await preloop.identity.consoleSessions.create(user);
      const pairing = await preloop.api(
        new Request('http://192.168.1.20:8787/api/v1/devices/pairings', {
          method: 'POST',
          headers: { cookie: cookie.split(';')[0]!, origin: 'http://192.168.1.20:8787' },
        }),
      );
      expect((await pairing.json()).url).toMatch(/^http:\/\/192\.168\.1\.20:8787\/approve\/#pair=pdp_/);
    } finally {
      await test.cleanup();
    }
  });

  it('turns APNs and FCM on from plugins.push (key files read at start-up), and Web Push off with webPush: false', async () => {
    const p8 = path.join(dir, 'AuthKey_ABC123DEFG.p8');
    writeFileSync(p8, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const account = path.join(dir, 'service-account.json');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    writeFileSync(
      account,
      JSON.stringify({ project_id: 'preloop-test', client_email: 'push@preloop-test.iam.gserviceaccount.com', private_key: rsa }),
    );
    const config = configFileSchema.parse({
      plugins: {
        push: {
          webPush: false,
          apns: { bundleId: 'com.example.preloop', keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ', privateKeyFile: p8 },
          fcm: { serviceAccountFile: account },
        },
      },
    });
    const test = await createTestPreloop(sqlite, { plugins: referencePlugins(config, 'https://preloop.example.com', {}) });
    try {
      const answer = await (await test.preloop.api(new Request('https://preloop.example.com/api/v1/push/config'))).json();
      expect(answer).toEqual({ webPush: null, apns: true, fcm: true });
      expect(test.preloop.service('approvals').notifiers.map((notifier) => notifier.id)).toEqual(expect.arrayContaining(['apns', 'fcm']));
    } finally {
      await test.cleanup();
    }
    const missing = configFileSchema.parse({
      plugins: { push: { apns: { bundleId: 'b', keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ', privateKeyFile: path.join(dir, 'nope.p8') } } },
    });
    expect(() => referencePlugins(missing, 'https://preloop.example.com', {})).toThrow(/plugins\.push\.apns\.privateKeyFile: cannot read/);
    expect(
      configFileSchema.safeParse({ plugins: { push: { apns: { bundleId: 'b', keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ' } } } }).success,
    ).toBe(false);
  });
});
