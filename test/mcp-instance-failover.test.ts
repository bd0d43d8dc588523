/**
 * The agent's call in flight when the instance serving its MCP session is
 * killed (SIGKILL): two instances on one PostgreSQL database (this process and
 * a child process), the official SDK client behind a "load balancer" that
 * sends each request to the child while it accepts connections and to this
 * instance once it refuses them. The client's `Last-Event-ID` reconnection
 * reaches this instance, which answers the call instead of "Session not found".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { approvals } from '@preloop/approvals';
import { describePostgres, testSecretKey, type TestDialect } from '@preloop/core/testing';
import { afterEach, expect, it } from 'vitest';
import { serveHttpUpstream, type HttpUpstream } from '../packages/mcp/src/test-support/http-upstream.js';
import type { McpTables } from '../packages/mcp/src/store/mcp-tables.js';
import { createMcpFixture, type McpFixture } from '../packages/mcp/src/test-support/mcp-fixture.js';
import {
  createToolServer,
  createToolServerState,
  type TestTool,
  type ToolServerState,
} from '../packages/mcp/src/test-support/tool-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const leaseSeconds = Number(process.env.PRELOOP_CRASH_LEASE_SECONDS ?? 2);
const approvers = { roles: ['owner', 'admin'] as Array<'owner' | 'admin'> };
const policy = {
  version: 1 as const,
  defaults: { tools: 'allow' as const, workflow: 'admins' },
  workflows: { admins: { approvers } },
  rules: [{ tool: 'up.deploy', action: 'require_approval' as const, workflow: 'admins' }],
};
type Text = Array<{ type: string; text: string }>;

/** A tool that hangs while `hang.on` is set (the crash happens then), else answers at once. */
function hangingTool(name: string, hang: { on: boolean }): TestTool {
  return {
    name,
    description: `${name}s a service.`,
    inputSchema: { type: 'object', properties: { service: { type: 'string' } }, required: ['service'] },
    annotations: { destructiveHint: true },
    run: async (args) => {
      while (hang.on) await new Promise((resolve) => setTimeout(resolve, 50));
      return { content: [{ type: 'text', text: `${name}ed ${String(args.service)}` }] };
    },
  };
}

