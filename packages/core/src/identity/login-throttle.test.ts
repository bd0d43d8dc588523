import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setClientAddress } from '../api/client-address.js';
import { createPreloop } from '../kernel/create-preloop.js';
import type { PreloopOptions } from '../kernel/options.js';
import type { Preloop } from '../kernel/preloop.js';
import { createLogger } from '../logger.js';
import { toNodeHandler } from '../node/to-node-handler.js';
import { createTestPreloop, testSecretKey, type TestPreloop } from '../testing/create-test-preloop.js';
import { describePostgres } from '../testing/describe-postgres.js';
import { testDialects, type TestDialect } from '../testing/test-databases.js';

const password = 'the right password';

/** A dialect whose databases several kernels can open at once (SQLite: a file, not :memory:). */
const shareable = (dialect: TestDialect): TestDialect =>
  dialect.name === 'postgres'
    ? dialect
    : {
        name: 'sqlite',
        async create() {
          const dir = mkdtempSync(join(tmpdir(), 'preloop-throttle-'));
          return { url: `sqlite:${join(dir, 'preloop.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
        },
      };

/** Logs in through the admin API in-process, as the Node adapter would with the client at `address`. */
const login = (preloop: Preloop, email: string, secret: string, address: string | null) => {
  const request = new Request('http://localhost/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: secret }),
  });
  if (address) setClientAddress(request, address);
  return preloop.api(request);
};

const statuses = async (responses: Promise<Response>[]) => {
  const counts: Record<number, number> = {};
  for (const response of await Promise.all(responses)) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
};

describe.each(testDialects())('login throttle on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  const start = async (options: Partial<PreloopOptions> = {}) => {
    test = await createTestPreloop(shareable(dialect), options);
    preloop = test.preloop;
    await preloop.identity.users.create(preloop.accountId, { email: 'ada@example.com', name: 'Ada', role: 'admin', password });
  };
  afterAll(() => test?.cleanup());

  it('after five failures from one address refuses even the right password from it with 429 and Retry-After details, and audits the refusal', async () => {
    await start();
    for (let i = 0; i < 5; i++) expect((await login(preloop, 'ada@example.com', `wrong ${i}`, '203.0.113.5')).status).toBe(401);
    const throttled = await login(preloop, 'ada@example.com', password, '203.0.113.5');
    expect(throttled.status).toBe(429);
    expect((await throttled.json()).error).toMatchObject({
      code: 'RATE_LIMITED',
      details: { retryAfterSeconds: expect.any(Number), limit: 'email+address' },
    });
    expect(throttled.headers.get('set-cookie')).toBeNull();
    const refusals = await preloop.audit.query({ accountId: preloop.accountId, action: 'auth.login', outcome: 'refused' });
    expect(refusals.items).toHaveLength(1);
    expect((await login(preloop, 'someone-else@example.com', 'whatever', '203.0.113.5')).status).toBe(401);
  });

  it('does not let an attacker lock the victim out: the right password from another address still logs in (before: 429)', async () => {
    const victim = await login(preloop, 'ada@example.com', password, '198.51.100.7');
    expect(victim.status).toBe(200);
    expect(victim.headers.get('set-cookie')).toMatch(/^preloop_session=/);
  });

  it('evaluates at most the limit of 40 parallel wrong passwords for one email (before: 33–40 evaluated)', async () => {
    await test.cleanup();
    await start();
    const counts = await statuses(Array.from({ length: 40 }, (_, i) => login(preloop, 'ada@example.com', `wrong ${i}`, '203.0.113.9')));
    // Hits are counted before hashing, so never more than the limit; a burst may be refused slightly early, never late.
    expect(counts[401]).toBeGreaterThanOrEqual(1);
    expect(counts[401]).toBeLessThanOrEqual(5);
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(40);
    const failures = await preloop.audit.query({ accountId: preloop.accountId, action: 'auth.login', outcome: 'failure', limit: 100 });
    expect(failures.items).toHaveLength(counts[401]!);
  });

  it('limits failures per address across emails (before: 7 unknown emails from one client, 7 × 401) and across the server', async () => {
    await test.cleanup();
    await start({ loginThrottle: { maxFailuresPerAddress: 6, maxFailuresGlobalPerMinute: 10 } });
    const answers: number[] = [];
    for (let i = 0; i < 7; i++) answers.push((await login(preloop, `nobody-${i}@example.com`, 'guess', '192.0.2.44')).status);
    expect(answers).toEqual([401, 401, 401, 401, 401, 401, 429]);
    for (let i = 0; i < 4; i++) expect((await login(preloop, `other-${i}@example.com`, 'guess', `192.0.2.${100 + i}`)).status).toBe(401);
    const global = await login(preloop, 'one-more@example.com', 'guess', '192.0.2.200');
    expect(global.status).toBe(429);
    expect((await global.json()).error.details.limit).toBe('global');
  });

  it('without a client address skips the per-address limit (one guesser must not lock out everybody) and keeps the per-email one', async () => {
    await test.cleanup();
    await start({ loginThrottle: { maxFailuresPerAddress: 2 } });
    for (let i = 0; i < 4; i++) expect((await login(preloop, `nobody-${i}@example.com`, 'guess', null)).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await login(preloop, 'ada@example.com', `wrong ${i}`, null)).status).toBe(401);
    expect((await login(preloop, 'ada@example.com', password, null)).status).toBe(429);
  });
});

// Several kernels on one PostgreSQL (several processes on one SQLite file are covered by the rate-limit store's two-process test).
describePostgres('login throttle across kernels', (dialect) => {
  it('counts in the database, so two kernels on one database share the limit (before: each kernel admitted its own five)', async () => {
    const test = await createTestPreloop(dialect);
    const first = test.preloop;
    await first.identity.users.create(first.accountId, { email: 'ada@example.com', name: 'Ada', role: 'admin', password });
    const second = await createPreloop({ database: test.url, secretKey: testSecretKey, logger: createLogger({ level: 'silent' }) });
    try {
      const counts = await statuses(
        Array.from({ length: 40 }, (_, i) => login(i % 2 ? second : first, 'ada@example.com', `wrong ${i}`, '203.0.113.77')),
      );
      expect(counts[401]).toBeGreaterThanOrEqual(1);
      expect(counts[401]).toBeLessThanOrEqual(5);
      expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(40);
    } finally {
      await second.close();
      await test.cleanup();
    }
  });
});

describe('login throttle over HTTP behind a proxy', () => {
  let preloop: Preloop;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    preloop = await createPreloop({ database: ':memory:', logger: createLogger({ level: 'silent' }) });
    await preloop.identity.users.create(preloop.accountId, { email: 'ada@example.com', name: 'Ada', role: 'admin', password });
    server = createServer(toNodeHandler(preloop.api, { trustProxy: true })).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await preloop.close();
  });
  const post = (secret: string, forwardedFor: string) =>
    fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ email: 'ada@example.com', password: secret }),
    });

  it('keys on the address the trusted proxy appended, so a forged leftmost X-Forwarded-For entry changes nothing', async () => {
    for (let i = 0; i < 5; i++) expect((await post(`wrong ${i}`, `10.9.9.${i}, 203.0.113.5`)).status).toBe(401);
    expect((await post(password, '1.2.3.4, 203.0.113.5')).status).toBe(429);
    expect((await post(password, '198.51.100.7')).status).toBe(200);
  });
});
