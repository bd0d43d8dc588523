import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPreloop } from '../kernel/create-preloop.js';
import type { Preloop } from '../kernel/preloop.js';
import { createLogger } from '../logger.js';
import { createTestPreloop, testSecretKey, type TestPreloop } from '../testing/create-test-preloop.js';
import { describePostgres } from '../testing/describe-postgres.js';
import { bearerRequest, callApi, seedUser } from './identity-test-support.js';

/** Polls until `check` is true; returns the milliseconds it took, or fails after `timeoutMs`. */
async function within(timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Date.now() - start;
}

describePostgres('identity across kernels', (dialect) => {
  let test: TestPreloop;
  let a: Preloop;
  let b: Preloop;
  beforeAll(async () => {
    test = await createTestPreloop(dialect);
    a = test.preloop;
    b = await createPreloop({ database: test.url, secretKey: testSecretKey, logger: createLogger({ level: 'silent' }) });
  });
  afterAll(async () => {
    await b.close();
    await test.cleanup();
  });

  it('a key revoked on kernel A is refused by kernel B within milliseconds (Bus invalidation, not the 30 s TTL)', async () => {
    const owner = await seedUser(a, 'owner');
    const { apiKey, key } = await a.identity.apiKeys.create(a.accountId, { name: 'shared', userId: owner.user.id });
    expect(await b.authenticate(bearerRequest(key))).not.toBeNull(); // B has it cached now
    expect(await b.authenticate(bearerRequest(key))).not.toBeNull();
    const revoked = await callApi(a, 'DELETE', `/api-keys/${apiKey.id}`, { bearer: owner.key });
    expect(revoked.status).toBe(200);
    const elapsed = await within(2_000, async () => (await b.authenticate(bearerRequest(key))) === null);
    expect(elapsed).toBeLessThan(2_000);
    expect((await callApi(b, 'GET', '/auth/me', { bearer: key })).status).toBe(401);
  });

  it('an agent suspended and a session ended on A are refused by B', async () => {
    const agent = await a.identity.agents.enroll(a.accountId, { name: 'shared agent', kind: 'custom' });
    const { key } = await a.identity.apiKeys.create(a.accountId, { name: 'agent', agentId: agent.id });
    const { session, credential } = await a.identity.runtimeSessions.start(a.accountId, { agentId: agent.id, name: 'run' });
    const other = await a.identity.runtimeSessions.start(a.accountId, { agentId: agent.id, name: 'other run' });
    expect(await b.authenticate(bearerRequest(key))).not.toBeNull();
    expect(await b.authenticate(bearerRequest(credential.token), { audience: 'mcp' })).not.toBeNull();
    expect(await b.authenticate(bearerRequest(other.credential.token), { audience: 'mcp' })).not.toBeNull();

    await a.identity.runtimeSessions.end(a.accountId, session.id, 'done');
    await within(2_000, async () => (await b.authenticate(bearerRequest(credential.token), { audience: 'mcp' })) === null);
    expect(await b.authenticate(bearerRequest(other.credential.token), { audience: 'mcp' })).not.toBeNull();

    await a.identity.agents.suspend(a.accountId, agent.id, 'incident');
    await within(
      2_000,
      async () =>
        (await b.authenticate(bearerRequest(key))) === null && (await b.authenticate(bearerRequest(other.credential.token))) === null,
    );
  });

  it('a user disabled on A loses its keys on B', async () => {
    const admin = await seedUser(a, 'admin');
    expect((await b.authenticate(bearerRequest(admin.key)))?.role).toBe('admin');
    await a.identity.users.update(a.accountId, admin.user.id, { role: 'viewer' });
    await within(2_000, async () => (await b.authenticate(bearerRequest(admin.key)))?.role === 'viewer');
    await a.identity.users.disable(a.accountId, admin.user.id);
    await within(2_000, async () => (await b.authenticate(bearerRequest(admin.key))) === null);
  });
});
