import { expect, it } from 'vitest';
import { createFaultProxy, describePostgres, type TestDialect } from '@preloop/core/testing';
import { createMcpFixture } from '../test-support/mcp-fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The MCP endpoint while PostgreSQL is unreachable (a fault-injecting proxy between the kernel and the database).
describePostgres('MCP endpoint while the database is unreachable', (dialect) => {
  it('a tool call reads that the database is unavailable (not a kill-switch denial), and a new session gets 503 with Retry-After', async () => {
    const database = await dialect.create();
    const target = new URL(database.url);
    const proxy = await createFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied: TestDialect = { name: 'postgres', create: async () => ({ url: proxy.url(database.url), drop: database.drop }) };
    const fixture = await createMcpFixture(proxied, { policy: { version: 1, defaults: { tools: 'allow' } } });
    try {
      const { key: unseenKey } = await fixture.preloop.identity.apiKeys.create(fixture.preloop.accountId, {
        name: 'unseen',
        scopes: ['mcp'],
      });
      const client = await fixture.connect();
      await proxy.refuse(true);
      proxy.cutAll();
      // Past the kill switch's 5-second cache, deciding a call needs the database.
      await sleep(5500);
      const result = (await client.callTool({ name: 'get_approval_status', arguments: { approvalId: 'apr_x' } })) as {
        isError?: boolean;
        content: Array<{ text: string }>;
      };
      expect(result.isError).toBe(true);
      expect(result.content[0]!.text).toMatch(/database cannot be reached/);
      expect(result.content[0]!.text).not.toMatch(/kill switch|ECONNREFUSED|127\.0\.0\.1/i);
      // tools/list says the same as a JSON-RPC error, without the driver's message.
      const listing = await client.listTools().then(
        () => null,
        (error: unknown) => error as Error,
      );
      expect(listing?.message).toMatch(/database cannot be reached/);
      expect(listing?.message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);

      const response = await fetch(fixture.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${unseenKey}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
        }),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringMatching(/database/) } });
      await proxy.refuse(false);
    } finally {
      await proxy.refuse(false);
      await fixture.cleanup();
      await proxy.close();
    }
  }, 60_000);
});
