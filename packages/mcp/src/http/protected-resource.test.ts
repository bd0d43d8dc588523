import { createHash } from 'node:crypto';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcp } from '../plugin/mcp-plugin.js';
import { createMcpHandler, type McpHandler } from './create-mcp-handler.js';

const issuer = 'http://127.0.0.1:8787';
const verifier = 'a-pkce-code-verifier-that-is-long-enough-for-s256-0123';
const challenge = createHash('sha256').update(verifier).digest('base64url');
const redirectUri = 'http://127.0.0.1:9911/callback';
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

describe('the MCP endpoint as an OAuth 2.1 protected resource', () => {
  let test: TestPreloop;
  let handler: McpHandler;
  let adminKey: string;

  const call = (path: string, token?: string) =>
    handler(
      new Request(`${issuer}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(initialize),
      }),
    );

  /** Runs the authorization code flow through the kernel's endpoints for `resource`, acting as the user. */
  async function tokenFor(resource: string): Promise<string> {
    const { preloop } = test;
    const api = (path: string, init?: RequestInit) => preloop.api(new Request(`${issuer}/api/v1${path}`, init));
    const form = (path: string, fields: Record<string, string>, cookie?: string) =>
      api(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: issuer, ...(cookie ? { cookie } : {}) },
        body: new URLSearchParams(fields),
      });
    const registered = await api('/oauth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Raw client', redirect_uris: [redirectUri] }),
    });
    const { client_id } = (await registered.json()) as { client_id: string };
    const user = await preloop.identity.users.create(preloop.accountId, {
      email: `u${Date.now()}${Math.random()}@example.com`,
      name: 'Ada',
      role: 'admin',
    });
    const cookie = (await preloop.identity.consoleSessions.create(user)).cookie.split(';')[0]!;
    const parameters = {
      response_type: 'code',
      client_id,
      redirect_uri: redirectUri,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource,
    };
    const page = await (await api(`/oauth/authorize?${new URLSearchParams(parameters)}`, { headers: { cookie } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const decided = await form('/oauth/authorize', { ...parameters, csrf, identity: 'user', decision: 'allow' }, cookie);
    const code = new URL(decided.headers.get('location')!).searchParams.get('code')!;
    const tokens = await form('/oauth/token', {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: redirectUri,
      client_id,
      resource,
    });
    return ((await tokens.json()) as { access_token: string }).access_token;
  }

  beforeAll(async () => {
    test = await createTestPreloop(testDialects().find((dialect) => dialect.name === 'sqlite')!, {
      plugins: [mcp({ rescanIntervalMs: 0 })],
      policy: { version: 1, defaults: { tools: 'allow' } },
      oauth: { issuer },
    });
    handler = createMcpHandler(test.preloop);
    adminKey = (await test.preloop.identity.apiKeys.create(test.preloop.accountId, { name: 'admin', scopes: ['admin:read'] })).key;
  });
  afterAll(async () => {
    await handler.close();
    await test.cleanup();
  });

  it('publishes protected resource metadata (RFC 9728) at the path-suffixed and root well-known URLs', async () => {
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const answer = await handler(new Request(`${issuer}${path}`));
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({
        resource: `${issuer}/mcp`,
        authorization_servers: [issuer],
        scopes_supported: ['mcp'],
        bearer_methods_supported: ['header'],
        resource_name: 'preloop',
      });
    }
    const metadata = await handler(new Request(`${issuer}/.well-known/oauth-authorization-server`));
    expect(await metadata.json()).toMatchObject({ issuer, code_challenge_methods_supported: ['S256'] });
  });

  it('names the metadata in every 401, and answers 403 insufficient_scope to a key without the mcp scope', async () => {
    const none = await call('/mcp');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(
      `Bearer realm="preloop", resource_metadata="${issuer}/.well-known/oauth-protected-resource/mcp", scope="mcp"`,
    );
    const bad = await call('/mcp', 'ploa_not-a-real-token-000000000000000000000000');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(bad.headers.get('www-authenticate')).toContain(`resource_metadata="${issuer}/.well-known/oauth-protected-resource/mcp"`);
    const adminOnly = await call('/mcp', adminKey);
    expect(adminOnly.status).toBe(403);
    expect(adminOnly.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="mcp"/);
  });

  it('accepts an OAuth access token only at the resource it was issued for (RFC 8707)', async () => {
    const token = await tokenFor(`${issuer}/mcp`);
    const here = await call('/mcp', token);
    expect(here.status).toBe(200);
    await here.text();
    const elsewhere = await call('/other-mcp', token);
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.headers.get('www-authenticate')).toContain(
      `resource_metadata="${issuer}/.well-known/oauth-protected-resource/other-mcp"`,
    );
    const other = await tokenFor(`${issuer}/other-mcp`);
    expect((await call('/mcp', other)).status).toBe(401);
  });
});
