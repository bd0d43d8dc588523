import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { definePlugin } from '@preloop/core';
import { testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHttpUpstream, type HttpUpstream } from '../test-support/http-upstream.js';
import { createMcpFixture, everythingServerPath, type McpFixture } from '../test-support/mcp-fixture.js';
import {
  createToolServer,
  createToolServerState,
  echoTool,
  sendEmailTool,
  slowTool,
  type ToolServerState,
} from '../test-support/tool-server.js';

const hello = definePlugin({
  id: 'hello',
  tools: [
    {
      name: 'hello',
      description: 'Greets the caller.',
      inputSchema: { type: 'object', properties: {} },
      readOnly: true,
      call: async (_args, context) => ({ content: [{ type: 'text', text: `hello ${context.principal.name}` }] }),
    },
  ],
});

/** A plugin policy hook that changes the policy's decision for some calls of the allowed `up.echo`. */
const guard = definePlugin({
  id: 'guard',
  hooks: {
    'policy.evaluate': (input) => {
      if (input.kind !== 'tool_call' || input.tool.name !== 'up.echo') return undefined;
      const message = (input.args as { message?: unknown } | null)?.message;
      if (message === 'blocked')
        return { action: 'deny', reason: 'guard: blocked words stay home', explanation: { scope: 'plugin:guard', rule: null } };
      if (message === 'ask first')
        return { action: 'require_approval', workflow: 'admins', explanation: { scope: 'plugin:guard', rule: null } };
      return undefined;
    },
  },
});

function policy(agentKeyId: string) {
  return {
    version: 1,
    defaults: { tools: 'deny', workflow: 'admins' },
    workflows: { admins: { approvers: { roles: ['owner', 'admin'] } } },
    rules: [
      { tool: 'up.echo', action: 'allow' },
      { tool: 'up.send_email', action: 'deny', reason: 'Email is off today.' },
      { tool: 'up.slow', action: 'require_approval', workflow: 'admins' },
      { tool: 'up.hidden_tool', action: 'allow' },
      { tool: 'everything.*', action: 'allow' },
      { tool: 'hello', action: 'allow' },
      { tool: 'request_approval', action: 'allow' },
      { tool: 'ask_user', action: 'allow' },
      { tool: 'get_approval_status', action: 'allow' },
    ],
    scopes: [{ subject: { apiKey: agentKeyId }, tools: { hidden: ['up.hidden_tool'] } }],
  };
}

async function rawCall(fixture: McpFixture, sessionId: string, name: string, args: unknown = {}, rawArguments?: string): Promise<string> {
  const response = await fetch(fixture.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${fixture.agentKey}`,
      'mcp-session-id': sessionId,
      'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
    },
    body:
      rawArguments === undefined
        ? JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: args } })
        : `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":${JSON.stringify(name)},"arguments":${rawArguments}}}`,
  });
  const text = await response.text();
  // The JSON-RPC message itself (the SSE framing carries per-stream event ids).
  return text
    .split('\n')
    .find((line) => line.startsWith('data: {'))!
    .slice(6);
}

