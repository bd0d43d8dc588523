import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHttpUpstream, type HttpUpstream } from '../test-support/http-upstream.js';
import { createMcpFixture, type McpFixture } from '../test-support/mcp-fixture.js';
import { createToolServer, createToolServerState, type TestTool, type ToolServerState } from '../test-support/tool-server.js';
import { agentToolName, collisionFreeName } from './tool-catalog.js';

/** A tool that answers with its server's label, so a test sees which upstream ran. */
const labelled = (name: string, label: string): TestTool => ({
  name,
  description: `Answers "${label}".`,
  inputSchema: { type: 'object', properties: {} },
  run: () => ({ content: [{ type: 'text', text: label }] }),
});

const text = (result: unknown) => ((result as CallToolResult).content as Array<{ text: string }>)[0]!.text;

describe.each(testDialects())('tool names that collide once "." becomes "_" (Claude Code, Codex), on $name', (dialect) => {
  let fixture: McpFixture;
  const upstreams: HttpUpstream[] = [];
  const states: Record<string, ToolServerState> = {};
  const ids: Record<string, string> = {};

  const register = async (name: string, tools: TestTool[]) => {
    states[name] = createToolServerState(tools);
    const upstream = await serveHttpUpstream(() => createToolServer(states[name]!));
    upstreams.push(upstream);
    const created = await (await fixture.api('POST', '/mcp-servers', { name, transport: 'http', url: upstream.url })).json();
    ids[name] = created.id;
    expect((await fixture.api('POST', `/mcp-servers/${created.id}/scan`)).status).toBe(200);
  };

  beforeAll(async () => {
    fixture = await createMcpFixture(dialect, {
      policy: { version: 1, defaults: { tools: 'allow' }, rules: [{ tool: 'a_x.y', action: 'deny', reason: 'a_x.y is off.' }] },
    });
    // Registered first: agents know a.x_y as a_x_y.
    await register('a', [labelled('x_y', 'server a, tool x_y')]);
    // Registered later: a_x.y would also be a_x_y. And one server whose own two tools collide.
    await register('a_x', [labelled('y', 'server a_x, tool y'), labelled('z', 'server a_x, tool z')]);
    await register('b', [labelled('p.q', 'b p.q'), labelled('p_q', 'b p_q')]);
  }, 60_000);
  afterAll(async () => {
    await fixture?.cleanup();
    await Promise.all(upstreams.map((upstream) => upstream.close()));
  });

  it('lists every tool under a name no other tool maps to: the older keeps its name, the newer gets a deterministic suffix', async () => {
    const client = await fixture.connect();
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    const agentNames = names.map(agentToolName);
    expect(new Set(agentNames).size).toBe(names.length);
    const renamed = collisionFreeName('a_x.y', 'a_x', 'y');
    expect(renamed).toMatch(/^a_x\.y_[0-9a-f]{6}$/);
    // Within one scan the order of names decides ('.' sorts before '_').
    expect(names).toEqual(expect.arrayContaining(['a.x_y', renamed, 'a_x.z', 'b.p.q', collisionFreeName('b.p_q', 'b', 'p_q')]));
    expect(names).not.toContain('a_x.y');
    expect(names).not.toContain('b.p_q');
  });

  it("calls each tool on its own server; policy and records use the tool's own name", async () => {
    const client = await fixture.connect();
    expect(text(await client.callTool({ name: 'a.x_y', arguments: {} }))).toBe('server a, tool x_y');
    expect(text(await client.callTool({ name: collisionFreeName('b.p_q', 'b', 'p_q'), arguments: {} }))).toBe('b p_q');
    expect(text(await client.callTool({ name: 'b.p.q', arguments: {} }))).toBe('b p.q');
    // The rule written for a_x.y still governs it under its listed name.
    const denied = await client.callTool({ name: collisionFreeName('a_x.y', 'a_x', 'y'), arguments: {} });
    expect(denied.isError).toBe(true);
    expect(text(denied)).toBe('Denied by policy: a_x.y is off.');
    expect(states.a_x!.calls).toEqual([]);
  });

  it('answers a renamed tool that policy hides exactly like an unknown tool, naming what the client called', async () => {
    const alias = collisionFreeName('b.p_q', 'b', 'p_q');
    await fixture.preloop.governance.policies.apply(
      fixture.preloop.accountId,
      {
        version: 1,
        defaults: { tools: 'allow' },
        rules: [{ tool: 'a_x.y', action: 'deny', reason: 'a_x.y is off.' }],
        scopes: [{ subject: { apiKey: fixture.agent.apiKeyId! }, tools: { hidden: ['b.p_q'] } }],
      },
      { type: 'system' },
    );
    try {
      const client = await fixture.connect();
      expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain(alias);
      const hidden = await client.callTool({ name: alias, arguments: {} }).catch((error: Error) => error.message);
      const unknown = await client.callTool({ name: 'b.p_r_123456', arguments: {} }).catch((error: Error) => error.message);
      expect(hidden).toBe(`MCP error -32602: Unknown tool: ${alias}`);
      expect(unknown).toBe('MCP error -32602: Unknown tool: b.p_r_123456');
    } finally {
      await fixture.preloop.governance.policies.apply(
        fixture.preloop.accountId,
        { version: 1, defaults: { tools: 'allow' }, rules: [{ tool: 'a_x.y', action: 'deny', reason: 'a_x.y is off.' }] },
        { type: 'system' },
      );
    }
  });

  it('shows the renaming in the admin API, and keeps it across rescans', async () => {
    const listed = async () =>
      (await (await fixture.api('GET', '/tools')).json()).items as Array<{
        name: string;
        listedAs: string | null;
        available: boolean;
        conflict: boolean;
      }>;
    const before = await listed();
    expect(before.find((tool) => tool.name === 'a_x.y')).toMatchObject({
      listedAs: collisionFreeName('a_x.y', 'a_x', 'y'),
      available: true,
      conflict: false,
    });
    expect(before.find((tool) => tool.name === 'a.x_y')).toMatchObject({ listedAs: null, available: true });
    for (const name of ['a', 'a_x', 'b']) expect((await fixture.api('POST', `/mcp-servers/${ids[name]}/scan`)).status).toBe(200);
    expect(await listed()).toEqual(before);
  });
});
