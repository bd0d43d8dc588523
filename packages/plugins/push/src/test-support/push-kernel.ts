import { generateKeyPairSync } from 'node:crypto';
import { approvals } from '@preloop/approvals';
import type { Notifier } from '@preloop/core';
import { createTestPreloop, testDialects, type TestDialect, type TestPreloop } from '@preloop/core/testing';
import type { Kysely } from 'kysely';
import { createDeviceStore, type DevicePlatform, type DeviceStore, type PushDevice, type PushTarget } from '../device-store.js';
import { push, type PushOptions } from '../push-plugin.js';
import type { PushTables } from '../push-tables.js';

/** A kernel with approvals and the push plugin, and a device store on the same database. */
export interface PushKernel extends TestPreloop {
  plugin: ReturnType<typeof push>;
  store: DeviceStore;
  notifier(id: 'web-push' | 'apns' | 'fcm'): Notifier;
}

/** Starts a kernel (SQLite in memory unless told) with `approvals` and `push(options)`. */
export async function startPushKernel(
  options: PushOptions,
  dialect: TestDialect = testDialects().find((candidate) => candidate.name === 'sqlite')!,
  approvalOptions: Parameters<typeof approvals>[0] = {},
): Promise<PushKernel> {
  const plugin = push(options);
  const test = await createTestPreloop(dialect, { plugins: [approvals({ publicUrl: null, ...approvalOptions }), plugin] });
  const store = createDeviceStore(test.preloop.db.withTables<PushTables>() as unknown as Kysely<PushTables>);
  return {
    ...test,
    plugin,
    store,
    notifier: (id) => plugin.contributions.notifiers.find((notifier) => notifier.id === id)!,
  };
}

/** The account and user the notifier conformance suite's sample notification goes to. */
const conformanceRecipient = { accountId: 'acc_conformance', userId: 'usr_conformance_ann' } as const;

/** Registers a device (a fresh key pair) of `userId` in the conformance account, pushed to through `push`. */
export function registerDevice(
  kernel: PushKernel,
  device: { name: string; platform: DevicePlatform; push: PushTarget },
  userId: string = conformanceRecipient.userId,
): Promise<PushDevice> {
  return kernel.store.register({
    accountId: conformanceRecipient.accountId,
    userId,
    ...device,
    publicKeyJwk: deviceKeyPair().publicKeyJwk,
  });
}

/**
 * A local push service joined with a kernel whose push plugin (`options`)
 * points at it, for `notifierConformance`'s `channel`; closing it closes the
 * service, then the kernel.
 */
export async function withPushKernel<S extends { close(): Promise<void> }>(
  service: S,
  options: PushOptions,
): Promise<S & { kernel: PushKernel }> {
  const kernel = await startPushKernel(options);
  const close = service.close;
  return Object.assign(service, {
    kernel,
    close: async () => {
      await close();
      await kernel.cleanup();
    },
  });
}

/** A device key pair as an app makes it (WebCrypto's ES256 key; here with `node:crypto`), and its public JWK. */
export function deviceKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  return { privateKey, publicKeyJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } };
}
