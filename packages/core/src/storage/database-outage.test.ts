import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPreloop } from '../kernel/create-preloop.js';
import type { Preloop } from '../kernel/preloop.js';
import type { Principal } from '../identity/principal.js';
import { createLogger } from '../logger.js';
import { createTestPreloop, testSecretKey } from '../testing/create-test-preloop.js';
import { describePostgres } from '../testing/describe-postgres.js';
import { createFaultProxy, type FaultProxy } from '../testing/fault-proxy.js';
import { startKernelProcess } from '../testing/kernel-process.js';
import { testDialects, type TestDatabase } from '../testing/test-databases.js';
import { toErrorResponse } from '../errors.js';
import { StoreUnavailableError, toStoreUnavailableError } from './store-unavailable.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const silent = createLogger({ level: 'silent' });

/** Polls `probe` until it returns true (or fails after `timeoutMs`). */
async function eventually(probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

const get = async (preloop: Preloop, path: string) => {
  const response = await preloop.api(new Request(`http://localhost/api/v1${path}`));
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
};

describe('StoreUnavailableError', () => {
  it('is a 503 with Retry-After naming the store, and recognizes the driver errors of an outage (not other failures)', async () => {
    const response = toErrorResponse(new StoreUnavailableError('database', 'connection refused'));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({
      error: { code: 'STORE_UNAVAILABLE', message: expect.stringContaining('database'), details: { store: 'database' } },
    });
    const refused = await import('pg').then(async ({ default: pg }) => {
      const client = new pg.Client({ connectionString: 'postgres://u:secret@127.0.0.1:1/db' });
      client.on('error', () => {});
      return client.connect().then(
        () => null,
        (error: unknown) => error,
      );
    });
    expect(toStoreUnavailableError(refused)?.details).toMatchObject({ reason: 'connection refused' });
    expect(toStoreUnavailableError(new Error('Connection terminated unexpectedly'))?.code).toBe('STORE_UNAVAILABLE');
    expect(toStoreUnavailableError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeNull();
    expect(toStoreUnavailableError(new Error('syntax error'))).toBeNull();
  });
});

describe.each(testDialects())('health routes on $name', (dialect) => {
  it('liveness and readiness answer 200 with every dependency ready; /health keeps its original body', async () => {
    const { preloop, cleanup } = await createTestPreloop(dialect);
    try {
      expect(await get(preloop, '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(await get(preloop, '/health/ready')).toMatchObject({
        status: 200,
        body: { status: 'ready', checks: { database: { ready: true }, bus: { ready: true } } },
      });
      expect(await get(preloop, '/health')).toMatchObject({
        status: 200,
        body: { status: 'ok', dialect: dialect.name, time: expect.any(Number) },
      });
      // A plugin's dependency joins readiness.
      const remove = preloop.readiness.add('queue', () => 'queue full');
      expect(await get(preloop, '/health/ready')).toMatchObject({
        status: 503,
        body: {
          checks: { queue: { ready: false, reason: 'queue full' } },
          error: { code: 'STORE_UNAVAILABLE', details: { store: 'queue' } },
        },
      });
      remove();
      expect((await get(preloop, '/health/ready')).status).toBe(200);
    } finally {
      await cleanup();
    }
  });
});

describePostgres('database outages through a fault-injecting proxy', (dialect) => {
  let database: TestDatabase;
  let proxy: FaultProxy;
  beforeAll(async () => {
    database = await dialect.create();
    const target = new URL(database.url);
    proxy = await createFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
  });
  afterAll(async () => {
    await proxy?.close();
    await database?.drop();
  });

  it('a connection cut while a transaction holds it fails that transaction as STORE_UNAVAILABLE; the process lives on and recovers', async () => {
    const kernel = await startKernelProcess(proxy.url(database.url));
    try {
      const held = kernel.request({ cmd: 'hold' });
      await kernel.next('holding');
      proxy.cutAll(); // the checked-out client loses its connection between two statements
      await sleep(300);
      await kernel.request({ cmd: 'release' });
      expect(await held).toMatchObject({ ok: false, code: 'STORE_UNAVAILABLE' });
      expect(kernel.exited()).toBeNull();
      expect(await kernel.request({ cmd: 'query' })).toMatchObject({ ok: true });
      expect(kernel.exited(), kernel.stderr()).toBeNull();
    } finally {
      await kernel.stop();
    }
  });

  it('the Bus listens again after the database refused connections for a while, and readiness says so meanwhile', async () => {
    const first = await createPreloop({ database: proxy.url(database.url), secretKey: testSecretKey, logger: silent });
    const second = await createPreloop({ database: database.url, secretKey: testSecretKey, logger: silent });
    try {
      await proxy.refuse(true);
      proxy.cutAll();
      // Several reconnection attempts fail while the database refuses.
      await eventually(async () => (await get(first, '/health/ready')).status === 503);
      const down = await get(first, '/health/ready');
      expect(down.body).toMatchObject({
        status: 'unavailable',
        error: { code: 'STORE_UNAVAILABLE' },
        checks: { database: { ready: false }, bus: { ready: false } },
      });
      expect(down.retryAfter).toBe('5');
      await sleep(2500);
      await proxy.refuse(false);
      const received: unknown[] = [];
      first.bus.subscribe('probe', (payload) => received.push(payload));
      // Signals published by the other instance arrive again once the Bus re-listened.
      await eventually(async () => {
        await second.bus.publish('probe', { n: 1 });
        await sleep(100);
        return received.length > 0;
      });
      await eventually(async () => (await get(first, '/health/ready')).status === 200);
    } finally {
      await proxy.refuse(false);
      await first.close();
      await second.close();
    }
  });

  it('readiness is 503 naming the database while it refuses or stalls; liveness stays 200; /health keeps its body when ready', async () => {
    const preloop = await createPreloop({ database: proxy.url(database.url), secretKey: testSecretKey, logger: silent });
    try {
      expect(await get(preloop, '/health/ready')).toMatchObject({
        status: 200,
        body: { status: 'ready', checks: { database: { ready: true }, bus: { ready: true } } },
      });
      expect(await get(preloop, '/health')).toMatchObject({ status: 200, body: { status: 'ok', dialect: 'postgres' } });

      await proxy.refuse(true);
      proxy.cutAll();
      const refused = await get(preloop, '/health/ready');
      expect(refused).toMatchObject({
        status: 503,
        retryAfter: '5',
        body: {
          status: 'unavailable',
          checks: { database: { ready: false } },
          error: { code: 'STORE_UNAVAILABLE', details: { store: 'database' } },
        },
      });
      expect(refused.body.error.message).toMatch(/database/);
      // /health is the readiness check with its original body; an outage was a 500 before.
      expect(await get(preloop, '/health')).toMatchObject({ status: 503, body: { error: { code: 'STORE_UNAVAILABLE' } } });
      expect(await get(preloop, '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
      await proxy.refuse(false);

      proxy.stall(true);
      proxy.cutAll();
      const stalled = await get(preloop, '/health/ready');
      expect(stalled).toMatchObject({
        status: 503,
        body: { checks: { database: { ready: false, reason: expect.stringMatching(/no answer/) } } },
      });
      expect(await get(preloop, '/health/live')).toMatchObject({ status: 200 });
      proxy.stall(false);
      await eventually(async () => (await get(preloop, '/health/ready')).status === 200);
    } finally {
      proxy.stall(false);
      await proxy.refuse(false);
      await preloop.close();
    }
  });

  it('governance and the admin API answer STORE_UNAVAILABLE when the database is down, not a kill-switch denial, a 401 or a 500', async () => {
    const preloop = await createPreloop({ database: proxy.url(database.url), secretKey: testSecretKey, logger: silent });
    const subject = { type: 'api_key', id: 'key_1', accountId: preloop.accountId, scopes: ['gateway'], role: null } as unknown as Principal;
    try {
      const owner = await preloop.identity.users.create(preloop.accountId, { email: 'owner@example.com', name: 'Owner', role: 'owner' });
      const { key } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'admin', scopes: ['admin:read'], userId: owner.id });
      await proxy.refuse(true);
      proxy.cutAll();
      // The key was never used on this instance: checking it needs the database.
      const response = await preloop.api(
        new Request('http://localhost/api/v1/kill-switch', { headers: { authorization: `Bearer ${key}` } }),
      );
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toMatchObject({ error: { code: 'STORE_UNAVAILABLE', details: { store: 'database' } } });
      await expect(preloop.governance.isModelAllowed(subject, 'gpt-4o')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 });
      await expect(preloop.governance.evaluateToolCall({ subject, tool: { name: 'github.create_issue' }, args: {} })).rejects.toMatchObject(
        { code: 'STORE_UNAVAILABLE' },
      );
      await expect(preloop.governance.killSwitch.stopped(preloop.accountId, 'models')).rejects.toBeInstanceOf(StoreUnavailableError);
      await proxy.refuse(false);
      await expect(preloop.governance.isModelAllowed(subject, 'gpt-4o')).resolves.toMatchObject({ allowed: expect.any(Boolean) });
    } finally {
      await proxy.refuse(false);
      await preloop.close();
    }
  });
});
