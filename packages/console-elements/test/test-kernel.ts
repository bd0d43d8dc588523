/**
 * The real admin API the browser tests run against: a kernel on SQLite with the
 * approvals (with a webhook notifier to a loopback receiver), push (Web Push to a local push service) and MCP plugins, the admin API, the MCP endpoint and the console
 * (`createConsoleHandler` at `/console/`) served on one real loopback port, an upstream MCP server (the official SDK over Streamable
 * HTTP), and seeded users, keys, agents, sessions and audit records.
 * Node side only (global setup and browser commands).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { approvals } from '@preloop/approvals';
import { createLogger, createPreloop, type Preloop, type Principal } from '@preloop/core';
import { serve, type RunningServer } from '@preloop/core/node';
import { flows } from '@preloop/flows';
import { createGateway, gateway } from '@preloop/gateway';
import { createMcpHandler, mcp } from '@preloop/mcp';
import { openai } from '@preloop/plugin-openai';
import { createWebhookSecret, webhook } from '@preloop/plugin-webhook';
import OpenAI from 'openai';
import { createApproveAppHandler, createConsoleHandler } from '../src/server.js';
import { serveHttpUpstream, type HttpUpstream } from '../../mcp/src/test-support/http-upstream.js';
import { push } from '../../plugins/push/src/index.js';
import { startPushService, type TestPushService } from '../../plugins/push/src/test-support/web-push-service.js';
import { createToolServer, createToolServerState, type TestTool, type ToolServerState } from '../../mcp/src/test-support/tool-server.js';
import type { TestSeed } from './test-seed.js';
import { github as githubTracker } from '../../plugins/github/src/index.js';
import { startTrackerFixture } from './tracker-fixture.js';

/** A running test kernel and what the browser commands do with it. */
export interface TestKernel {
  preloop: Preloop;
  server: RunningServer;
  upstream: HttpUpstream;
  upstreamState: ToolServerState;
  /** The local Web Push service (RFC 8030/8291) the push plugin sends to; it decrypts what it receives. */
  pushService: TestPushService;
  seed: TestSeed;
  /** Starts a tool call through MCP as the seeded agent; resolves with a handle once it is waiting or done. */
  callTool(name: string, args: Record<string, unknown>): Promise<string>;
  /** The result of a call started with `callTool` (waits for it). */
  toolResult(handle: string): Promise<{ isError: boolean; text: string }>;
  /** Appends an `mcp.tool.call` audit record for the seeded agent session (as MCP does). */
  recordToolCall(tool: string, outcome: string): Promise<number>;
  /** Appends an activity entry to a runtime session. */
  recordActivity(sessionId: string, kind: string, status: string, summary: string): Promise<void>;
  /** Calls a model alias through the gateway with the official OpenAI client, in the seeded running session; returns the tokens used. */
  modelCall(alias: string, prompt: string): Promise<number>;
  /**
   * Makes an approved call whose outcome is unknown: the seeded agent asks, the owner approves, a
   * second instance (a kernel on the same database) claims it and stops without a result; after its
   * 1 s lease the sweep marks it `execution_unknown`. Resolves with the request id.
   */
  strandExecution(tool: string, args: Record<string, unknown>): Promise<string>;
  /** Changes an upstream tool's description (a "rug pull") and rescans, so its pin is quarantined. */
  changeUpstreamTool(name: string, description: string): Promise<void>;
  close(): Promise<void>;
}

const createIssue: TestTool = {
  name: 'create_issue',
  description: 'Creates an issue in a repository.',
  inputSchema: {
    type: 'object',
    properties: { repo: { type: 'string' }, title: { type: 'string' }, body: { type: 'string' } },
    required: ['repo', 'title'],
  },
  run: (args) => ({ content: [{ type: 'text', text: `created issue "${String(args.title)}" in ${String(args.repo)}` }] }),
};

const listIssues: TestTool = {
  name: 'list_issues',
  description: 'Lists open issues of a repository.',
  inputSchema: { type: 'object', properties: { repo: { type: 'string' } }, required: ['repo'] },
  run: (args) => ({ content: [{ type: 'text', text: `3 open issues in ${String(args.repo)}` }] }),
};

const mergePullRequest: TestTool = {
  name: 'merge_pull_request',
  description: 'Merges a pull request.',
  inputSchema: { type: 'object', properties: { repo: { type: 'string' }, number: { type: 'number' } }, required: ['repo', 'number'] },
  run: (args) => ({ content: [{ type: 'text', text: `merged #${String(args.number)}` }] }),
};

/** The owner's password (tests log in with it). */
export const ownerPassword = 'correct horse battery staple';

