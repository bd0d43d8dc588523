import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preloop } from '../kernel/preloop.js';
import { createTestPreloop, type TestPreloop } from '../testing/create-test-preloop.js';
import { testDialects } from '../testing/test-databases.js';
import { isPreloopApiKey } from './api-key-format.js';
import { bearerRequest } from './identity-test-support.js';
import type { User } from './users.js';

describe.each(testDialects())('API keys on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  let accountId: string;
  let admin: User;
  beforeAll(async () => {
    test = await createTestPreloop(dialect);
    preloop = test.preloop;
    accountId = preloop.accountId;
    admin = await preloop.identity.users.create(accountId, { email: 'admin@example.com', name: 'Admin', role: 'admin' });
  });
  afterAll(() => test.cleanup());

  it('returns the key once, stores only its hash and a display prefix, and lists no secret', async () => {
    const { apiKey, key } = await preloop.identity.apiKeys.create(accountId, {
      name: 'ci',
      scopes: ['mcp', 'admin:read', 'mcp'],
      userId: admin.id,
    });
    expect(isPreloopApiKey(key)).toBe(true);
    expect(apiKey).toMatchObject({
      name: 'ci',
      prefix: key.slice(0, 10),
      scopes: ['mcp', 'admin:read'],
      userId: admin.id,
      revokedAt: null,
    });
    const row = await preloop.db.selectFrom('api_keys').selectAll().where('id', '=', apiKey.id).executeTakeFirstOrThrow();
    expect(Object.values(row).join(' ')).not.toContain(key);
    const page = await preloop.identity.apiKeys.list(accountId);
    expect(page.items.map((item) => item.id)).toContain(apiKey.id);
    expect(JSON.stringify(page)).not.toMatch(/key_hash|keyHash/);
    expect(JSON.stringify(page)).not.toContain(row.key_hash);
  });

  it('authenticates a key as its user, with the user’s current role, and records last use at most once a minute', async () => {
    const { apiKey, key } = await preloop.identity.apiKeys.create(accountId, {
      name: 'tool',
      scopes: ['mcp', 'gateway'],
      userId: admin.id,
    });
    const principal = await preloop.authenticate(bearerRequest(key));
    expect(principal).toMatchObject({
      type: 'api_key',
      id: apiKey.id,
      apiKeyId: apiKey.id,
      userId: admin.id,
      role: 'admin',
      scopes: ['mcp', 'gateway'],
      agentId: null,
    });
    await preloop.identity.users.update(accountId, admin.id, { role: 'viewer' });
    expect((await preloop.authenticate(bearerRequest(key)))?.role).toBe('viewer');
    await preloop.identity.users.update(accountId, admin.id, { role: 'admin' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const first = (await preloop.identity.apiKeys.get(accountId, apiKey.id)).lastUsedAt;
    expect(first).toBeGreaterThan(0);
    await preloop.authenticate(bearerRequest(key));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await preloop.identity.apiKeys.get(accountId, apiKey.id)).lastUsedAt).toBe(first);
  });

  it('refuses a revoked key at once', async () => {
    const { apiKey, key } = await preloop.identity.apiKeys.create(accountId, { name: 'soon revoked', userId: admin.id });
    expect(await preloop.authenticate(bearerRequest(key))).not.toBeNull(); // now cached
    const revoked = await preloop.identity.apiKeys.revoke(accountId, apiKey.id);
    expect(revoked.revokedAt).toBeGreaterThan(0);
    expect(await preloop.authenticate(bearerRequest(key))).toBeNull();
    expect((await preloop.identity.apiKeys.revoke(accountId, apiKey.id)).revokedAt).toBe(revoked.revokedAt);
    expect((await preloop.identity.apiKeys.list(accountId, { revoked: true })).items.map((item) => item.id)).toContain(apiKey.id);
    expect((await preloop.identity.apiKeys.list(accountId, { revoked: false })).items.map((item) => item.id)).not.toContain(apiKey.id);
  });

  it('refuses an expired key, even from the cache', async () => {
    const { key } = await preloop.identity.apiKeys.create(accountId, { name: 'short', userId: admin.id, expiresAt: Date.now() + 300 });
    expect(await preloop.authenticate(bearerRequest(key))).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await preloop.authenticate(bearerRequest(key))).toBeNull();
    await expect(preloop.identity.apiKeys.create(accountId, { name: 'past', expiresAt: Date.now() - 1 })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
  });

  it('stops a disabled or deleted user’s keys', async () => {
    const user = await preloop.identity.users.create(accountId, { email: 'temp@example.com', name: 'Temp', role: 'admin' });
    const { key } = await preloop.identity.apiKeys.create(accountId, { name: 'temp', userId: user.id });
    expect(await preloop.authenticate(bearerRequest(key))).not.toBeNull();
    await preloop.identity.users.disable(accountId, user.id);
    expect(await preloop.authenticate(bearerRequest(key))).toBeNull();
    await preloop.identity.users.update(accountId, user.id, { disabled: false });
    expect(await preloop.authenticate(bearerRequest(key))).not.toBeNull();
    await preloop.identity.users.delete(accountId, user.id);
    expect(await preloop.authenticate(bearerRequest(key))).toBeNull();
  });

  it('validates scopes, and holds an audience to the key’s scopes', async () => {
    await expect(preloop.identity.apiKeys.create(accountId, { name: 'x', scopes: ['root' as never] })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('scopes[0]'),
    });
    await expect(preloop.identity.apiKeys.create(accountId, { name: 'x', scopes: [] })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    const { key } = await preloop.identity.apiKeys.create(accountId, { name: 'gateway only', scopes: ['gateway'], userId: admin.id });
    expect(await preloop.authenticate(bearerRequest(key), { audience: 'gateway' })).not.toBeNull();
    expect(await preloop.authenticate(bearerRequest(key), { audience: 'mcp' })).toBeNull();
  });

  it('refuses credentials in the query string, malformed headers and forged keys', async () => {
    const { key } = await preloop.identity.apiKeys.create(accountId, { name: 'query', userId: admin.id });
    expect(await preloop.authenticate(new Request(`http://localhost/mcp?access_token=${key}`))).toBeNull();
    expect(
      await preloop.authenticate(new Request(`http://localhost/mcp?x=${key}`, { headers: { authorization: `Bearer ${key}` } })),
    ).toBeNull();
    expect(
      await preloop.authenticate(new Request('http://localhost/mcp?api_key=whatever', { headers: { authorization: `Bearer ${key}` } })),
    ).toBeNull();
    expect(
      await preloop.authenticate(new Request('http://localhost/mcp?page=2&version=1.2.3', { headers: { authorization: `Bearer ${key}` } })),
    ).not.toBeNull();
    expect(
      await preloop.authenticate(
        new Request('http://localhost/mcp?t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', { headers: { authorization: `Bearer ${key}` } }),
      ),
    ).toBeNull();
    expect(await preloop.authenticate(new Request('http://localhost/mcp', { headers: { authorization: `Basic ${key}` } }))).toBeNull();
    expect(
      await preloop.authenticate(new Request('http://localhost/mcp', { headers: { authorization: `Bearer ${key} extra` } })),
    ).toBeNull();
    expect(await preloop.authenticate(bearerRequest(`${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`))).toBeNull();
    expect(await preloop.authenticate(bearerRequest(`plk_${'A'.repeat(38)}`))).toBeNull();
  });

  it('authenticates a key bound to an agent as that agent, only while the agent is active', async () => {
    const agent = await preloop.identity.agents.enroll(accountId, { name: 'reviewer', kind: 'claude_code' });
    await expect(
      preloop.identity.apiKeys.create(accountId, { name: 'bad', agentId: agent.id, scopes: ['admin:write'] }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    const { apiKey, key } = await preloop.identity.apiKeys.create(accountId, {
      name: 'agent key',
      agentId: agent.id,
      userId: admin.id,
      scopes: ['mcp'],
    });
    expect(await preloop.authenticate(bearerRequest(key))).toMatchObject({
      type: 'agent',
      id: agent.id,
      agentId: agent.id,
      apiKeyId: apiKey.id,
      role: null,
      scopes: ['mcp'],
    });
    await preloop.identity.agents.suspend(accountId, agent.id, 'checking');
    expect(await preloop.authenticate(bearerRequest(key))).toBeNull();
    await preloop.identity.agents.resume(accountId, agent.id);
    expect(await preloop.authenticate(bearerRequest(key))).not.toBeNull();
    await preloop.identity.agents.decommission(accountId, agent.id, 'retired');
    expect(await preloop.authenticate(bearerRequest(key))).toBeNull();
    expect((await preloop.identity.apiKeys.get(accountId, apiKey.id)).revokedAt).toBeGreaterThan(0);
    await expect(preloop.identity.apiKeys.create(accountId, { name: 'late', agentId: agent.id })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
  });

  it('scopes keys to their account', async () => {
    await preloop.db.insertInto('accounts').values({ id: 'acc_other', name: 'Other', created_at: Date.now() }).execute();
    const { apiKey } = await preloop.identity.apiKeys.create('acc_other', { name: 'other' });
    await expect(preloop.identity.apiKeys.get(accountId, apiKey.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(preloop.identity.apiKeys.revoke(accountId, apiKey.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await preloop.identity.apiKeys.list(accountId)).items.map((item) => item.id)).not.toContain(apiKey.id);
    await expect(
      preloop.identity.apiKeys.create(accountId, {
        name: 'cross',
        userId: (await preloop.identity.users.create('acc_other', { email: 'o@example.com', name: 'O', role: 'owner' })).id,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });
});
