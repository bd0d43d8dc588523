import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ListRootsRequestSchema, type CallToolResult, type Root } from '@modelcontextprotocol/sdk/types.js';
import { testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpFixture, everythingServerPath, type McpFixture } from '../test-support/mcp-fixture.js';

const text = (result: unknown) => ((result as CallToolResult).content as Array<{ text: string }>)[0]!.text;

describe('roots relayed to upstream servers (server-everything over stdio)', () => {
  let fixture: McpFixture;

  /** A downstream client that declares `roots` and answers `roots/list` with `roots`. */
  const withRoots = async (roots: Root[]): Promise<Client> => {
    const client = await fixture.connect({ capabilities: { roots: { listChanged: true } } });
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots }));
    return client;
  };
  const rootsTool = (client: Client) => client.callTool({ name: 'everything.get-roots-list', arguments: {} });

  beforeAll(async () => {
    fixture = await createMcpFixture(testDialects()[0]!, { policy: { version: 1, defaults: { tools: 'allow' } } });
    const created = await (
      await fixture.api('POST', '/mcp-servers', {
        name: 'everything',
        transport: 'stdio',
        command: process.execPath,
        args: [everythingServerPath(), 'stdio'],
      })
    ).json();
    expect((await fixture.api('POST', `/mcp-servers/${created.id}/scan`)).status).toBe(200);
  }, 60_000);
  afterAll(async () => fixture?.cleanup());

  it('declares roots upstream, so the upstream offers its roots tool', async () => {
    const client = await fixture.connect();
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('everything.get-roots-list');
  });

  it("answers the upstream's roots/list with the calling session's roots, each session its own", async () => {
    const alice = await withRoots([{ uri: 'file:///work/alice', name: 'alice' }]);
    const bob = await withRoots([{ uri: 'file:///work/bob', name: 'bob' }]);
    const first = text(await rootsTool(alice));
    expect(first).toContain('file:///work/alice');
    const second = text(await rootsTool(bob));
    expect(second).toContain('file:///work/bob');
    expect(second).not.toContain('alice');
    expect(text(await rootsTool(alice))).not.toContain('bob');
    // A client without roots shares none, and sees nobody else's.
    const plain = await fixture.connect();
    const none = text(await rootsTool(plain));
    expect(none).not.toMatch(/alice|bob/);
  });

  it("relays a session's roots/list_changed: its next call sees the new roots", async () => {
    let roots: Root[] = [{ uri: 'file:///repo/one', name: 'one' }];
    const client = await fixture.connect({ capabilities: { roots: { listChanged: true } } });
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots }));
    expect(text(await rootsTool(client))).toContain('file:///repo/one');
    roots = [{ uri: 'file:///repo/two', name: 'two' }];
    await client.sendRootsListChanged();
    await expect.poll(async () => text(await rootsTool(client))).toContain('file:///repo/two');
  });
});