/** The shipped default policy, except that the two test model aliases are allowed. */
const initialPolicy = `version: 1
metadata:
  name: console-tests
  description: Read-only tools are allowed; every other tool call needs approval by an owner or admin; the test models are allowed.
defaults:
  tools: require_approval
  workflow: admins
  models:
    allow: [fast, smart]
workflows:
  admins:
    approvers:
      roles: [owner, admin]
    quorum: 1
    timeoutSeconds: 300
    onTimeout: deny
rules:
  - name: read-only-tools
    tool: '*'
    readOnly: true
    action: allow
tests:
  - name: other tools need approval
    tool: github.create_issue
    expect: require_approval
`;

/** The model upstream, in process: an OpenAI chat completion whose token counts grow with the prompt. */
const upstreamFetch: typeof fetch = async (_input, init) => {
  const body = JSON.parse(String(init?.body ?? '{}')) as { model: string; messages?: Array<{ content?: unknown }> };
  const prompt = JSON.stringify(body.messages ?? []).length;
  const promptTokens = 6_000 + prompt * 120;
  const completionTokens = 900 + (prompt % 7) * 250;
  return new Response(
    JSON.stringify({
      id: 'chatcmpl-console-test',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Done: the flaky test waits for the cart to load.', refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    }),
    { headers: { 'content-type': 'application/json' } },
  );
};

/**
 * Starts the kernel, serves it, and seeds it.
 *
 * @example
 * ```ts
 * const kernel = await startTestKernel();
 * ```
 */
export async function startTestKernel(): Promise<TestKernel> {
  const secretKey = 'console-test-secret-key-0123456789abcdef';
  const dir = mkdtempSync(path.join(tmpdir(), 'preloop-console-'));
  // The webhook notifier's receiver: accepts every notification (204) except those of a call whose arguments say
  // "undeliverable", which it refuses for good (404), so the console's deliveries show both outcomes.
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => response.writeHead(body.includes('undeliverable') ? 404 : 204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  // Web Push to a local push service (the browser's own cannot be reached headless): VAPID keys generated on first start.
  const pushService = await startPushService();
  // The flows plugin needs the server's URL (its runtimes call the gateway and MCP there): the port is taken first.
  let route: (request: Request) => Response | Promise<Response> = () => new Response('starting', { status: 503 });
  const server = await serve({ port: 0, handler: (request) => route(request) });
  const preloop = await createPreloop({
    database: `sqlite:${path.join(dir, 'preloop.db')}`,
    secretKey,
    logger: createLogger({ level: process.env.PRELOOP_TEST_LOGS ? 'debug' : 'silent' }),
    plugins: [
      // No flood control: the browser files together raise more than 5 requests a minute for the same
      // approvers, and a held notice would never read "sent" in the deliveries test.
      approvals({ digest: false }),
      mcp({ rescanIntervalMs: 0 }),
      gateway({ reclaimIntervalMs: 0 }),
      openai(),
      githubTracker(),
      webhook({ url: receiverUrl, secret: createWebhookSecret() }),
      push({ webPush: { subject: 'mailto:ops@example.com', endpointHosts: ['127.0.0.1'] } }),
      flows({ baseUrl: server.url, pollIntervalMs: 100, scheduleIntervalMs: 0 }),
    ],
    policy: initialPolicy,
  });
  const gatewayHandler = createGateway(preloop, { fetch: upstreamFetch, capture: { bodies: true } });
  const mcpHandler = createMcpHandler(preloop, { approvals: { progressIntervalMs: 1000 } });
  const consoleHandler = createConsoleHandler({ basePath: '/console/', title: 'Preloop (test)' });
  const approveApp = createApproveAppHandler();
  await Promise.all([consoleHandler.ready(), approveApp.ready()]);
  route = (request) => {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/api/v1')) return preloop.api(request);
    if (pathname === '/console' || pathname.startsWith('/console/')) return consoleHandler(request);
    if (pathname === '/approve' || pathname.startsWith('/approve/')) return approveApp(request);
    if (pathname.startsWith('/openai/') || pathname.startsWith('/anthropic/')) return gatewayHandler(request);
    return mcpHandler(request);
  };
  const upstreamState = createToolServerState([listIssues, createIssue, mergePullRequest]);
  const upstream = await serveHttpUpstream(() => createToolServer(upstreamState));
  const accountId = preloop.accountId;
  const { identity } = preloop;

  const owner = await identity.users.create(accountId, {
    email: 'owner@example.com',
    name: 'Olivia Owner',
    role: 'owner',
    password: ownerPassword,
  });
  const approver = await identity.users.create(accountId, {
    email: 'ada@example.com',
    name: 'Ada Approver',
    role: 'approver',
    password: ownerPassword,
  });
  const viewer = await identity.users.create(accountId, {
    email: 'victor@example.com',
    name: 'Victor Viewer',
    role: 'viewer',
    password: ownerPassword,
  });
  await identity.teams.create(accountId, { name: 'Platform', memberIds: [owner.id, approver.id] });
  const ownerKey = await identity.apiKeys.create(accountId, {
    name: 'console tests',
    scopes: ['admin:read', 'admin:write'],
    userId: owner.id,
  });
  const viewerKey = await identity.apiKeys.create(accountId, { name: 'viewer tests', scopes: ['admin:read'], userId: viewer.id });

  const ci = await identity.agents.enroll(accountId, {
    name: 'claude-code-ci',
    kind: 'claude_code',
    tags: ['ci', 'backend'],
    ownerUserId: viewer.id,
  });
  const nightly = await identity.agents.enroll(accountId, { name: 'codex-nightly', kind: 'codex', tags: ['nightly'] });
  const triage = await identity.agents.enroll(accountId, { name: 'triage-bot', kind: 'custom', tags: ['support'] });
  const running = await identity.runtimeSessions.start(accountId, {
    name: 'Fix flaky checkout test',
    agentId: ci.id,
    source: 'ci',
    externalId: 'job-4821',
  });
  const bump = await identity.runtimeSessions.start(accountId, { name: 'Nightly dependency bump', agentId: nightly.id, source: 'cron' });
  const ended = await identity.runtimeSessions.start(accountId, { name: 'Triage support inbox', agentId: triage.id, source: 'api' });
  await identity.runtimeSessions.end(accountId, ended.session.id, 'completed');
  await identity.agents.suspend(accountId, nightly.id, 'Paused during the release freeze');

  const sessionPrincipal: Principal = {
    type: 'runtime_session',
    id: running.session.id,
    accountId,
    name: 'claude-code-ci',
    role: null,
    userId: viewer.id,
    apiKeyId: null,
    agentId: ci.id,
    runtimeSessionId: running.session.id,
    teamIds: [],
    scopes: ['mcp'],
  };
  const recordToolCall = async (tool: string, outcome: string) => {
    const record = await preloop.audit.record({
      actor: sessionPrincipal,
      action: 'mcp.tool.call',
      target: { type: 'tool', id: tool },
      outcome,
      data: { tool, args: { repo: 'acme/checkout' } },
    });
    return record.seq;
  };
  for (const [tool, outcome] of [
    ['github.list_issues', 'success'],
    ['github.list_issues', 'success'],
    ['github.create_issue', 'pending'],
    ['github.merge_pull_request', 'denied'],
    ['github.list_issues', 'success'],
  ] as const) {
    await recordToolCall(tool, outcome);
  }
  const recordActivity = async (sessionId: string, kind: string, status: string, summary: string) => {
    await identity.recordActivity(sessionId, { kind, status, summary });
  };
  await recordActivity(running.session.id, 'tool_call', 'success', 'github.list_issues → 3 open issues');
  await recordActivity(running.session.id, 'model_call', 'success', 'gpt-4o-mini · 1,204 tokens');
  await recordActivity(running.session.id, 'tool_call', 'denied', 'github.merge_pull_request denied by policy');

  // An upstream MCP server, scanned (its tools pinned on first use).
  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${server.url}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${ownerKey.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, any>>;
  };
  const github = await api('POST', '/mcp-servers', { name: 'github', transport: 'http', url: upstream.url, trustOnFirstUse: true });
  await api('POST', `/mcp-servers/${github.id}/scan`);

  // Two model aliases, and model calls through the gateway with the official OpenAI client (as an agent's session).
  await api('POST', '/models', {
    alias: 'fast',
    provider: 'openai',
    model: 'gpt-4o-mini',
    baseUrl: 'http://upstream.test/v1',
    apiKey: 'sk-test-upstream-key',
    prices: { input: 0.6, output: 2.4 },
  });
  await api('POST', '/models', {
    alias: 'smart',
    provider: 'openai',
    model: 'gpt-4.1',
    baseUrl: 'http://upstream.test/v1',
    apiKey: 'sk-test-upstream-key',
    prices: { input: 3, output: 12 },
  });
  const modelCall = async (alias: string, prompt: string) => {
    // A fresh credential for the running session each time (they live 15 minutes).
    const { credential } = await identity.runtimeSessions.heartbeat(accountId, running.session.id);
    const client = new OpenAI({ apiKey: credential.token, baseURL: `${server.url}/openai/v1` });
    const completion = await client.chat.completions.create({ model: alias, messages: [{ role: 'user', content: prompt }] });
    return completion.usage?.total_tokens ?? 0;
  };
  // The gateway is young: if its calls fail, the other tests still run, and the gateway ones say why.
  let gatewayError: string | null = null;
  try {
    for (const [alias, prompt] of [
      ['fast', 'Summarize the failing checkout test'],
      ['fast', 'Which commit made cart.spec flaky?'],
      ['smart', 'Propose a fix for the race in cart loading, with a test'],
      ['fast', 'Write the commit message'],
      ['smart', 'Review the diff for regressions'],
    ] as const) {
      await modelCall(alias, prompt);
    }
  } catch (error) {
    gatewayError = `model calls through the gateway fail: ${(error as Error).message}`;
    console.warn(`console tests: ${gatewayError}`);
  }

  // The agent that calls tools through MCP: its own runtime session and credential.
  const mcpSession = await identity.runtimeSessions.start(accountId, {
    name: 'Release notes for v2.4',
    agentId: ci.id,
    source: 'cli',
    audience: ['mcp'],
  });
  const calls = new Map<string, Promise<{ isError: boolean; text: string }>>();
  const clients = new Set<Client>();
  let counter = 0;

  const trackers = await startTrackerFixture(preloop, server.url);
  const seed: TestSeed = {
    apiUrl: server.url,
    owner: { id: owner.id, email: owner.email, password: ownerPassword, key: ownerKey.key },
    approver: { id: approver.id, email: approver.email, password: ownerPassword },
    viewer: { id: viewer.id, email: viewer.email, password: ownerPassword, key: viewerKey.key },
    agents: { ci: ci.id, nightly: nightly.id, triage: triage.id },
    sessions: { running: running.session.id, bump: bump.session.id, ended: ended.session.id, mcp: mcpSession.session.id },
    mcpServerId: github.id,
    gatewayError,
    trackers: trackers.seed,
  };

  return {
    preloop,
    server,
    upstream,
    upstreamState,
    pushService,
    seed,
    async callTool(name, args) {
      const client = new Client({ name: 'console-test-agent', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${mcpSession.credential.token}` } },
        }),
      );
      clients.add(client);
      const handle = `call-${++counter}`;
      const call = client
        .callTool({ name, arguments: args }, undefined, { timeout: 60_000, resetTimeoutOnProgress: true })
        .then((result) => ({
          isError: result.isError === true,
          text: ((result.content as Array<{ type: string; text?: string }>) ?? []).map((item) => item.text ?? '').join('\n'),
        }))
        .finally(() => {
          clients.delete(client);
          void client.close().catch(() => {});
        });
      call.catch(() => {}); // a call abandoned by a failed test must not crash the run at teardown
      calls.set(handle, call);
      return handle;
    },
    toolResult(handle) {
      const call = calls.get(handle);
      if (!call) throw new Error(`No tool call ${handle}`);
      return call;
    },
    recordToolCall,
    recordActivity,
    modelCall: (alias, prompt) => modelCall(alias, prompt),
    async strandExecution(tool, args) {
      const principal = await preloop.authenticate(
        new Request(`${server.url}/mcp`, { headers: { authorization: `Bearer ${mcpSession.credential.token}` } }),
        { audience: 'mcp' },
      );
      if (!principal) throw new Error('strandExecution: the seeded agent did not authenticate');
      const ticket = await preloop.hooks.approvals!.request({
        principal,
        tool: { name: tool, definitionHash: null },
        args,
        workflow: 'admins',
      });
      await api('POST', `/approvals/${ticket.id}/decide`, { decision: 'approve' });
      const other = await createPreloop({
        database: `sqlite:${path.join(dir, 'preloop.db')}`,
        secretKey,
        logger: createLogger({ level: 'silent' }),
        plugins: [approvals({ executionLeaseSeconds: 1 })],
      });
      if (!(await other.hooks.approvals!.claimExecution(ticket.id)))
        throw new Error('strandExecution: the second instance could not claim the call');
      await other.close(); // it stops renewing its lease, as if it died mid-call
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await preloop.service('approvals').sweep();
      return ticket.id;
    },
    async changeUpstreamTool(name, description) {
      const tool = upstreamState.tools.get(name);
      if (!tool) throw new Error(`No upstream tool ${name}`);
      upstreamState.tools.set(name, { ...tool, description });
      await api('POST', `/mcp-servers/${github.id}/scan`);
    },
    async close() {
      await Promise.all([...clients].map((client) => client.close().catch(() => {})));
      await mcpHandler.close();
      await server.close();
      await upstream.close();
      await preloop.close();
      await trackers.close();
      await pushService.close();
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
