import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, loginCookie, seedUser, type SeededUser } from '../../identity/identity-test-support.js';
import type { Preloop } from '../../kernel/preloop.js';
import { createTestPreloop, type TestPreloop } from '../../testing/create-test-preloop.js';
import { testDialects } from '../../testing/test-databases.js';

describe.each(testDialects())('identity admin API on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  let owner: SeededUser;
  let admin: SeededUser;
  let viewer: SeededUser;
  let ownerCookie: string;
  let viewerCookie: string;
  beforeAll(async () => {
    test = await createTestPreloop(dialect);
    preloop = test.preloop;
    owner = await seedUser(preloop, 'owner', 'owner@example.com');
    admin = await seedUser(preloop, 'admin', 'admin@example.com');
    viewer = await seedUser(preloop, 'viewer', 'viewer@example.com');
    ownerCookie = await loginCookie(preloop, owner.user.email, owner.password);
    viewerCookie = await loginCookie(preloop, viewer.user.email, viewer.password);
  });
  afterAll(() => test.cleanup());

  describe('authentication', () => {
    it('refuses an unauthenticated admin call with 401', async () => {
      for (const [method, path] of [
        ['GET', '/users'],
        ['POST', '/api-keys'],
        ['GET', '/agents'],
        ['GET', '/runtime-sessions'],
        ['GET', '/auth/me'],
      ] as const) {
        const { status, body } = await callApi(preloop, method, path, method === 'POST' ? { body: { name: 'x' } } : {});
        expect(status, `${method} ${path}`).toBe(401);
        expect(body.error.code).toBe('UNAUTHENTICATED');
      }
    });

    it('answers a failed login with one generic 401 and no cookie', async () => {
      const wrongPassword = await callApi(preloop, 'POST', '/auth/login', {
        body: { email: owner.user.email, password: 'not the password' },
      });
      const unknownEmail = await callApi(preloop, 'POST', '/auth/login', {
        body: { email: 'nobody@example.com', password: 'not the password' },
      });
      expect(wrongPassword.status).toBe(401);
      expect(unknownEmail.status).toBe(401);
      expect(wrongPassword.body).toEqual(unknownEmail.body);
      expect(wrongPassword.body.error.message).toBe('Invalid email or password.');
      expect(wrongPassword.headers.get('set-cookie')).toBeNull();
    });

    it('logs in with a cookie (Secure over https), answers /auth/me, and logs out', async () => {
      const login = await callApi(preloop, 'POST', '/auth/login', {
        body: { email: admin.user.email, password: admin.password },
        origin: 'https://preloop.example',
      });
      expect(login.status).toBe(200);
      expect(login.body.user).toMatchObject({ id: admin.user.id, role: 'admin' });
      expect(JSON.stringify(login.body)).not.toMatch(/password_?hash|argon2/i);
      expect(login.headers.get('set-cookie')).toMatch(/^preloop_session=[\w-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
      expect(login.headers.get('cache-control')).toBe('no-store');
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const me = await callApi(preloop, 'GET', '/auth/me', { cookie });
      expect(me.body.principal).toMatchObject({ type: 'user', id: admin.user.id, role: 'admin' });
      expect(me.body.user.email).toBe(admin.user.email);
      const logout = await callApi(preloop, 'POST', '/auth/logout', { cookie });
      expect(logout.status).toBe(204);
      expect(logout.headers.get('set-cookie')).toMatch(/^preloop_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax$/);
      expect((await callApi(preloop, 'GET', '/auth/me', { cookie })).status).toBe(401);
    });

    it('never reads a token from the query string', async () => {
      expect((await callApi(preloop, 'GET', `/users?access_token=${owner.key}`)).status).toBe(401);
      expect((await callApi(preloop, 'GET', `/users?access_token=${owner.key}`, { bearer: owner.key })).status).toBe(401);
    });
  });

  describe('roles', () => {
    it('gives a viewer reads and refuses its writes with 403', async () => {
      expect((await callApi(preloop, 'GET', '/users', { cookie: viewerCookie })).status).toBe(200);
      expect((await callApi(preloop, 'GET', '/api-keys', { bearer: viewer.key })).status).toBe(200);
      for (const [method, path, body] of [
        ['POST', '/teams', { name: 'viewers' }],
        ['POST', '/users', { email: 'x@example.com', name: 'X', role: 'viewer' }],
        ['POST', '/api-keys', { name: 'mine' }],
        ['POST', '/agents', { name: 'a', kind: 'custom' }],
        ['DELETE', `/users/${admin.user.id}`, undefined],
      ] as const) {
        const viaCookie = await callApi(preloop, method, path, { cookie: viewerCookie, body });
        const viaKey = await callApi(preloop, method, path, { bearer: viewer.key, body });
        expect([viaCookie.status, viaKey.status], `${method} ${path}`).toEqual([403, 403]);
      }
    });

    it('refuses a write with a key that only has admin:read', async () => {
      const { key } = await preloop.identity.apiKeys.create(preloop.accountId, {
        name: 'reader',
        scopes: ['admin:read'],
        userId: owner.user.id,
      });
      expect((await callApi(preloop, 'GET', '/teams', { bearer: key })).status).toBe(200);
      expect((await callApi(preloop, 'POST', '/teams', { bearer: key, body: { name: 'nope' } })).status).toBe(403);
      const mcpOnly = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'mcp', scopes: ['mcp'], userId: owner.user.id });
      expect((await callApi(preloop, 'GET', '/teams', { bearer: mcpOnly.key })).status).toBe(403);
    });

    it('lets an admin create users up to admin, never an owner, and never touch an owner', async () => {
      const asOwner = await callApi(preloop, 'POST', '/users', {
        bearer: admin.key,
        body: { email: 'o2@example.com', name: 'O2', role: 'owner' },
      });
      expect(asOwner.status).toBe(403);
      const asAdmin = await callApi(preloop, 'POST', '/users', {
        bearer: admin.key,
        body: { email: 'a2@example.com', name: 'A2', role: 'admin', password: 'a2 password!' },
      });
      expect(asAdmin.status).toBe(201);
      expect(asAdmin.body).toMatchObject({ email: 'a2@example.com', role: 'admin', hasPassword: true });
      expect((await callApi(preloop, 'PATCH', `/users/${asAdmin.body.id}`, { bearer: admin.key, body: { role: 'owner' } })).status).toBe(
        403,
      );
      expect((await callApi(preloop, 'PATCH', `/users/${owner.user.id}`, { bearer: admin.key, body: { name: 'Renamed' } })).status).toBe(
        403,
      );
      expect((await callApi(preloop, 'DELETE', `/users/${owner.user.id}`, { bearer: admin.key })).status).toBe(403);
      expect(
        (await callApi(preloop, 'PATCH', `/users/${asAdmin.body.id}`, { bearer: admin.key, body: { role: 'approver' } })).body.role,
      ).toBe('approver');
      expect((await callApi(preloop, 'DELETE', `/users/${asAdmin.body.id}`, { bearer: admin.key })).status).toBe(204);
      expect((await callApi(preloop, 'GET', `/users/${asAdmin.body.id}`, { bearer: admin.key })).status).toBe(404);
      const byOwner = await callApi(preloop, 'POST', '/users', {
        cookie: ownerCookie,
        body: { email: 'o3@example.com', name: 'O3', role: 'owner' },
      });
      expect(byOwner.status).toBe(201);
      expect((await callApi(preloop, 'DELETE', `/users/${owner.user.id}`, { cookie: ownerCookie })).status).toBe(403); // not yourself
      expect(
        (await callApi(preloop, 'POST', '/users', { cookie: ownerCookie, body: { email: 'O3@example.com', name: 'dup', role: 'viewer' } }))
          .status,
      ).toBe(409);
    });
  });

  describe('validation', () => {
    it('answers a malformed body with 400 naming the field', async () => {
      const { status, body } = await callApi(preloop, 'POST', '/users', {
        bearer: owner.key,
        body: { email: 'not-an-email', name: 'X', role: 'viewer' },
      });
      expect(status).toBe(400);
      expect(body.error.code).toBe('VALIDATION_ERROR');
      expect(body.error.message).toContain('email');
      expect(body.error.details.issues[0].path).toBe('email');
      const scopes = await callApi(preloop, 'POST', '/api-keys', { bearer: owner.key, body: { name: 'k', scopes: ['mcp', 'root'] } });
      expect(scopes.status).toBe(400);
      expect(scopes.body.error.details.issues[0].path).toBe('scopes[1]');
      const role = await callApi(preloop, 'POST', '/users', {
        bearer: owner.key,
        body: { email: 'r@example.com', name: 'R', role: 'superuser' },
      });
      expect(role.body.error.details.issues[0].path).toBe('role');
      const json = await callApi(preloop, 'POST', '/teams', { bearer: owner.key, body: '{"name":' });
      expect(json.status).toBe(400);
    });

    it('refuses unknown fields with 400 naming them', async () => {
      const { status, body } = await callApi(preloop, 'POST', '/api-keys', { bearer: owner.key, body: { name: 'k', keyHash: 'abc' } });
      expect(status).toBe(400);
      expect(body.error.message).toContain('keyHash');
      const login = await callApi(preloop, 'POST', '/auth/login', {
        body: { email: owner.user.email, password: owner.password, role: 'owner' },
      });
      expect(login.status).toBe(400);
      expect(login.body.error.message).toContain('role');
    });

    it('pages lists with opaque cursors and bounded limits', async () => {
      for (let i = 0; i < 5; i++)
        expect((await callApi(preloop, 'POST', '/teams', { bearer: owner.key, body: { name: `team ${i}` } })).status).toBe(201);
      const names: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { status: number; body: { items: { name: string }[]; nextCursor: string | null } } = await callApi(
          preloop,
          'GET',
          `/teams?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          { bearer: owner.key },
        );
        expect(page.status).toBe(200);
        names.push(...page.body.items.map((team) => team.name));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(names).toEqual(['team 0', 'team 1', 'team 2', 'team 3', 'team 4']);
      expect((await callApi(preloop, 'GET', '/teams?limit=500', { bearer: owner.key })).status).toBe(400);
      expect((await callApi(preloop, 'GET', '/teams?limit=0', { bearer: owner.key })).status).toBe(400);
      const bad = await callApi(preloop, 'GET', '/teams?cursor=!!!', { bearer: owner.key });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.issues[0].path).toBe('cursor');
      expect((await callApi(preloop, 'GET', '/teams', { bearer: owner.key })).body.nextCursor).toBeNull();
    });
  });

  describe('API keys', () => {
    it('shows a new key once, lists records only, and refuses it once revoked', async () => {
      const created = await callApi(preloop, 'POST', '/api-keys', { bearer: admin.key, body: { name: 'deploy', scopes: ['admin:read'] } });
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toBe('no-store');
      expect(created.body.key).toMatch(/^plk_[0-9A-Za-z]{38}$/);
      expect(created.body.apiKey).toMatchObject({ name: 'deploy', scopes: ['admin:read'], userId: admin.user.id });
      const list = await callApi(preloop, 'GET', '/api-keys?limit=200', { bearer: admin.key });
      expect(JSON.stringify(list.body)).not.toContain(created.body.key);
      expect(JSON.stringify(list.body)).not.toMatch(/hash/i);
      expect((await callApi(preloop, 'GET', '/auth/me', { bearer: created.body.key })).status).toBe(200);
      const revoked = await callApi(preloop, 'DELETE', `/api-keys/${created.body.apiKey.id}`, { bearer: admin.key });
      expect(revoked.body.revokedAt).toBeGreaterThan(0);
      expect((await callApi(preloop, 'GET', '/auth/me', { bearer: created.body.key })).status).toBe(401);
      expect((await callApi(preloop, 'GET', '/users', { bearer: created.body.key })).status).toBe(401);
    });

    it('answers an expired key with 401', async () => {
      const created = await callApi(preloop, 'POST', '/api-keys', {
        bearer: admin.key,
        body: { name: 'brief', scopes: ['admin:read'], expiresAt: Date.now() + 250 },
      });
      expect((await callApi(preloop, 'GET', '/users', { bearer: created.body.key })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await callApi(preloop, 'GET', '/users', { bearer: created.body.key })).status).toBe(401);
    });

    it('never lets a key mint a key with more scopes than itself', async () => {
      const { key } = await preloop.identity.apiKeys.create(preloop.accountId, {
        name: 'limited',
        scopes: ['admin:read', 'admin:write'],
        userId: admin.user.id,
      });
      expect((await callApi(preloop, 'POST', '/api-keys', { bearer: key, body: { name: 'escalate', scopes: ['mcp'] } })).status).toBe(403);
      expect((await callApi(preloop, 'POST', '/api-keys', { bearer: key, body: { name: 'same', scopes: ['admin:read'] } })).status).toBe(
        201,
      );
    });
  });

  describe('agents and runtime sessions', () => {
    it('runs an agent’s session end to end: its key starts it, the credential heartbeats and ends it, then gets 401', async () => {
      const agent = await callApi(preloop, 'POST', '/agents', {
        bearer: admin.key,
        body: { name: 'coder', kind: 'claude_code', tags: ['ci'] },
      });
      expect(agent.status).toBe(201);
      expect(agent.body).toMatchObject({ state: 'active', ownerUserId: admin.user.id });
      const agentKey = await callApi(preloop, 'POST', '/api-keys', {
        bearer: admin.key,
        body: { name: 'coder key', agentId: agent.body.id, scopes: ['mcp'] },
      });
      const started = await callApi(preloop, 'POST', '/runtime-sessions', {
        bearer: agentKey.body.key,
        body: { name: 'fix tests', source: 'ci', externalId: 'build-7', metadata: { pr: 12 } },
      });
      expect(started.status).toBe(201);
      expect(started.body.session).toMatchObject({ agentId: agent.body.id, apiKeyId: agentKey.body.apiKey.id, audience: ['mcp'] });
      const token = started.body.credential.token as string;
      const me = await callApi(preloop, 'GET', '/auth/me', { bearer: token });
      expect(me.body.principal).toMatchObject({
        type: 'runtime_session',
        runtimeSessionId: started.body.session.id,
        agentId: agent.body.id,
        scopes: ['mcp'],
      });
      expect((await callApi(preloop, 'GET', '/users', { bearer: token })).status).toBe(403);
      expect(
        (await callApi(preloop, 'POST', '/runtime-sessions', { bearer: agentKey.body.key, body: { name: 'x', audience: ['gateway'] } }))
          .status,
      ).toBe(403);

      const heartbeat = await callApi(preloop, 'POST', `/runtime-sessions/${started.body.session.id}/heartbeat`, { bearer: token });
      expect(heartbeat.status).toBe(200);
      expect(heartbeat.body.credential.token).not.toBe(token);
      await preloop.identity.recordActivity(started.body.session.id, { kind: 'tool_call', status: 'success', summary: 'github.create_pr' });
      const activity = await callApi(preloop, 'GET', `/runtime-sessions/${started.body.session.id}/activity`, { cookie: viewerCookie });
      expect(activity.body.items.map((item: { summary: string }) => item.summary)).toEqual(['github.create_pr']);

      const other = await callApi(preloop, 'POST', '/runtime-sessions', { bearer: admin.key, body: { name: 'someone else’s' } });
      expect((await callApi(preloop, 'POST', `/runtime-sessions/${other.body.session.id}/end`, { bearer: token })).status).toBe(404);

      const ended = await callApi(preloop, 'POST', `/runtime-sessions/${started.body.session.id}/end`, {
        bearer: token,
        body: { reason: 'done' },
      });
      expect(ended.body).toMatchObject({ state: 'ended', endReason: 'done' });
      expect((await callApi(preloop, 'GET', '/auth/me', { bearer: token })).status).toBe(401);
      expect((await callApi(preloop, 'GET', '/auth/me', { bearer: heartbeat.body.credential.token })).status).toBe(401);
      expect(
        (await callApi(preloop, 'POST', `/runtime-sessions/${started.body.session.id}/heartbeat`, { bearer: agentKey.body.key })).status,
      ).toBe(410);
      const listed = await callApi(preloop, 'GET', `/runtime-sessions?agentId=${agent.body.id}&state=ended`, { cookie: ownerCookie });
      expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([started.body.session.id]);
    });

    it('refuses a suspended agent’s credential with 401, and decommission is final', async () => {
      const agent = await callApi(preloop, 'POST', '/agents', { cookie: ownerCookie, body: { name: 'pausable', kind: 'codex' } });
      const started = await callApi(preloop, 'POST', '/runtime-sessions', {
        cookie: ownerCookie,
        body: { name: 'run', agentId: agent.body.id },
      });
      const token = started.body.credential.token as string;
      expect((await callApi(preloop, 'GET', '/auth/me', { bearer: token })).status).toBe(200);
      const suspended = await callApi(preloop, 'POST', `/agents/${agent.body.id}/suspend`, {
        cookie: ownerCookie,
        body: { reason: 'incident 42' },
      });
      expect(suspended.body).toMatchObject({ state: 'suspended', stateReason: 'incident 42' });
      expect((await callApi(preloop, 'GET', '/auth/me', { bearer: token })).status).toBe(401);
      expect((await callApi(preloop, 'POST', `/agents/${agent.body.id}/resume`, { cookie: ownerCookie })).body.state).toBe('active');
      expect((await callApi(preloop, 'GET', '/auth/me', { bearer: token })).status).toBe(200);
      expect((await callApi(preloop, 'POST', `/agents/${agent.body.id}/decommission`, { cookie: ownerCookie })).body.state).toBe(
        'decommissioned',
      );
      expect((await callApi(preloop, 'GET', '/auth/me', { bearer: token })).status).toBe(401);
      expect((await callApi(preloop, 'POST', `/agents/${agent.body.id}/resume`, { cookie: ownerCookie })).status).toBe(409);
      expect((await callApi(preloop, 'GET', `/runtime-sessions/${started.body.session.id}`, { cookie: viewerCookie })).body.endReason).toBe(
        'agent_decommissioned',
      );
      expect((await callApi(preloop, 'POST', `/agents/${agent.body.id}/suspend`, { cookie: viewerCookie })).status).toBe(403);
    });

    it('refuses a viewer starting sessions, and a plain key starting one for an agent', async () => {
      const agent = await preloop.identity.agents.enroll(preloop.accountId, { name: 'guarded', kind: 'custom' });
      expect((await callApi(preloop, 'POST', '/runtime-sessions', { cookie: viewerCookie, body: { name: 'x' } })).status).toBe(403);
      const { key } = await preloop.identity.apiKeys.create(preloop.accountId, {
        name: 'plain',
        scopes: ['gateway'],
        userId: viewer.user.id,
      });
      expect((await callApi(preloop, 'POST', '/runtime-sessions', { bearer: key, body: { name: 'x', agentId: agent.id } })).status).toBe(
        403,
      );
      const own = await callApi(preloop, 'POST', '/runtime-sessions', { bearer: key, body: { name: 'mine' } });
      expect(own.status).toBe(201);
      expect(own.body.session.audience).toEqual(['gateway']);
    });
  });

  describe('account scoping', () => {
    it('shows and changes nothing of another account', async () => {
      await preloop.db
        .insertInto('accounts')
        .values({ id: 'acc_tenant', name: 'Tenant', created_at: Date.now() })
        .onConflict((c) => c.column('id').doNothing())
        .execute();
      const tenantOwner = await preloop.identity.users.create('acc_tenant', {
        email: 'tenant@example.com',
        name: 'Tenant owner',
        role: 'owner',
      });
      const { key } = await preloop.identity.apiKeys.create('acc_tenant', {
        name: 'tenant',
        scopes: ['admin:read', 'admin:write'],
        userId: tenantOwner.id,
      });
      const users = await callApi(preloop, 'GET', '/users?limit=200', { bearer: key });
      expect(users.body.items.map((user: { id: string }) => user.id)).toEqual([tenantOwner.id]);
      expect((await callApi(preloop, 'GET', `/users/${owner.user.id}`, { bearer: key })).status).toBe(404);
      expect((await callApi(preloop, 'PATCH', `/users/${viewer.user.id}`, { bearer: key, body: { role: 'admin' } })).status).toBe(404);
      expect((await callApi(preloop, 'DELETE', `/api-keys/${owner.key}`, { bearer: key })).status).toBe(404);
      expect((await callApi(preloop, 'POST', '/teams', { bearer: key, body: { name: 'x', memberIds: [owner.user.id] } })).status).toBe(400);
      const sessions = await callApi(preloop, 'GET', '/runtime-sessions', { bearer: key });
      expect(sessions.body.items).toEqual([]);
    });
  });

  it('documents every identity route in the OpenAPI document', async () => {
    const { body } = await callApi(preloop, 'GET', '/openapi.json');
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/users/{id}',
      '/api/v1/teams/{id}/members',
      '/api/v1/api-keys',
      '/api/v1/agents/{id}/suspend',
      '/api/v1/runtime-sessions/{id}/heartbeat',
    ]) {
      expect(Object.keys(body.paths)).toContain(path);
    }
  });
});