describePostgres('a call in flight on an instance killed with SIGKILL, resumed on another instance', (dialect: TestDialect) => {
  let fixture: McpFixture | undefined;
  let upstream: HttpUpstream | undefined;
  let child: ChildProcess | undefined;
  let client: Client | undefined;
  let state: ToolServerState;
  const hang = { on: true };

  afterEach(async () => {
    hang.on = false;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await client?.close().catch(() => {});
    await fixture?.cleanup();
    await upstream?.close();
  });

  /** This process is the surviving instance; the child serves the agent's session until it is killed. */
  async function setUp(): Promise<string> {
    hang.on = true;
    state = createToolServerState([hangingTool('deploy', hang), hangingTool('sleep', hang)]);
    upstream = await serveHttpUpstream(() => createToolServer(state));
    let databaseUrl = '';
    const shared: TestDialect = {
      name: 'postgres',
      create: async () => {
        const database = await dialect.create();
        databaseUrl = database.url;
        return database;
      },
    };
    fixture = await createMcpFixture(shared, {
      policy,
      plugins: [approvals({ executionLeaseSeconds: leaseSeconds, pollIntervalMs: 200 })],
    });
    const created = await (await fixture.api('POST', '/mcp-servers', { name: 'up', transport: 'http', url: upstream.url })).json();
    await fixture.api('POST', `/mcp-servers/${created.id}/scan`);
    child = spawn(
      process.execPath,
      [
        '--conditions=@preloop/source',
        '--import',
        'tsx',
        path.join(here, 'support/mcp-child-instance.ts'),
        databaseUrl,
        String(leaseSeconds),
        JSON.stringify(policy),
      ],
      {
        cwd: root,
        env: { ...process.env, PRELOOP_SECRET_KEY: testSecretKey },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    let errors = '';
    child.stderr!.on('data', (chunk) => (errors += chunk));
    return new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (chunk) => {
        output += chunk;
        if (output.includes('\n')) resolve(output.split('\n')[0]!);
      });
      child!.on('exit', (code) => reject(new Error(`the child instance exited (${code}) before serving: ${errors}`)));
    });
  }

  /** The official client on the child's URL; its requests fail over to this instance once the child refuses connections. */
  async function connectThroughBalancer(childUrl: string): Promise<Client> {
    const survivor = new URL(fixture!.url);
    const balanced = (async (input: string | URL | Request, init?: RequestInit) => {
      try {
        return await fetch(input, init);
      } catch (error) {
        if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNREFUSED') throw error;
        const url = new URL(input instanceof Request ? input.url : String(input));
        url.host = survivor.host;
        return fetch(url, init);
      }
    }) as typeof fetch;
    client = new Client({ name: 'agent', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(childUrl), {
        fetch: balanced,
        requestInit: { headers: { authorization: `Bearer ${fixture!.agentKey}` } },
      }),
    );
    return client;
  }

  async function killChild(): Promise<number> {
    const exited = new Promise((resolve) => child!.on('exit', resolve));
    const killedAt = Date.now();
    child!.kill('SIGKILL');
    await exited;
    return killedAt;
  }

  async function pendingApproval(tool: string): Promise<string> {
    await expect
      .poll(async () => (await (await fixture!.api('GET', `/approvals?status=pending&tool=${tool}`)).json()).items.length, {
        timeout: 15_000,
      })
      .toBe(1);
    return (await (await fixture!.api('GET', `/approvals?status=pending&tool=${tool}`)).json()).items[0].id;
  }

  /** Settles with the call's result, or with the error text it failed with. */
  function settle(call: Promise<unknown>): Promise<{ result?: CallToolResult; error?: string; at: number }> {
    return call.then(
      (result) => ({ result: result as CallToolResult, at: Date.now() }),
      (error: Error) => ({ error: error.message, at: Date.now() }),
    );
  }

  it('an approved call killed mid-execution: the in-flight call ends with the final "outcome unknown" answer once the lease lapses, and the tool ran once', async () => {
    const agent = await connectThroughBalancer(await setUp());
    const inFlight = settle(agent.callTool({ name: 'up.deploy', arguments: { service: 'api' } }, undefined, { timeout: 120_000 }));
    const id = await pendingApproval('up.deploy');
    expect((await fixture!.api('POST', `/approvals/${id}/decide`, { decision: 'approve' }, fixture!.admin.key)).status).toBe(200);
    await expect.poll(() => state.calls.filter((call) => call.name === 'deploy').length, { timeout: 15_000 }).toBe(1);
    const killedAt = await killChild();

    const settled = await inFlight;
    expect(settled.error).toBeUndefined();
    expect(settled.result!.isError).toBe(true);
    expect((settled.result!.content as Text)[0]!.text).toMatch(
      new RegExp(`^The approved call \\(approval request ${id}\\) was started, but the server running it stopped before it finished`),
    );
    expect(settled.result!._meta).toEqual({ 'preloop/approval': { requestId: id, status: 'execution_unknown' } });
    expect(state.calls.filter((call) => call.name === 'deploy')).toHaveLength(1);
    console.info(
      `[failover figure] executing approved call: the in-flight call settled ${settled.at - killedAt} ms after kill -9 (lease ${leaseSeconds} s)`,
    );

    // The client's next request on the dead session gets 404; re-initialized, its identical retry gets the same final answer.
    await expect(agent.listTools()).rejects.toThrow(/Session not found/);
    const fresh = await fixture!.connect();
    expect(((await fresh.callTool({ name: 'up.deploy', arguments: { service: 'api' } })) as CallToolResult)._meta).toEqual({
      'preloop/approval': { requestId: id, status: 'execution_unknown' },
    });
    expect(state.calls.filter((call) => call.name === 'deploy')).toHaveLength(1);
  }, 180_000);

  it("a call waiting for approval: the in-flight call keeps waiting on the surviving instance and gets the tool's result once approved, run once", async () => {
    const agent = await connectThroughBalancer(await setUp());
    hang.on = false;
    const inFlight = settle(agent.callTool({ name: 'up.deploy', arguments: { service: 'web' } }, undefined, { timeout: 120_000 }));
    const id = await pendingApproval('up.deploy');
    // The child notes the approval request on the call's stream record just after creating it.
    await expect
      .poll(
        async () =>
          (await fixture!.preloop.db.withTables<McpTables>().selectFrom('mcp_call_streams').select('approval_id').executeTakeFirst())
            ?.approval_id,
        { timeout: 15_000 },
      )
      .toBe(id);
    const killedAt = await killChild();
    // The resumed call joined the same request on this instance: it is still the one pending request.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(
      (await (await fixture!.api('GET', '/approvals?status=pending&tool=up.deploy')).json()).items.map((item: { id: string }) => item.id),
    ).toEqual([id]);
    expect((await fixture!.api('POST', `/approvals/${id}/decide`, { decision: 'approve' }, fixture!.admin.key)).status).toBe(200);

    const settled = await inFlight;
    expect(settled.error).toBeUndefined();
    expect(settled.result).toMatchObject({ content: [{ type: 'text', text: 'deployed web' }] });
    expect(settled.result!.isError).toBeFalsy();
    expect(state.calls.filter((call) => call.name === 'deploy')).toHaveLength(1);
    expect((await (await fixture!.api('GET', `/approvals/${id}`)).json()).status).toBe('executed');
    console.info(
      `[failover figure] call waiting for approval: answered ${settled.at - killedAt} ms after kill -9 (including the approval)`,
    );
  }, 180_000);

  it('a call without approval killed mid-run: the in-flight call ends at once with "session lost, outcome unknown", and the tool is not run again', async () => {
    const agent = await connectThroughBalancer(await setUp());
    const inFlight = settle(agent.callTool({ name: 'up.sleep', arguments: { service: 'db' } }, undefined, { timeout: 120_000 }));
    await expect.poll(() => state.calls.filter((call) => call.name === 'sleep').length, { timeout: 15_000 }).toBe(1);
    const killedAt = await killChild();

    const settled = await inFlight;
    expect(settled.error).toBeUndefined();
    expect(settled.result!.isError).toBe(true);
    expect((settled.result!.content as Text)[0]!.text).toMatch(
      /^The call to up\.sleep was made on an MCP session that this server instance does not hold: the instance serving it stopped .*whether the tool ran is unknown\. It was not run again\./,
    );
    expect(settled.result!._meta).toEqual({ 'preloop/call': { status: 'session_lost' } });
    hang.on = false;
    expect(state.calls.filter((call) => call.name === 'sleep')).toHaveLength(1);
    console.info(`[failover figure] call without approval: the in-flight call settled ${settled.at - killedAt} ms after kill -9`);
  }, 120_000);

  it('a resumption with another principal\'s credential, or for a stream the session never had, is "Session not found"', async () => {
    const childUrl = await setUp();
    const agent = await connectThroughBalancer(childUrl);
    void settle(agent.callTool({ name: 'up.sleep', arguments: { service: 'db' } }, undefined, { timeout: 120_000 }));
    await expect.poll(() => state.calls.filter((call) => call.name === 'sleep').length, { timeout: 15_000 }).toBe(1);
    // The stream the call answers on, as the child recorded it (its event ids read `<streamId>_<n>`).
    const row = await fixture!.preloop.db
      .withTables<McpTables>()
      .selectFrom('mcp_call_streams')
      .select(['stream_id'])
      .executeTakeFirstOrThrow();
    const sessionId = (agent.transport as StreamableHTTPClientTransport).sessionId!;
    const resume = (token: string, eventId: string) =>
      fetch(fixture!.url, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'text/event-stream',
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-11-25',
          'last-event-id': eventId,
        },
      });
    const { key: otherAgentKey } = await fixture!.preloop.identity.apiKeys.create(fixture!.preloop.accountId, {
      name: 'other-agent',
      scopes: ['mcp'],
      userId: fixture!.owner.id,
    });
    for (const response of [
      await resume(otherAgentKey, `${row.stream_id}_1`),
      await resume(fixture!.agentKey, '00000000-0000-4000-8000-000000000000_1'),
      await resume(fixture!.agentKey, 'not an event id'),
    ]) {
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: -32001, message: 'Session not found' } });
    }
    await killChild();
  }, 120_000);
});
