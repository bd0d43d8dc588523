import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setClientAddress } from '../api/client-address.js';
import { createTestPreloop, testDialects, type TestPreloop } from '../testing.js';
import { createOAuthClients } from './oauth-clients.js';
import { oauthOptionsSchema } from './oauth-options.js';
import { oauthDatabase } from './oauth-tables.js';

const issuer = 'http://127.0.0.1:8787';
const resource = `${issuer}/mcp`;
const redirectUri = 'http://127.0.0.1:9911/callback';
const verifier = `${'v'.repeat(20)}erifier-of-the-pkce-flow-0123456789`;
const challenge = createHash('sha256').update(verifier).digest('base64url');

describe.each(testDialects())('OAuth authorization server on $name', (dialect) => {
  let test: TestPreloop;
  let cookie: string;
  let viewerCookie: string;
  let agentId: string;
  let otherAgentId: string;
  let clientId: string;
  let documents: Server;
  let documentBase: string;

  const api = (path: string, init: RequestInit = {}) => test.preloop.api(new Request(`${issuer}/api/v1${path}`, init));
  const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    api(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields),
    });
  const query = (overrides: Record<string, string | null> = {}) => {
    const params: Record<string, string | null> = {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'st-1',
      scope: 'mcp',
      resource,
      ...overrides,
    };
    return new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== null));
  };

  /** Opens the consent page as `sessionCookie`, then posts the decision; returns the redirect. */
  async function consent(params: URLSearchParams, identity: string, sessionCookie = cookie, decision = 'allow'): Promise<Response> {
    const page = await api(`/oauth/authorize?${params}`, { headers: { cookie: sessionCookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    return form('/oauth/authorize', { ...Object.fromEntries(params), csrf, identity, decision }, { cookie: sessionCookie, origin: issuer });
  }

  async function codeFor(identity = `agent:${agentId}`, params = query()): Promise<string> {
    const answer = await consent(params, identity);
    expect(answer.status).toBe(303);
    const location = new URL(answer.headers.get('location')!);
    expect(location.searchParams.get('state')).toBe('st-1');
    expect(location.searchParams.get('iss')).toBe(issuer);
    return location.searchParams.get('code')!;
  }

  const exchange = (code: string, overrides: Record<string, string> = {}) =>
    form('/oauth/token', {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: redirectUri,
      client_id: clientId,
      resource,
      ...overrides,
    });
  const principalOf = (token: string, at = resource) =>
    test.preloop.authenticate(new Request(at, { headers: { authorization: `Bearer ${token}` } }), { audience: 'mcp', resource: at });

  beforeAll(async () => {
    documents = createServer((request, response) => {
      const base = `http://127.0.0.1:${(documents.address() as AddressInfo).port}`;
      const own = `${base}${request.url}`;
      const body =
        request.url === '/wrong-id.json'
          ? { client_id: `${base}/other.json`, client_name: 'Liar', redirect_uris: [redirectUri] }
          : { client_id: own, client_name: 'Document Client', redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
    documentBase = `http://127.0.0.1:${(documents.address() as AddressInfo).port}`;
    test = await createTestPreloop(dialect, { oauth: { issuer, allowInsecureClientMetadataUrls: true } });
    const { preloop } = test;
    const admin = await preloop.identity.users.create(preloop.accountId, {
      email: 'ada@example.com',
      name: 'Ada',
      role: 'admin',
      password: 'a long password 1',
    });
    const viewer = await preloop.identity.users.create(preloop.accountId, {
      email: 'vic@example.com',
      name: 'Vic',
      role: 'viewer',
      password: 'a long password 2',
    });
    cookie = (await preloop.identity.consoleSessions.create(admin)).cookie.split(';')[0]!;
    viewerCookie = (await preloop.identity.consoleSessions.create(viewer)).cookie.split(';')[0]!;
    agentId = (await preloop.identity.agents.enroll(preloop.accountId, { name: 'remote-coder', kind: 'claude-code' })).id;
    otherAgentId = (await preloop.identity.agents.enroll(preloop.accountId, { name: 'vics-agent', kind: 'codex', ownerUserId: viewer.id }))
      .id;
    const registered = await api('/oauth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Test Client',
        redirect_uris: ['http://127.0.0.1/callback'],
        token_endpoint_auth_method: 'none',
      }),
    });
    expect(registered.status).toBe(201);
    clientId = ((await registered.json()) as { client_id: string }).client_id;
  });
  afterAll(async () => {
    await test.cleanup();
    await new Promise((resolve) => documents.close(resolve));
  });

  it('publishes RFC 8414 metadata: code + PKCE S256 only, registration, revocation, client ID metadata documents', async () => {
    const metadata = (await (await api('/oauth/metadata')).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/api/v1/oauth/authorize`,
      token_endpoint: `${issuer}/api/v1/oauth/token`,
      code_challenge_methods_supported: ['S256'],
      client_id_metadata_document_supported: true,
      scopes_supported: ['mcp'],
    });
  });

  it('shows a sign-in form without a console session, which returns to the same request', async () => {
    const page = await api(`/oauth/authorize?${query()}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Sign in to Preloop');
    const returnTo = /name="return_to" value="([^"]+)"/.exec(html)![1]!.replaceAll('&amp;', '&');
    const signedIn = await form(
      '/oauth/login',
      { email: 'ada@example.com', password: 'a long password 1', return_to: returnTo },
      { origin: issuer },
    );
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe(`/api/v1/oauth/authorize${returnTo}`);
    expect(signedIn.headers.get('set-cookie')).toMatch(/^preloop_session=/);
  });

  it('issues audience-bound tokens acting as the chosen agent; refresh rotates and reuse revokes the family', async () => {
    const page = await (await api(`/oauth/authorize?${query()}`, { headers: { cookie } })).text();
    expect(page).toContain('Test Client');
    expect(page).toContain('127.0.0.1:9911');
    expect(page).toContain('Agent remote-coder');
    const issued = await exchange(await codeFor());
    expect(issued.status).toBe(200);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const tokens = (await issued.json()) as { access_token: string; refresh_token: string; expires_in: number; scope: string };
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'mcp' });
    expect(await principalOf(tokens.access_token)).toMatchObject({ type: 'agent', id: agentId, agentId, scopes: ['mcp'] });
    // Another resource, or no resource at all (the admin API), refuses it.
    expect(await principalOf(tokens.access_token, `${issuer}/other-mcp`)).toBeNull();
    expect((await api('/auth/me', { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(401);

    const refreshed = await form('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: clientId,
      resource,
    });
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as { access_token: string; refresh_token: string };
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(await principalOf(next.access_token)).toMatchObject({ id: agentId });

    const reused = await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId });
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
    expect(await principalOf(next.access_token)).toBeNull();
    const afterReuse = await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: next.refresh_token, client_id: clientId });
    expect(((await afterReuse.json()) as { error: string }).error).toBe('invalid_grant');
    const audit = await test.preloop.db
      .selectFrom('audit_records')
      .select(['action', 'outcome'])
      .where('action', 'like', 'oauth.%')
      .execute();
    expect(audit.map((row) => `${row.action}:${row.outcome}`)).toEqual(
      expect.arrayContaining([
        'oauth.consent:success',
        'oauth.token.issue:success',
        'oauth.token.refresh:success',
        'oauth.grant.revoke:success',
        'oauth.token.refused:denied',
      ]),
    );
  });

  it('refuses a reused authorization code and revokes the tokens issued from it', async () => {
    const code = await codeFor('user');
    const first = (await (await exchange(code)).json()) as { access_token: string };
    expect(await principalOf(first.access_token)).toMatchObject({ type: 'user', name: 'Ada', agentId: null });
    const second = await exchange(code);
    expect(second.status).toBe(400);
    expect(await second.json()).toMatchObject({ error: 'invalid_grant' });
    expect(await principalOf(first.access_token)).toBeNull();
  });

  it('refuses a wrong PKCE verifier, an expired code and a code for another redirect URI', async () => {
    const wrong = await exchange(await codeFor(), { code_verifier: `${verifier}x` });
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('PKCE') });
    const expiring = await codeFor();
    await oauthDatabase(test.preloop.db)
      .updateTable('oauth_codes')
      .set({ expires_at: Date.now() - 1 })
      .where('used_at', 'is', null)
      .execute();
    expect(await (await exchange(expiring)).json()).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringContaining('expired'),
    });
    const elsewhere = await exchange(await codeFor(), { redirect_uri: 'http://127.0.0.1:9911/other' });
    expect(await elsewhere.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses an unregistered redirect URI with a page (no redirect); a loopback port may vary', async () => {
    for (const uri of ['http://127.0.0.1:9911/elsewhere', 'https://attacker.example/callback', 'http://localhost:9911/callback']) {
      const answer = await api(`/oauth/authorize?${query({ redirect_uri: uri })}`, { headers: { cookie } });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('location')).toBeNull();
      expect(await answer.text()).toContain('not registered');
    }
    const otherPort = await api(`/oauth/authorize?${query({ redirect_uri: 'http://127.0.0.1:40000/callback' })}`, { headers: { cookie } });
    expect(otherPort.status).toBe(200);
  });

  it('refuses a missing or plain PKCE challenge, unknown scopes and foreign resources by redirecting with the error', async () => {
    const cases: Array<[Record<string, string | null>, string]> = [
      [{ code_challenge: null, code_challenge_method: null }, 'invalid_request'],
      [{ code_challenge_method: 'plain', code_challenge: verifier.slice(0, 43) }, 'invalid_request'],
      [{ scope: 'mcp admin' }, 'invalid_scope'],
      [{ resource: 'https://elsewhere.example/mcp' }, 'invalid_target'],
    ];
    for (const [overrides, error] of cases) {
      const answer = await api(`/oauth/authorize?${query(overrides)}`, { headers: { cookie } });
      expect(answer.status).toBe(302);
      const location = new URL(answer.headers.get('location')!);
      expect(location.origin + location.pathname).toBe(redirectUri);
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('state')).toBe('st-1');
    }
    const refusals = await test.preloop.audit.query({ accountId: test.preloop.accountId, action: 'oauth.authorize.refused', limit: 100 });
    expect(refusals.items.map((record) => record.data.reason)).toEqual(
      expect.arrayContaining(['invalid_request', 'invalid_scope', 'invalid_target']),
    );
  });

  it('checks the consent form: CSRF token, same origin, and identities the user may act as', async () => {
    const noCsrf = await form(
      '/oauth/authorize',
      { ...Object.fromEntries(query()), identity: 'user', decision: 'allow' },
      { cookie, origin: issuer },
    );
    expect(noCsrf.status).toBe(403);
    const page0 = await (await api(`/oauth/authorize?${query()}`, { headers: { cookie } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page0)![1]!;
    const fields = { ...Object.fromEntries(query()), csrf, identity: 'user', decision: 'allow' };
    expect((await form('/oauth/authorize', fields, { cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await form('/oauth/authorize', fields, { cookie, origin: 'https://attacker.example' })).status).toBe(403);
    expect(
      (
        await form(
          '/oauth/login',
          { email: 'ada@example.com', password: 'a long password 1', return_to: '?a=b' },
          { 'sec-fetch-site': 'cross-site' },
        )
      ).status,
    ).toBe(403);
    // A viewer may act as themself or their own agent only.
    const page = await (await api(`/oauth/authorize?${query()}`, { headers: { cookie: viewerCookie } })).text();
    expect(page).toContain('Agent vics-agent');
    expect(page).not.toContain('remote-coder');
    expect((await consent(query(), `agent:${agentId}`, viewerCookie)).status).toBe(403);
    expect((await consent(query(), `agent:${otherAgentId}`, viewerCookie)).status).toBe(303);
    const denied = await consent(query(), 'user', viewerCookie, 'deny');
    expect(new URL(denied.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
  });

  it('forgets codes and tokens expired for more than a day at the next consent', async () => {
    const tokens = (await (await exchange(await codeFor())).json()) as { access_token: string };
    const db = oauthDatabase(test.preloop.db);
    const longAgo = Date.now() - 2 * 86_400_000;
    await db.updateTable('oauth_tokens').set({ expires_at: longAgo }).where('revoked_at', 'is', null).execute();
    await db.updateTable('oauth_codes').set({ expires_at: longAgo }).execute();
    expect(await principalOf(tokens.access_token)).toBeNull();
    await codeFor();
    expect((await db.selectFrom('oauth_tokens').select('id').where('expires_at', '=', longAgo).execute()).length).toBe(0);
    expect((await db.selectFrom('oauth_codes').select('code_hash').execute()).length).toBe(1);
  });

  it('revokes a grant through the revocation endpoint (RFC 7009)', async () => {
    const tokens = (await (await exchange(await codeFor())).json()) as { access_token: string; refresh_token: string };
    const revoked = await form('/oauth/revoke', { token: tokens.refresh_token, client_id: clientId });
    expect(revoked.status).toBe(200);
    expect(await principalOf(tokens.access_token)).toBeNull();
    expect((await form('/oauth/revoke', { token: 'plor_unknown', client_id: clientId })).status).toBe(200);
  });

  it('lists and revokes grants in the admin API: your own, or any as an admin', async () => {
    const tokens = (await (await exchange(await codeFor())).json()) as { access_token: string };
    const mine = (await (await api('/oauth/grants', { headers: { cookie } })).json()) as {
      items: Array<{ id: string; agentId: string | null }>;
    };
    const grant = mine.items.find((item) => item.agentId === agentId)!;
    expect(grant).toMatchObject({ clientId, clientName: 'Test Client', scopes: ['mcp'], resource });
    // A viewer sees only the grants they consented to, and cannot revoke another user's.
    const theirs = (await (await api('/oauth/grants', { headers: { cookie: viewerCookie } })).json()) as { items: Array<{ id: string }> };
    expect(theirs.items.map((item) => item.id)).not.toContain(grant.id);
    const refused = await api(`/oauth/grants/${grant.id}`, { method: 'DELETE', headers: { cookie: viewerCookie, origin: issuer } });
    expect(refused.status).toBe(404);
    expect(await principalOf(tokens.access_token)).not.toBeNull();
    const revoked = await api(`/oauth/grants/${grant.id}`, { method: 'DELETE', headers: { cookie, origin: issuer } });
    expect(revoked.status).toBe(204);
    expect(await principalOf(tokens.access_token)).toBeNull();
    expect((await api(`/oauth/grants/${grant.id}`, { method: 'DELETE', headers: { cookie, origin: issuer } })).status).toBe(404);
  });

  it('registers only public clients with safe redirect URIs (RFC 7591 errors)', async () => {
    const register = (body: unknown) =>
      api('/oauth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await (await register({ redirect_uris: ['http://evil.example/cb'] })).json()).toMatchObject({ error: 'invalid_redirect_uri' });
    expect(await (await register({ redirect_uris: ['javascript:alert(1)'] })).json()).toMatchObject({ error: 'invalid_redirect_uri' });
    expect(
      await (await register({ redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_basic' })).json(),
    ).toMatchObject({
      error: 'invalid_client_metadata',
    });
    expect(await (await register({})).json()).toMatchObject({ error: 'invalid_client_metadata' });
    // Open registration is bounded per client address.
    const fromOneAddress = () => {
      const request = new Request(`${issuer}/api/v1/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: [redirectUri] }),
      });
      setClientAddress(request, '203.0.113.9');
      return test.preloop.api(request);
    };
    for (let i = 0; i < 30; i++) expect((await fromOneAddress()).status).toBe(201);
    expect((await fromOneAddress()).status).toBe(429);
  });

  it('accepts a Client ID Metadata Document client, and refuses one whose document names another id', async () => {
    const documentId = `${documentBase}/client.json`;
    const page = await api(`/oauth/authorize?${query({ client_id: documentId })}`, { headers: { cookie } });
    expect(await page.text()).toContain('Document Client');
    const code = new URL((await consent(query({ client_id: documentId }), 'user')).headers.get('location')!).searchParams.get('code')!;
    expect((await exchange(code, { client_id: documentId })).status).toBe(200);
    const liar = await api(`/oauth/authorize?${query({ client_id: `${documentBase}/wrong-id.json` })}`, { headers: { cookie } });
    expect(liar.status).toBe(400);
    expect(await liar.text()).toContain('must name its own URL');
  });
});

describe('Client ID Metadata Document URLs', () => {
  it('must be https on a public host unless insecure documents are allowed', async () => {
    const clients = createOAuthClients(null as never, oauthOptionsSchema.parse({ issuer }), () => {
      throw new Error('must not fetch');
    });
    await expect(clients.find('http://127.0.0.1:1234/client.json')).rejects.toMatchObject({ details: { oauthError: 'invalid_client' } });
    await expect(clients.find('https://10.0.0.5/client.json')).rejects.toThrow(/loopback or private/);
    await expect(clients.find('https://app.example.com/')).rejects.toThrow(/must have a path/);
  });
});

describe('without oauth options', () => {
  it('answers 404 on every OAuth route', async () => {
    const test = await createTestPreloop(testDialects().find((dialect) => dialect.name === 'sqlite')!);
    try {
      const answer = await test.preloop.api(new Request('http://localhost/api/v1/oauth/metadata'));
      expect(answer.status).toBe(404);
    } finally {
      await test.cleanup();
    }
  });
});
