import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createTestPreloop, testDialects } from '@preloop/core/testing';
import { describe, expect, it } from 'vitest';
import { mcp } from './index.js';
import { createNodeMcpHandler } from './node.js';

describe('@preloop/mcp/node', () => {
  it('mounts the endpoint in Node http and serves the official SDK client', async () => {
    const { preloop, cleanup } = await createTestPreloop(testDialects()[0]!, { plugins: [mcp()] });
    const listener = createNodeMcpHandler(preloop);
    const server = createServer((request, response) =>
      request.url?.startsWith('/mcp') ? listener(request, response) : response.writeHead(404).end(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const user = await preloop.identity.users.create(preloop.accountId, { email: 'n@example.com', name: 'n', role: 'viewer' });
    const { key } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'node', scopes: ['mcp'], userId: user.id });
    const client = new Client({ name: 'node-test', version: '1' });
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${key}` } },
        }),
      );
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('ask_user');
      expect(listener.handler.sessionCount()).toBe(1);
    } finally {
      await client.close();
      await listener.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await cleanup();
    }
  });

  it('refuses to start without the mcp() plugin, naming it', async () => {
    const { preloop, cleanup } = await createTestPreloop(testDialects()[0]!);
    try {
      expect(() => createNodeMcpHandler(preloop)).toThrow(/no plugin "mcp"/);
    } finally {
      await cleanup();
    }
  });
});
