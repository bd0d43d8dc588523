/**
 * An instance killed with SIGKILL while an approved call's tool runs: a real
 * child process serving the MCP endpoint on the same SQLite file or PostgreSQL
 * database as this process (a second instance), the official SDK client as the
 * agent, and a real upstream MCP server whose tool is still "running" when the
 * child dies. The agent then reconnects to the surviving instance and retries.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { approvals } from '@preloop/approvals';
import { testDialects, testSecretKey, type TestDialect } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { serveHttpUpstream, type HttpUpstream } from '../packages/mcp/src/test-support/http-upstream.js';
import { createMcpFixture, type McpFixture } from '../packages/mcp/src/test-support/mcp-fixture.js';
import {
  createToolServer,
  createToolServerState,
  type TestTool,
  type ToolServerState,
} from '../packages/mcp/src/test-support/tool-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
// 2 s keeps the test short; PRELOOP_CRASH_LEASE_SECONDS=30 measures the default lease.
const leaseSeconds = Number(process.env.PRELOOP_CRASH_LEASE_SECONDS ?? 2);
const approvers = { roles: ['owner', 'admin'] as Array<'owner' | 'admin'> };
const policy = {
  version: 1 as const,
  defaults: { tools: 'allow' as const, workflow: 'admins' },
  workflows: { admins: { approvers } },
  rules: [
    { tool: 'up.deploy', action: 'require_approval' as const, workflow: 'admins' },
    { tool: 'up.restart', action: 'require_approval' as const, workflow: 'admins' },
  ],
};
type Text = Array<{ type: string; text: string }>;

/** A tool that hangs while `state.hang` is set (the crash happens then), else answers at once. */
function hangingTool(name: string, hang: { on: boolean }, idempotent: boolean): TestTool {
  return {
    name,
    description: `${name}s a service.`,
    inputSchema: { type: 'object', properties: { service: { type: 'string' } }, required: ['service'] },
    annotations: { idempotentHint: idempotent, destructiveHint: !idempotent },
    run: async (args) => {
      while (hang.on) await new Promise((resolve) => setTimeout(resolve, 50));
      return { content: [{ type: 'text', text: `${name}ed ${String(args.service)}` }] };
    },
  };
}

/** Starts the second instance as a child process; resolves with its MCP URL. */
async function startChild(database: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@preloop/source',
      '--import',
      'tsx',
      path.join(here, 'support/mcp-child-instance.ts'),
      database,
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
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('\n')) resolve(output.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`the child instance exited (${code}) before serving: ${errors}`)));
  });
  return { child, url };
}

