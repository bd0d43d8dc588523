import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, loginCookie, seedUser, type ApiCallOptions, type SeededUser } from '../../identity/identity-test-support.js';
import type { Preloop } from '../../kernel/preloop.js';
import { createTestPreloop, type TestPreloop } from '../../testing/create-test-preloop.js';
import { testDialects } from '../../testing/test-databases.js';
import { coreRoutes } from './index.js';
import { definePlugin } from '../../plugins/define-plugin.js';
import { memoryTracker, signMemoryDelivery } from '../../trackers/test-support/memory-tracker.js';

/**
 * Walks every core route with `validateResponses` on (createTestPreloop): each
 * success status and the usual error statuses. An answer its route's contract
 * does not describe is a 500 RESPONSE_SCHEMA_MISMATCH, listed by the test; a
 * core route this walk never calls fails it too, so a new route gets a call.
 */
// On both dialects: PostgreSQL hands some numbers back as strings, a shape SQLite never shows.
describe.each(testDialects())('every core route answers what its contract declares on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  let owner: SeededUser;
  const answered = new Map<string, Set<number>>();
  const mismatches: string[] = [];

  /** The core route a request lands on: the literal path before a parameter (`/audit/public-key` before `/audit/:id`). */
  const routeOf = (method: string, path: string) =>
    coreRoutes
      .filter(
        (route) => route.method === method && new RegExp(`^${route.path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`).test(path.split('?')[0]!),
      )
      .sort((a, b) => a.path.split(':').length - b.path.split(':').length)[0];

  async function call(method: string, path: string, options: ApiCallOptions = {}) {
    const result = await callApi(preloop, method, path, { bearer: owner.key, ...options });
    const route = routeOf(method, path);
    if (route)
      answered.set(`${route.method} ${route.path}`, (answered.get(`${route.method} ${route.path}`) ?? new Set()).add(result.status));
    if (result.status >= 500)
      mismatches.push(`${method} ${path} → ${result.status} ${JSON.stringify(result.body?.error ?? result.body).slice(0, 300)}`);
    return result;
  }

  /** A call whose answer is not JSON (text, a stream): the status and content type are kept, the body is dropped. */
  async function callRaw(path: string) {
    const response = await preloop.api(
      new Request(`http://localhost/api/v1${path}`, { headers: { authorization: `Bearer ${owner.key}` } }),
    );
    await response.body?.cancel();
    const route = routeOf('GET', path)!;
    answered.set(`${route.method} ${route.path}`, (answered.get(`${route.method} ${route.path}`) ?? new Set()).add(response.status));
    if (response.status >= 500) mismatches.push(`GET ${path} → ${response.status}`);
    return response;
  }

  beforeAll(async () => {
    test = await createTestPreloop(dialect, { plugins: [definePlugin({ id: 'memory', contributions: { trackers: [memoryTracker()] } })] });
    preloop = test.preloop;
    owner = await seedUser(preloop, 'owner', 'owner@example.com');
  });
  afterAll(() => test.cleanup());

  it('system, metrics and events', async () => {
    for (const path of ['/health/live', '/health/ready', '/health']) expect((await call('GET', path)).status).toBe(200);
    expect((await callRaw('/metrics')).headers.get('content-type')).toMatch(/^text\/plain/);
    expect((await callRaw('/events')).headers.get('content-type')).toMatch(/^text\/event-stream/);
  });

  it('auth: login, me, password, logout', async () => {
    const admin = await seedUser(preloop, 'admin', 'admin@example.com');
    expect(
      (await call('POST', '/auth/login', { bearer: undefined, body: { email: admin.user.email, password: 'wrong password' } })).status,
    ).toBe(401);
    const cookie = await loginCookie(preloop, admin.user.email, admin.password);
    expect((await call('GET', '/auth/me', { bearer: undefined, cookie })).body.user.id).toBe(admin.user.id);
    expect((await call('GET', '/auth/me')).body.principal.type).toBe('api_key');
    expect(
      (
        await call('POST', '/auth/password', {
          bearer: undefined,
          cookie,
          body: { currentPassword: 'not it', newPassword: 'a new long password' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('POST', '/auth/password', {
          bearer: undefined,
          cookie,
          body: { currentPassword: admin.password, newPassword: 'a new long password' },
        })
      ).status,
    ).toBe(200);
    expect((await call('POST', '/auth/logout', { bearer: undefined, cookie })).status).toBe(204);
  });

  it('users', async () => {
    expect((await call('GET', '/users?limit=1')).body.items).toHaveLength(1);
    const created = await call('POST', '/users', { body: { email: 'ada@example.com', name: 'Ada', role: 'viewer' } });
    expect(created.status).toBe(201);
    expect((await call('POST', '/users', { body: { email: 'ada@example.com', name: 'Ada', role: 'viewer' } })).status).toBe(409);
    const id = created.body.id as string;
    expect((await call('GET', `/users/${id}`)).status).toBe(200);
    expect((await call('GET', '/users/nobody')).status).toBe(404);
    expect((await call('PATCH', `/users/${id}`, { body: { name: 'Ada L.' } })).status).toBe(200);
    expect((await call('PATCH', `/users/${owner.user.id}`, { body: { role: 'viewer' } })).status).toBe(409);
    expect((await call('POST', `/users/${id}/password`, { body: {} })).body.generatedPassword).toEqual(expect.any(String));
    expect((await call('DELETE', `/users/${id}`)).status).toBe(204);
    expect((await call('GET', '/users', { bearer: undefined })).status).toBe(401);
  });

  it('teams', async () => {
    const team = await call('POST', '/teams', { body: { name: 'ops', memberIds: [owner.user.id] } });
    expect(team.status).toBe(201);
    expect((await call('POST', '/teams', { body: { name: 'ops' } })).status).toBe(409);
    const id = team.body.id as string;
    expect((await call('GET', '/teams')).status).toBe(200);
    expect((await call('GET', `/teams/${id}`)).status).toBe(200);
    expect((await call('PATCH', `/teams/${id}`, { body: { name: 'operations' } })).status).toBe(200);
    expect((await call('PUT', `/teams/${id}/members`, { body: { userIds: [] } })).status).toBe(200);
    expect((await call('DELETE', `/teams/${id}`)).status).toBe(204);
    expect((await call('GET', `/teams/${id}`)).status).toBe(404);
  });

  it('API keys and agents', async () => {
    const agent = await call('POST', '/agents', { body: { name: 'ci bot', kind: 'custom', tags: ['ci'] } });
    expect(agent.status).toBe(201);
    const agentId = agent.body.id as string;
    expect((await call('GET', '/agents?tag=ci')).body.items).toHaveLength(1);
    expect((await call('GET', `/agents/${agentId}`)).status).toBe(200);
    const key = await call('POST', '/api-keys', { body: { name: 'bot key', scopes: ['mcp'], agentId } });
    expect(key.status).toBe(201);
    expect((await call('GET', '/api-keys')).status).toBe(200);
    expect((await call('GET', `/api-keys/${key.body.apiKey.id}`)).status).toBe(200);
    expect((await call('DELETE', `/api-keys/${key.body.apiKey.id}`)).body.revokedAt).toEqual(expect.any(Number));
    expect((await call('GET', '/api-keys/none')).status).toBe(404);
    expect((await call('POST', `/agents/${agentId}/suspend`, { body: { reason: 'test' } })).body.state).toBe('suspended');
    expect((await call('POST', `/agents/${agentId}/resume`)).body.state).toBe('active');
    expect((await call('POST', `/agents/${agentId}/decommission`)).body.state).toBe('decommissioned');
    expect((await call('POST', `/agents/${agentId}/resume`)).status).toBe(409);
  });

  it('runtime sessions', async () => {
    const started = await call('POST', '/runtime-sessions', { body: { name: 'run 1', source: 'ci' } });
    expect(started.status).toBe(201);
    const id = started.body.session.id as string;
    expect((await call('GET', '/runtime-sessions?state=active')).status).toBe(200);
    expect((await call('GET', `/runtime-sessions/${id}`)).status).toBe(200);
    expect((await call('GET', `/runtime-sessions/${id}/activity`)).status).toBe(200);
    expect((await call('POST', `/runtime-sessions/${id}/heartbeat`)).status).toBe(200);
    expect((await call('POST', `/runtime-sessions/${id}/end`, { body: { reason: 'done' } })).body.state).toBe('ended');
    expect((await call('POST', `/runtime-sessions/${id}/heartbeat`)).status).toBe(410);
    expect((await call('GET', '/runtime-sessions/none')).status).toBe(404);
  });

  it('policy and kill switch', async () => {
    expect((await call('GET', '/policy')).status).toBe(200);
    expect(
      (await call('POST', '/policy', { body: { document: { version: 1, defaults: { tools: 'allow' } }, comment: 'open' } })).status,
    ).toBe(201);
    expect((await call('POST', '/policy', { body: { document: { version: 2 } } })).status).toBe(400);
    expect((await call('GET', '/policy/versions')).body.items.length).toBeGreaterThan(1);
    expect((await call('GET', '/policy/versions/1')).status).toBe(200);
    expect((await call('GET', '/policy/versions/999')).status).toBe(404);
    const validation = await call('POST', '/policy/validate', { body: { document: 'version: 1\ndefaults:\n  tools: allow\n' } });
    expect(validation.body, JSON.stringify(validation.body)).toMatchObject({ valid: true });
    expect((await call('POST', '/policy/validate', { body: { document: 'version: 3' } })).body.valid).toBe(false);
    expect((await call('POST', '/policy/diff', { body: { from: 1, to: 2 } })).body.diff).toEqual(expect.any(String));
    expect((await call('POST', '/policy/rollback', { body: { version: 1 } })).status).toBe(200);
    expect((await call('POST', '/policy/rollback', { body: { version: 999 } })).status).toBe(404);
    expect((await callRaw('/policy/export')).headers.get('content-type')).toMatch(/^application\/yaml/);
    expect((await call('GET', '/policy/export?format=json')).body.version).toBe(1);
    expect((await call('GET', '/policy/export?version=999')).status).toBe(404);
    expect((await call('GET', '/policy/schema', { bearer: undefined })).status).toBe(200);
    expect((await call('POST', '/policy/simulate', { body: { tool: 'github.create_issue' } })).body.decision.action).toEqual(
      expect.any(String),
    );
    expect(
      (await call('POST', '/policy/simulate', { body: { tool: 'x.y', document: { version: 1, defaults: { tools: 'deny' } } } })).body
        .decision.action,
    ).toBe('deny');
    expect((await call('POST', '/kill-switch/activate', { body: { reason: 'incident' } })).body.active).toHaveLength(3);
    expect((await call('GET', '/kill-switch')).status).toBe(200);
    expect((await call('POST', '/kill-switch/deactivate', { body: {} })).body.active).toEqual([]);
  });

  it('audit', async () => {
    const page = await call('GET', '/audit?limit=2');
    expect(page.body.items).toHaveLength(2);
    expect((await call('GET', `/audit/${page.body.items[0].id}`)).status).toBe(200);
    expect((await call('GET', '/audit/none')).status).toBe(404);
    expect((await call('GET', '/audit/public-key')).body.algorithm).toBe('Ed25519');
    expect((await call('POST', '/audit/verify')).body.ok).toBe(true);
  });

  it('agents: permission check (always 200 with the hook answer, 403 without the mcp scope, 400 for a body that is not PreToolUse)', async () => {
    const agent = await preloop.identity.agents.enroll(preloop.accountId, { name: 'contract-agent', kind: 'claude_code' });
    const { key } = await preloop.identity.apiKeys.create(preloop.accountId, {
      name: 'contract agent key',
      agentId: agent.id,
      scopes: ['mcp'],
    });
    const body = { hook_event_name: 'PreToolUse', session_id: 's1', tool_name: 'Bash', tool_input: { command: 'ls' } };
    expect(
      (await call('POST', '/agents/permission-check?wait=0', { bearer: key, body })).body.hookSpecificOutput.permissionDecision,
    ).toEqual(expect.any(String));
    const adminOnly = await preloop.identity.apiKeys.create(preloop.accountId, {
      name: 'admin only',
      scopes: ['admin:read'],
      userId: owner.user.id,
    });
    expect((await call('POST', '/agents/permission-check', { bearer: adminOnly.key, body })).status).toBe(403);
    expect((await call('POST', '/agents/permission-check', { bearer: key, body: { ...body, tool_name: 'a b' } })).status).toBe(400);
  });

  it('issues: search, and the 404s of an unknown issue or connection (the stored answers are walked in trackers/sync/issue-sync.test.ts)', async () => {
    expect((await call('GET', '/issues?text=crash&state=all')).body).toEqual({ items: [], nextCursor: null });
    expect((await call('GET', '/issues/none')).status).toBe(404);
    expect((await call('GET', '/issues/none/similar')).status).toBe(404);
    expect((await call('POST', '/issues', { body: { connectionId: 'trk_none', project: 'a/b', title: 'T' } })).status).toBe(404);
    expect((await call('POST', '/issues/none/comments', { body: { body: 'hi' } })).status).toBe(404);
    expect((await call('POST', '/trackers/connections/trk_none/sync')).status).toBe(404);
    expect((await call('GET', '/trackers/connections/trk_none/sync')).status).toBe(404);
  });

  it('trackers: installed, connections, test, projects, webhook intake', async () => {
    expect((await call('GET', '/trackers')).body.items.map((tracker: { id: string }) => tracker.id)).toEqual(['memory']);
    const base = { tracker: 'memory', name: 'acme-memory', settings: { owner: 'acme' }, secrets: { token: 'good-token' } };
    expect((await call('POST', '/trackers/connections', { body: { ...base, settings: {} } })).status).toBe(400);
    expect((await call('POST', '/trackers/connections', { body: { ...base, tracker: 'nope' } })).status).toBe(404);
    const created = await call('POST', '/trackers/connections', { body: base });
    expect(created.status).toBe(201);
    expect((await call('POST', '/trackers/connections', { body: base })).status).toBe(409);
    const { id, webhookSecret, webhookPath } = created.body as { id: string; webhookSecret: string; webhookPath: string };
    expect(webhookPath).toBe(`/api/v1/trackers/webhooks/${id}`);
    expect((await call('GET', '/trackers/connections')).body.items).toHaveLength(1);
    expect((await call('GET', `/trackers/connections/${id}`)).body.secretNames).toEqual(['token', 'webhookSecret']);
    expect((await call('GET', '/trackers/connections/trk_nope')).status).toBe(404);
    expect(
      (await call('PATCH', `/trackers/connections/${id}`, { body: { settings: { owner: 'acme' } } })).body.webhookSecret,
    ).toBeUndefined();
    expect((await call('POST', `/trackers/connections/${id}/test`)).body).toEqual({ ok: true, identity: 'acme-bot' });
    expect((await call('GET', `/trackers/connections/${id}/projects`)).body.items[0].key).toBe('acme/api');
    const mine = `/trackers/connections/${id}/my-credential`;
    expect((await call('PUT', mine, { body: { secrets: { token: 'bad-token' } } })).status).toBe(400);
    expect((await call('PUT', mine, { body: { secrets: { token: 'good-token' } } })).body).toMatchObject({
      linked: true,
      identity: 'acme-bot',
    });
    expect((await call('GET', mine)).body).toMatchObject({ linked: true });
    expect((await call('DELETE', mine)).status).toBe(204);
    const rotated = await call('PATCH', `/trackers/connections/${id}`, { body: { webhookSecret: true, secrets: { token: 'bad-token' } } });
    expect(rotated.body.webhookSecret).not.toBe(webhookSecret);
    expect((await call('POST', `/trackers/connections/${id}/test`)).body).toMatchObject({
      ok: false,
      error: { code: 'TRACKER_FORBIDDEN' },
    });
    expect((await call('GET', `/trackers/connections/${id}`)).body).toMatchObject({
      status: 'error',
      lastError: expect.stringContaining('TRACKER_FORBIDDEN'),
    });
    const body = JSON.stringify({ project: 'acme/api', number: '1', title: 'Hello' });
    const deliver = (signature: string, target = id) =>
      call('POST', `/trackers/webhooks/${target}`, {
        bearer: undefined,
        body,
        headers: { 'content-type': 'application/json', 'x-memory-delivery': 'd-1', 'x-memory-signature': signature },
      });
    expect((await deliver(signMemoryDelivery(body, webhookSecret))).status).toBe(401);
    expect((await deliver(signMemoryDelivery(body, rotated.body.webhookSecret), 'trk_nope')).status).toBe(404);
    expect((await deliver(signMemoryDelivery(body, rotated.body.webhookSecret))).body).toEqual({ status: 'accepted', events: 1 });
    expect((await deliver(signMemoryDelivery(body, rotated.body.webhookSecret))).body).toEqual({ status: 'duplicate', events: 0 });
    expect((await call('DELETE', `/trackers/connections/${id}`)).status).toBe(204);
    expect((await call('DELETE', `/trackers/connections/${id}`)).status).toBe(404);
  });

  it('oauth: every route answers 404 without oauth options (their answers with them are checked in oauth/oauth-routes.test.ts)', async () => {
    expect((await call('GET', '/oauth/metadata', { bearer: undefined })).status).toBe(404);
    expect((await call('GET', '/oauth/authorize?client_id=x', { bearer: undefined })).status).toBe(404);
    for (const path of ['/oauth/authorize', '/oauth/login', '/oauth/token', '/oauth/register', '/oauth/revoke'])
      expect((await call('POST', path, { bearer: undefined, body: {} })).status).toBe(404);
    expect((await call('GET', '/oauth/grants')).status).toBe(404);
    expect((await call('DELETE', '/oauth/grants/ogr_none')).status).toBe(404);
  });

  it('answered every call as its contract declares, and called every core route', () => {
    expect(mismatches).toEqual([]);
    expect(coreRoutes.map((route) => `${route.method} ${route.path}`).filter((route) => !answered.has(route))).toEqual([]);
  });
});
