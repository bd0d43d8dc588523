import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpFixture, type McpFixture } from '../test-support/mcp-fixture.js';

const initialize = (id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

async function post(fixture: McpFixture, body: unknown, headers: Record<string, string> = {}, url = fixture.url): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${fixture.agentKey}`,
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Reads the JSON-RPC messages of an SSE or JSON response. */
async function messages(response: Response): Promise<Array<Record<string, unknown>>> {
  const text = await response.text();
  if ((response.headers.get('content-type') ?? '').includes('application/json')) return [JSON.parse(text)];
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line.length > 6)
    .map((line) => JSON.parse(line.slice(6)));
}

async function openSession(fixture: McpFixture, token = fixture.agentKey): Promise<string> {
  const response = await post(fixture, initialize(), { authorization: `Bearer ${token}` });
  expect(response.status).toBe(200);
  const id = response.headers.get('mcp-session-id')!;
  await response.text();
  await post(
    fixture,
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { 'mcp-session-id': id, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION, authorization: `Bearer ${token}` },
  );
  return id;
}

describe.each(testDialects())('MCP endpoint over HTTP on $name', (dialect) => {
  let fixture: McpFixture;
  beforeAll(async () => {
    fixture = await createMcpFixture(dialect, { policy: { version: 1, defaults: { tools: 'allow' } } });
  });
  afterAll(async () => fixture?.cleanup());

  it('serves the official SDK client with a Bearer API key', async () => {
    const client = await fixture.connect();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['request_approval', 'ask_user', 'get_approval_status']));
    expect(client.getServerVersion()?.name).toBe('preloop');
    await client.ping();
  });

  it('answers 401 with WWW-Authenticate without a token, with a bad token, and for a key without the mcp scope', async () => {
    const none = await fetch(fixture.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(initialize()),
    });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="preloop"');
    const bad = await post(fixture, initialize(), { authorization: 'Bearer plk_not_a_real_key_0000000000000000' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer realm="preloop", error="invalid_token"/);
    const adminOnly = await post(fixture, initialize(), { authorization: `Bearer ${fixture.owner.key}` });
    expect(adminOnly.status).toBe(401);
    // Without OAuth, no discovery documents: 404, so a client does not try to authorize.
    expect((await fetch(`${fixture.baseUrl}/.well-known/oauth-protected-resource/mcp`)).status).toBe(404);
    const sdk = new Client({ name: 'x', version: '1' });
    await expect(sdk.connect(new StreamableHTTPClientTransport(new URL(fixture.url)))).rejects.toThrow();
  });

  it('refuses a token in the query string, even with a valid header', async () => {
    const response = await post(fixture, initialize(), {}, `${fixture.url}?access_token=${fixture.agentKey}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"');
    const body = await response.text();
    expect(body).not.toContain(fixture.agentKey);
  });

  it('refuses a bad Origin or Host with 403 (DNS rebinding) and allows loopback origins', async () => {
    expect((await post(fixture, initialize(), { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(fixture, initialize(), { origin: 'null' })).status).toBe(403);
    const rebinding = await fixture.handler(
      new Request('http://evil.example.com/mcp', {
        method: 'POST',
        headers: {
          host: 'evil.example.com',
          authorization: `Bearer ${fixture.agentKey}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify(initialize()),
      }),
    );
    expect(rebinding.status).toBe(403);
    const local = await post(fixture, initialize(), { origin: new URL(fixture.url).origin });
    expect(local.status).toBe(200);
    expect(local.headers.get('access-control-allow-origin')).toBe(new URL(fixture.url).origin);
    await local.text();
  });

  it('answers 413 to a body over the limit, declared or streamed, and 400 to a batch or bad JSON', async () => {
    const big = JSON.stringify({ ...initialize(), params: { ...initialize().params, padding: 'x'.repeat(1_100_000) } });
    expect((await post(fixture, big)).status).toBe(413);
    const streamed = await fixture.handler(
      new Request(fixture.url, {
        method: 'POST',
        headers: {
          host: new URL(fixture.url).host,
          authorization: `Bearer ${fixture.agentKey}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(100_000)));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    const batch = await post(fixture, [initialize(1), initialize(2)]);
    expect(batch.status).toBe(400);
    expect((await batch.json()).error.code).toBe(-32600);
    const garbage = await post(fixture, '{not json');
    expect(garbage.status).toBe(400);
    expect((await garbage.json()).error.code).toBe(-32700);
  });

  it('binds sessions to their principal: another principal gets 404, no token 401, unknown id 404', async () => {
    const id = await openSession(fixture);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    const mine = await post(fixture, list, { 'mcp-session-id': id, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION });
    expect(mine.status).toBe(200);
    expect((await messages(mine))[0]!.result).toBeDefined();
    const { key: otherKey } = await fixture.preloop.identity.apiKeys.create(fixture.preloop.accountId, {
      name: 'other',
      scopes: ['mcp'],
      userId: fixture.admin.id,
    });
    const stolen = await post(fixture, list, {
      'mcp-session-id': id,
      'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
      authorization: `Bearer ${otherKey}`,
    });
    const unknown = await post(fixture, list, { 'mcp-session-id': 'A'.repeat(43), 'mcp-protocol-version': LATEST_PROTOCOL_VERSION });
    expect(stolen.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await stolen.text()).toBe(await unknown.text());
    const anonymous = await fetch(fixture.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': id },
      body: JSON.stringify(list),
    });
    expect(anonymous.status).toBe(401);
    const ids = new Set(await Promise.all(Array.from({ length: 20 }, () => openSession(fixture))));
    expect(ids.size).toBe(20);
  });

  it('answers 400 to an unsupported MCP-Protocol-Version and to a request without a session', async () => {
    const id = await openSession(fixture);
    const wrong = await post(
      fixture,
      { jsonrpc: '2.0', id: 3, method: 'tools/list' },
      { 'mcp-session-id': id, 'mcp-protocol-version': '1999-01-01' },
    );
    expect(wrong.status).toBe(400);
    const sessionless = await post(fixture, { jsonrpc: '2.0', id: 3, method: 'tools/list' });
    expect(sessionless.status).toBe(400);
  });

  it('closes a session on DELETE; the id then answers 404', async () => {
    const id = await openSession(fixture);
    const headers = { authorization: `Bearer ${fixture.agentKey}`, 'mcp-session-id': id, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION };
    expect((await fetch(fixture.url, { method: 'DELETE', headers })).status).toBe(200);
    expect(
      (
        await post(
          fixture,
          { jsonrpc: '2.0', id: 4, method: 'tools/list' },
          { 'mcp-session-id': id, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION },
        )
      ).status,
    ).toBe(404);
  });

  it('accepts runtime credentials with the mcp audience and refuses gateway-only ones', async () => {
    const sessions = fixture.preloop.identity.runtimeSessions;
    const { credential } = await sessions.start(fixture.preloop.accountId, { name: 'run', audience: ['mcp'] });
    const client = await fixture.connect({ token: credential.token });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const { credential: gatewayOnly } = await sessions.start(fixture.preloop.accountId, { name: 'run', audience: ['gateway'] });
    expect((await post(fixture, initialize(), { authorization: `Bearer ${gatewayOnly.token}` })).status).toBe(401);
  });
});

describe('stateless MCP endpoint', () => {
  let fixture: McpFixture;
  beforeAll(async () => {
    fixture = await createMcpFixture(testDialects()[0]!, {
      handler: { stateless: true },
      policy: { version: 1, defaults: { tools: 'allow' } },
    });
  });
  afterAll(async () => fixture?.cleanup());

  it('serves every POST on its own, without session ids, and refuses GET with 405', async () => {
    const client = await fixture.connect();
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    const response = await post(fixture, initialize());
    expect(response.headers.get('mcp-session-id')).toBeNull();
    await response.text();
    const get = await fetch(fixture.url, { headers: { authorization: `Bearer ${fixture.agentKey}`, accept: 'text/event-stream' } });
    expect(get.status).toBe(405);
    expect(fixture.handler.sessionCount()).toBe(0);
  });
});