describe.each(testDialects())('an instance killed mid-execution, on $name', (dialect) => {
  let fixture: McpFixture | undefined;
  let upstream: HttpUpstream | undefined;
  let child: ChildProcess | undefined;
  let directory = '';
  let databaseUrl = '';
  const hang = { on: true };
  let killedAt = 0;
  let inFlight = 'pending';
  let state: ToolServerState;

  afterEach(async () => {
    hang.on = false;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await fixture?.cleanup();
    await upstream?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  /** This process is the surviving instance; the database is shared with the child. */
  async function setUp(): Promise<string> {
    directory = await mkdtemp(path.join(tmpdir(), 'preloop-crash-'));
    const shared: TestDialect =
      dialect.name === 'sqlite'
        ? {
            name: 'sqlite',
            create: async () => ({ url: (databaseUrl = `sqlite:${path.join(directory, 'preloop.db')}`), drop: async () => {} }),
          }
        : {
            name: 'postgres',
            create: async () => {
              const database = await dialect.create();
              databaseUrl = database.url;
              return database;
            },
          };
    hang.on = true;
    state = createToolServerState([hangingTool('deploy', hang, false), hangingTool('restart', hang, true)]);
    upstream = await serveHttpUpstream(() => createToolServer(state));
    fixture = await createMcpFixture(shared, {
      policy,
      plugins: [approvals({ executionLeaseSeconds: leaseSeconds, pollIntervalMs: 200 })],
    });
    const created = await (await fixture.api('POST', '/mcp-servers', { name: 'up', transport: 'http', url: upstream.url })).json();
    await fixture.api('POST', `/mcp-servers/${created.id}/scan`);
    const started = await startChild(databaseUrl);
    child = started.child;
    return started.url;
  }

  /** The agent calls `tool` on the child, an admin approves on this instance, the tool starts, then the child is killed. */
  async function crashMidCall(childUrl: string, tool: string, args: Record<string, unknown>): Promise<{ id: string }> {
    const agent = await fixture!.connect({ url: childUrl });
    // The in-flight call dies with its instance; what the SDK client does then is not what this test is about.
    void agent.callTool({ name: tool, arguments: args }, undefined, { timeout: 120_000 }).then(
      () => (inFlight = 'answered'),
      (error: Error) => (inFlight = `failed after ${Date.now() - killedAt} ms: ${error.message}`),
    );
    await expect
      .poll(async () => (await (await fixture!.api('GET', `/approvals?status=pending&tool=${tool}`)).json()).items.length, {
        timeout: 15_000,
      })
      .toBe(1);
    const { id } = (await (await fixture!.api('GET', `/approvals?status=pending&tool=${tool}`)).json()).items[0];
    expect((await fixture!.api('POST', `/approvals/${id}/decide`, { decision: 'approve' }, fixture!.admin.key)).status).toBe(200);
    const name = tool.slice('up.'.length);
    await expect.poll(() => state.calls.filter((call) => call.name === name).length, { timeout: 15_000 }).toBe(1);
    const exited = new Promise((resolve) => child!.on('exit', resolve));
    killedAt = Date.now();
    child!.kill('SIGKILL');
    await exited;
    return { id };
  }

  it('the retry on the surviving instance gets a final "outcome unknown" answer after the lease, the tool never runs twice, and an admin resolution lets it run once', async () => {
    const childUrl = await setUp();
    const args = { service: 'api' };
    const { id } = await crashMidCall(childUrl, 'up.deploy', args);

    const agent = await fixture!.connect();
    const retry = (await agent.callTool({ name: 'up.deploy', arguments: args }, undefined, { timeout: 120_000 })) as CallToolResult;
    const answeredAfterMs = Date.now() - killedAt;
    expect(retry.isError).toBe(true);
    expect((retry.content as Text)[0]!.text).toMatch(
      new RegExp(
        `^The approved call \\(approval request ${id}\\) was started, but the server running it stopped before it finished, so its outcome is unknown\\.`,
      ),
    );
    expect(retry._meta).toEqual({ 'preloop/approval': { requestId: id, status: 'execution_unknown' } });
    // A second retry gets the same final answer at once, and the tool still ran only once.
    expect(((await agent.callTool({ name: 'up.deploy', arguments: args })) as CallToolResult)._meta).toEqual({
      'preloop/approval': { requestId: id, status: 'execution_unknown' },
    });
    expect(state.calls.filter((call) => call.name === 'deploy')).toHaveLength(1);
    console.info(
      `[crash figure, ${dialect.name}] retry got the final answer ${answeredAfterMs} ms after kill -9 (lease ${leaseSeconds} s); the in-flight call: ${inFlight}`,
    );

    hang.on = false;
    const resolved = await fixture!.api('POST', `/approvals/${id}/resolve-execution`, {
      outcome: 'not_executed',
      note: 'nothing in the deploy log',
    });
    expect(resolved.status).toBe(200);
    const afterResolution = (await agent.callTool({ name: 'up.deploy', arguments: args })) as CallToolResult;
    expect(afterResolution).toMatchObject({ content: [{ type: 'text', text: 'deployed api' }] });
    expect(state.calls.filter((call) => call.name === 'deploy')).toHaveLength(2);
    expect((await (await fixture!.api('GET', `/approvals/${id}`)).json()).status).toBe('executed');
  }, 180_000);

  it("an idempotent tool (idempotentHint) runs again on the retry once the dead instance's lease lapsed", async () => {
    const childUrl = await setUp();
    const args = { service: 'cache' };
    const { id } = await crashMidCall(childUrl, 'up.restart', args);
    hang.on = false;
    const retry = (await (
      await fixture!.connect()
    ).callTool({ name: 'up.restart', arguments: args }, undefined, { timeout: 60_000 })) as CallToolResult;
    expect(retry).toMatchObject({ content: [{ type: 'text', text: 'restarted cache' }] });
    expect(retry.isError).toBeFalsy();
    expect(state.calls.filter((call) => call.name === 'restart')).toHaveLength(2);
    const detail = await (await fixture!.api('GET', `/approvals/${id}`)).json();
    expect(detail.status).toBe('executed');
    expect(detail.timeline.map((entry: { type: string }) => entry.type)).toContain('execution_lease_expired');
  }, 120_000);
});
