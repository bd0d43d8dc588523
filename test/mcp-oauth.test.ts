/**
 * MCP OAuth 2.1 end to end: the official MCP SDK client (StreamableHTTPClientTransport
 * with an OAuthClientProvider) discovers the kernel's authorization server from the
 * MCP endpoint's 401, registers itself (RFC 7591), and sends the user through sign-in
 * and consent in real Chromium; with the tokens it lists and calls tools as the agent
 * chosen on the consent page, and the audit trail names that agent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auth, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { serve, type RunningServer } from '@preloop/core/node';
import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { createMcpHandler, mcp, type McpHandler } from '@preloop/mcp';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHttpUpstream, type HttpUpstream } from '../packages/mcp/src/test-support/http-upstream.js';
import { createToolServer, createToolServerState, echoTool } from '../packages/mcp/src/test-support/tool-server.js';

/** An OAuthClientProvider as a CLI would write one: state in memory, the authorization URL handed to a browser. */
class TestProvider implements OAuthClientProvider {
  information: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  authorizationUrl: URL | null = null;
  constructor(readonly redirectUrl: string) {}
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'E2E MCP client',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

describe('MCP OAuth 2.1 with the official SDK client and a browser', () => {
  let test: TestPreloop;
  let server: RunningServer;
  let handler: McpHandler;
  let upstream: HttpUpstream;
  let callback: Server;
  let browser: Browser;
  let agentId: string;
  const codes: string[] = [];

  beforeAll(async () => {
    let route: (request: Request) => Promise<Response> = async () => new Response('starting', { status: 503 });
    server = await serve({ port: 0, host: '127.0.0.1', handler: (request) => route(request) });
    test = await createTestPreloop(testDialects().find((dialect) => dialect.name === 'sqlite')!, {
      plugins: [mcp({ rescanIntervalMs: 0 })],
      policy: { version: 1, defaults: { tools: 'allow' } },
      oauth: { issuer: server.url },
    });
    const { preloop } = test;
    handler = createMcpHandler(preloop);
    route = (request) => (new URL(request.url).pathname.startsWith('/api/v1') ? preloop.api(request) : handler(request));
    const owner = await preloop.identity.users.create(preloop.accountId, {
      email: 'ada@example.com',
      name: 'Ada',
      role: 'owner',
      password: 'correct horse battery staple',
    });
    agentId = (
      await preloop.identity.agents.enroll(preloop.accountId, { name: 'remote-coder', kind: 'claude-code', ownerUserId: owner.id })
    ).id;
    // An upstream MCP server with its own (no) credentials: the client's token must never reach it.
    upstream = await serveHttpUpstream(() => createToolServer(createToolServerState([echoTool])));
    const { key } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'admin', scopes: ['admin:write'], userId: owner.id });
    const admin = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const created = (await (
      await preloop.api(
        new Request(`${server.url}/api/v1/mcp-servers`, {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({ name: 'up', transport: 'http', url: upstream.url }),
        }),
      )
    ).json()) as { id: string };
    expect(
      (await preloop.api(new Request(`${server.url}/api/v1/mcp-servers/${created.id}/scan`, { method: 'POST', headers: admin }))).status,
    ).toBe(200);
    callback = createServer((request, response) => {
      const code = new URL(request.url!, 'http://127.0.0.1').searchParams.get('code');
      if (code) codes.push(code);
      response.writeHead(200, { 'content-type': 'text/plain' }).end('You may close this window.');
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => callback?.close(resolve));
    await handler?.close();
    await server?.close();
    await upstream?.close();
    await test?.cleanup();
  });

  it('connects with just the URL: discovery, registration, sign-in and consent in Chromium, tools as the chosen agent, refresh', async () => {
    const mcpUrl = new URL(`${server.url}/mcp`);
    const provider = new TestProvider(`http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`);
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await expect(new Client({ name: 'e2e', version: '1' }).connect(first)).rejects.toThrow(/Unauthorized/);
    expect(provider.information?.client_id).toMatch(/^plc_/);
    const authorizationUrl = provider.authorizationUrl!;
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${server.url}/api/v1/oauth/authorize`);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('resource')).toBe(mcpUrl.href);

    const page = await browser.newPage();
    await page.goto(authorizationUrl.href);
    await page.fill('input[name=email]', 'ada@example.com');
    await page.fill('input[name=password]', 'correct horse battery staple');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Allow E2E MCP client to use Preloop?');
    expect(await page.textContent('body')).toContain(`127.0.0.1:${(callback.address() as AddressInfo).port}`);
    await page.check(`input[value="agent:${agentId}"]`);
    await Promise.all([page.waitForURL(/\/callback\?/), page.click('button[value=allow]')]);
    expect(await page.textContent('body')).toContain('You may close this window.');
    await page.close();

    await first.finishAuth(codes.at(-1)!);
    expect(provider.saved).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'mcp' });
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('up.echo');
    const result = await client.callTool({ name: 'up.echo', arguments: { message: 'hello' } });
    expect(JSON.stringify(result.content)).toContain('hello');
    await client.close();

    const audit = await test.preloop.audit.query({ accountId: test.preloop.accountId, limit: 200 });
    const call = audit.items.find((record) => record.targetId === 'up.echo' || JSON.stringify(record.data).includes('up.echo'));
    expect(call?.principal).toMatchObject({ type: 'agent', id: agentId });
    expect(audit.items.map((record) => record.action)).toEqual(expect.arrayContaining(['oauth.consent', 'oauth.token.issue']));
    // The upstream saw its own connection, never the client's token.
    const accessToken = provider.saved!.access_token;
    expect(upstream.requests.length).toBeGreaterThan(0);
    expect(JSON.stringify(upstream.requests)).not.toContain(accessToken);

    // The SDK refreshes with the rotated refresh token; the old one is then refused.
    const before = provider.saved!;
    expect(await auth(provider, { serverUrl: mcpUrl })).toBe('AUTHORIZED');
    expect(provider.saved!.refresh_token).not.toBe(before.refresh_token);
    const again = await client
      .connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }))
      .then(() => client.listTools());
    expect(again.tools.length).toBeGreaterThan(0);
    await client.close();
  });
});
