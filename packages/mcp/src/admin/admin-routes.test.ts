import { testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConfigServers, type ConfigMcpServer } from '../config/register-config-servers.js';
import { serveHttpUpstream, type HttpUpstream } from '../test-support/http-upstream.js';
import { createMcpFixture, everythingServerPath, type McpFixture } from '../test-support/mcp-fixture.js';
import { createToolServer, createToolServerState, echoTool } from '../test-support/tool-server.js';

describe.each(testDialects())('MCP admin API and config registration on $name', (dialect) => {
  let fixture: McpFixture;
  let upstream: HttpUpstream;

  beforeAll(async () => {
    upstream = await serveHttpUpstream(() => createToolServer(createToolServerState([echoTool])));
    fixture = await createMcpFixture(dialect, { policy: { version: 1, defaults: { tools: 'allow' } } });
  });
  afterAll(async () => {
    await fixture?.cleanup();
    await upstream?.close();
  });

  it('creates, reads, changes and deletes servers; credentials are stored as secrets and never returned', async () => {
    const created = await fixture.api('POST', '/mcp-servers', {
      name: 'crm',
      transport: 'http',
      url: upstream.url,
      headers: { Authorization: 'Bearer crm-secret-token-123' },
    });
    expect(created.status).toBe(201);
    const server = await created.json();
    expect(server).toMatchObject({
      name: 'crm',
      transport: 'http',
      url: upstream.url,
      headerNames: ['Authorization'],
      status: 'new',
      source: 'api',
    });
    const all = await Promise.all(
      [fixture.api('GET', '/mcp-servers'), fixture.api('GET', `/mcp-servers/${server.id}`)].map(async (response) =>
        (await response).text(),
      ),
    );
    for (const text of [JSON.stringify(server), ...all]) expect(text).not.toContain('crm-secret-token-123');
    const secrets = await fixture.preloop.secrets.list(fixture.preloop.accountId);
    expect(secrets.map((secret) => secret.name)).toContain(`mcp-server/${server.id}/credentials`);
    const audit = await fixture.preloop.audit.query({ accountId: fixture.preloop.accountId, action: 'mcp.server.*' });
    expect(JSON.stringify(audit.items)).not.toContain('crm-secret-token-123');

    expect((await fixture.api('POST', '/mcp-servers', { name: 'crm', transport: 'http', url: upstream.url })).status).toBe(409);
    expect((await fixture.api('POST', '/mcp-servers', { name: 'bad.name', transport: 'http', url: upstream.url })).status).toBe(400);
    expect((await fixture.api('POST', '/mcp-servers', { name: 'x', transport: 'http', url: 'file:///etc/passwd' })).status).toBe(400);
    expect(
      (await fixture.api('POST', '/mcp-servers', { name: 'x', transport: 'http', url: upstream.url, headers: { 'Mcp-Session-Id': 'x' } }))
        .status,
    ).toBe(400);

    const patched = await fixture.api('PATCH', `/mcp-servers/${server.id}`, { headers: { 'X-Api-Key': 'second-secret' }, timeoutMs: 5000 });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ headerNames: ['X-Api-Key'], timeoutMs: 5000 });
    expect((await fixture.api('PATCH', `/mcp-servers/${server.id}`, { command: 'sh' })).status).toBe(400);

    const scan = await (await fixture.api('POST', `/mcp-servers/${server.id}/scan`)).json();
    expect(scan.tools).toEqual([expect.objectContaining({ exposedName: 'crm.echo', status: 'pinned' })]);
    expect(upstream.requests.some((request) => request.headers['x-api-key'] === 'second-secret')).toBe(true);
    expect((await (await fixture.api('GET', `/mcp-servers/${server.id}`)).json()).status).toBe('ok');

    expect((await fixture.api('DELETE', `/mcp-servers/${server.id}`)).status).toBe(200);
    expect((await fixture.api('GET', `/mcp-servers/${server.id}`)).status).toBe(404);
    expect(await fixture.preloop.secrets.has(fixture.preloop.accountId, `mcp-server/${server.id}/credentials`)).toBe(false);
    expect((await (await fixture.connect()).listTools()).tools.map((tool) => tool.name)).not.toContain('crm.echo');
  });

  it('lets viewers read, admins change, and only owners run stdio servers; agents get nothing', async () => {
    expect((await fixture.api('GET', '/mcp-servers', undefined, fixture.developer.key)).status).toBe(200);
    expect(
      (await fixture.api('POST', '/mcp-servers', { name: 'v', transport: 'http', url: upstream.url }, fixture.developer.key)).status,
    ).toBe(403);
    expect(
      (await fixture.api('POST', '/mcp-servers', { name: 'shell', transport: 'stdio', command: '/bin/sh' }, fixture.admin.key)).status,
    ).toBe(403);
    expect((await fixture.api('GET', '/mcp-servers', undefined, fixture.agentKey)).status).toBe(403);
    const scanFailure = await (
      await fixture.api('POST', '/mcp-servers', { name: 'down', transport: 'http', url: 'http://127.0.0.1:9/mcp', timeoutMs: 1000 })
    ).json();
    const failed = await fixture.api('POST', `/mcp-servers/${scanFailure.id}/scan`);
    expect(failed.status).toBe(502);
    expect((await (await fixture.api('GET', `/mcp-servers/${scanFailure.id}`)).json()).status).toBe('error');
    await fixture.api('DELETE', `/mcp-servers/${scanFailure.id}`);
  });

  it('registers config-file servers idempotently, scanning only what changed', async () => {
    const stdio: ConfigMcpServer = {
      name: 'cfg-stdio',
      transport: 'stdio',
      command: process.execPath,
      args: [everythingServerPath(), 'stdio'],
      env: { MODE: 'one' },
    };
    const entries: ConfigMcpServer[] = [
      { name: 'cfg-http', transport: 'http', url: upstream.url, headers: { 'X-Token': 'from-config' } },
      stdio,
    ];
    const first = await registerConfigServers(fixture.preloop, entries);
    expect(first.map((result) => result.change)).toEqual(['created', 'created']);
    expect(first[0]!.scan).toMatchObject({ tools: 1, pinned: 1 });
    expect(first[1]!.scan).toMatchObject({ pinned: expect.any(Number) });
    const again = await registerConfigServers(fixture.preloop, entries);
    expect(again).toEqual([
      { name: 'cfg-http', change: 'unchanged', scan: null },
      { name: 'cfg-stdio', change: 'unchanged', scan: null },
    ]);
    const changed = await registerConfigServers(fixture.preloop, [entries[0]!, { ...stdio, env: { MODE: 'two' } }]);
    expect(changed.map((result) => result.change)).toEqual(['unchanged', 'updated']);
    const listed = (await (await fixture.api('GET', '/mcp-servers')).json()).items;
    expect(
      listed
        .filter((server: { source: string }) => server.source === 'config')
        .map((server: { name: string }) => server.name)
        .sort(),
    ).toEqual(['cfg-http', 'cfg-stdio']);
    expect((await (await fixture.connect()).listTools()).tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['cfg-http.echo', 'cfg-stdio.echo']),
    );
  }, 60_000);

  it('shows per-tool statistics, and 404 for a tool that does not exist', async () => {
    const client = await fixture.connect();
    for (let i = 0; i < 3; i++) await client.callTool({ name: 'cfg-http.echo', arguments: { message: String(i) } });
    await client.callTool({ name: 'cfg-http.echo', arguments: { message: 1 } });
    const stats = await (await fixture.api('GET', '/tools/cfg-http.echo/stats')).json();
    expect(stats).toMatchObject({ tool: 'cfg-http.echo', calls: 4, succeeded: 3, failed: 1, denied: 0, approvals: 0 });
    expect(stats.averageMs).toBeGreaterThan(0);
    expect(Object.values(stats.latency as Record<string, number>).reduce((sum, count) => sum + count, 0)).toBe(4);
    expect((await fixture.api('GET', '/tools/nope.nothing/stats')).status).toBe(404);
  });
});