describe.each(testDialects())('governed tool calls on $name', (dialect) => {
  let fixture: McpFixture;
  let upstream: HttpUpstream;
  let state: ToolServerState;
  let sessionId: string;

  beforeAll(async () => {
    state = createToolServerState([
      echoTool,
      sendEmailTool,
      slowTool,
      { ...echoTool, name: 'hidden_tool', description: 'Hidden from the agent.' },
    ]);
    upstream = await serveHttpUpstream(() => createToolServer(state));
    fixture = await createMcpFixture(dialect, { plugins: [hello, guard] });
    await fixture.preloop.governance.policies.apply(fixture.preloop.accountId, policy(fixture.agent.apiKeyId!), { type: 'system' });
    const created = await fixture.api('POST', '/mcp-servers', {
      name: 'up',
      transport: 'http',
      url: upstream.url,
      headers: { 'X-Upstream-Token': 'upstream-secret-1' },
    });
    expect(created.status).toBe(201);
    const server = await created.json();
    const scan = await fixture.api('POST', `/mcp-servers/${server.id}/scan`);
    expect(scan.status).toBe(200);
    const client = await fixture.connect();
    sessionId = (client.transport as { sessionId?: string }).sessionId!;
  });
  afterAll(async () => {
    await fixture?.cleanup();
    await upstream?.close();
  });

  it('lists built-in, plugin and namespaced upstream tools, minus what policy hides from the subject', async () => {
    const client = await fixture.connect();
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining(['request_approval', 'ask_user', 'get_approval_status', 'hello', 'up.echo', 'up.send_email', 'up.slow']),
    );
    expect(names).not.toContain('up.hidden_tool');
    expect(names).not.toContain('echo');
    const { key } = await fixture.preloop.identity.apiKeys.create(fixture.preloop.accountId, {
      name: 'unscoped',
      scopes: ['mcp'],
      userId: fixture.admin.id,
    });
    const other = await fixture.connect({ token: key });
    expect((await other.listTools()).tools.map((tool) => tool.name)).toContain('up.hidden_tool');
  });

  it('forwards an allowed call and returns the upstream result', async () => {
    const client = await fixture.connect();
    const result = await client.callTool({ name: 'up.echo', arguments: { message: 'hi' } });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'text', text: '{"message":"hi"}' }]);
    expect(state.calls.at(-1)).toEqual({ name: 'echo', args: { message: 'hi' } });
    expect(await (await fixture.connect()).callTool({ name: 'hello', arguments: {} })).toMatchObject({
      content: [{ type: 'text', text: 'hello agent' }],
    });
  });

  it("never lets the agent token reach the upstream: only the server's own configured header does (passthrough canary)", async () => {
    const marker = 'canary-7f3a9c';
    const { credential } = await fixture.preloop.identity.runtimeSessions.start(fixture.preloop.accountId, {
      name: marker,
      audience: ['mcp'],
    });
    const viaKey = await fixture.connect();
    const viaCredential = await fixture.connect({ token: credential.token });
    await viaKey.callTool({ name: 'up.echo', arguments: { message: 'a' } });
    await viaCredential.callTool({ name: 'up.echo', arguments: { message: 'b' } });
    const seen = JSON.stringify(upstream.requests);
    expect(seen).not.toContain(fixture.agentKey);
    expect(seen).not.toContain(fixture.agentKey.slice(0, 16));
    expect(seen).not.toContain(credential.token);
    expect(seen).not.toContain(credential.token.split('.')[1]!);
    expect(upstream.requests.some((request) => request.headers['x-upstream-token'] === 'upstream-secret-1')).toBe(true);
    expect(upstream.requests.every((request) => !request.headers.authorization)).toBe(true);
  });

  it('returns a denied call as a tool error with the reason, and does not call the upstream', async () => {
    const calls = state.calls.length;
    const result = await (await fixture.connect()).callTool({ name: 'up.send_email', arguments: { to: 'a@example.com' } });
    expect(result).toMatchObject({ isError: true, content: [{ type: 'text', text: 'Denied by policy: Email is off today.' }] });
    expect(state.calls.length).toBe(calls);
  });

  it('lets a plugin policy.evaluate hook deny or require approval for a call the policy allows, before it runs', async () => {
    const client = await fixture.connect();
    const calls = state.calls.length;
    expect(await client.callTool({ name: 'up.echo', arguments: { message: 'blocked' } })).toMatchObject({
      isError: true,
      content: [{ type: 'text', text: 'Denied by policy: guard: blocked words stay home' }],
    });
    const approval = await client.callTool({ name: 'up.echo', arguments: { message: 'ask first' } });
    expect((approval.content as Array<{ text: string }>)[0]!.text).toMatch(
      /^Tool up\.echo requires approval \(workflow "admins"\), but no approval provider is installed/,
    );
    expect(state.calls.length).toBe(calls);
    expect((await client.callTool({ name: 'up.echo', arguments: { message: 'fine' } })).isError).toBeFalsy();
    await expect
      .poll(async () =>
        (
          await fixture.preloop.audit.query({ accountId: fixture.preloop.accountId, action: 'mcp.tool.call', outcome: 'denied' } as never)
        ).items.some((record) => (record.data as { decision?: { scope?: string } }).decision?.scope === 'plugin:guard'),
      )
      .toBe(true);
  });

  it('denies a call that needs approval when no approval provider is installed, saying so', async () => {
    const result = await (await fixture.connect()).callTool({ name: 'up.slow', arguments: { ms: 1 } });
    expect(result.isError).toBe(true);
    expect((result.content as Array<{ text: string }>)[0]!.text).toMatch(
      /requires approval \(workflow "admins"\), but no approval provider is installed/,
    );
  });

  it('gives a hidden tool and an unknown tool byte-identical answers, and refuses look-alike names the same way', async () => {
    const hidden = await rawCall(fixture, sessionId, 'up.hidden_tool', { message: 'x' });
    expect(JSON.parse(hidden)).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32602, message: 'Unknown tool: up.hidden_tool' } });
    state.tools.delete('hidden_tool');
    await fixture.api('POST', `/mcp-servers/${(await (await fixture.api('GET', '/mcp-servers')).json()).items[0].id}/scan`);
    const unknown = await rawCall(fixture, sessionId, 'up.hidden_tool', { message: 'x' });
    expect(unknown).toBe(hidden);
    for (const variant of ['UP.ECHO', 'up.echo ', 'ｕｐ.echo', 'echo', 'up.echo\u200b']) {
      const answer = JSON.parse(await rawCall(fixture, sessionId, variant, { message: 'x' }));
      expect(answer.error.code).toBe(-32602);
      expect(answer.error.message).toMatch(/^Unknown tool: /);
    }
  });

  it('refuses arguments that break the schema as a tool error and hostile nesting as invalid params', async () => {
    const client = await fixture.connect();
    const extra = await client.callTool({ name: 'up.echo', arguments: { message: 'x', bcc: 'evil@example.com' } });
    expect(extra.isError).toBe(true);
    expect((extra.content as Array<{ text: string }>)[0]!.text).toMatch(/^Invalid arguments for tool up\.echo: .*additional properties/);
    const deep = `{"message":${'{"a":'.repeat(10_000)}"x"${'}'.repeat(10_000)}}`;
    const nested = JSON.parse(await rawCall(fixture, sessionId, 'up.echo', null, deep));
    expect(nested.error).toMatchObject({ code: -32602 });
    expect(nested.error.message).toMatch(/nest deeper than 64/);
  });

  it('proxies a stdio upstream (server-everything) with its own environment only', async () => {
    const created = await fixture.api('POST', '/mcp-servers', {
      name: 'everything',
      transport: 'stdio',
      command: process.execPath,
      args: [everythingServerPath(), 'stdio'],
      env: { CONFIGURED_VARIABLE: 'configured-value' },
    });
    expect(created.status).toBe(201);
    const server = await created.json();
    expect(JSON.stringify(server)).not.toContain('configured-value');
    const scan = await (await fixture.api('POST', `/mcp-servers/${server.id}/scan`)).json();
    expect(scan.tools.find((tool: { name: string }) => tool.name === 'echo')).toMatchObject({
      status: 'pinned',
      exposedName: 'everything.echo',
    });
    const client = await fixture.connect();
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['everything.echo', 'everything.get-sum', 'everything.get-env']));
    expect(await client.callTool({ name: 'everything.echo', arguments: { message: 'over stdio' } })).toMatchObject({
      content: [{ type: 'text', text: 'Echo: over stdio' }],
    });
    const env = (await client.callTool({ name: 'everything.get-env', arguments: {} })).content as Array<{ text: string }>;
    expect(env[0]!.text).toContain('configured-value');
    expect(env[0]!.text).not.toContain(fixture.agentKey);
    expect(env[0]!.text).not.toContain('PRELOOP_TEST_POSTGRES_URL');
  }, 60_000);

  it('stops every call while the kill switch is on, saying so, and lists nothing', async () => {
    const killSwitch = fixture.preloop.governance.killSwitch;
    await killSwitch.activate(fixture.preloop.accountId, ['tools'], 'incident 42', { type: 'system' });
    try {
      const client = await fixture.connect();
      expect((await client.listTools()).tools).toEqual([]);
      for (const name of ['up.echo', 'no.such_tool']) {
        const result = await client.callTool({ name, arguments: { message: 'x' } });
        expect(result).toMatchObject({
          isError: true,
          content: [{ type: 'text', text: 'Denied: Kill switch active for tools: incident 42' }],
        });
      }
    } finally {
      await killSwitch.deactivate(fixture.preloop.accountId, ['tools'], { type: 'system' });
    }
  });

  it('records every call in the audit trail and as runtime-session activity, with secrets redacted', async () => {
    const { session, credential } = await fixture.preloop.identity.runtimeSessions.start(fixture.preloop.accountId, {
      name: 'audited',
      audience: ['mcp'],
    });
    const client = await fixture.connect({ token: credential.token });
    await client.callTool({ name: 'up.echo', arguments: { message: 'Bearer abcdefghijklmnopqrstuvwxyz0123' } });
    await client.callTool({ name: 'up.send_email', arguments: { to: 'x@example.com' } });
    await expect
      .poll(async () => (await fixture.preloop.identity.runtimeSessions.listActivity(fixture.preloop.accountId, session.id)).items.length)
      .toBe(2);
    // Activity is written after each answer, in the background: the two entries may land in either order.
    const activity = (await fixture.preloop.identity.runtimeSessions.listActivity(fixture.preloop.accountId, session.id)).items.sort(
      (a, b) => (a.summary < b.summary ? -1 : 1),
    );
    expect(activity.map((entry) => [entry.kind, entry.status, entry.summary.split(':')[0]])).toEqual([
      ['tool_call', 'succeeded', 'up.echo'],
      ['tool_call', 'denied', 'up.send_email'],
    ]);
    expect(JSON.stringify(activity)).not.toContain('abcdefghijklmnopqrstuvwxyz0123');
    expect(activity[0]!.data).toMatchObject({ tool: 'up.echo', server: 'up', decision: { action: 'allow' } });
    await expect
      .poll(async () =>
        (await fixture.preloop.audit.query({ accountId: fixture.preloop.accountId, runtimeSessionId: session.id })).items.map((record) => [
          record.action,
          record.outcome,
        ]),
      )
      .toEqual(
        expect.arrayContaining([
          ['mcp.tool.call', 'allowed'],
          ['mcp.tool.result', 'success'],
          ['mcp.tool.call', 'denied'],
        ]),
      );
  });
});
