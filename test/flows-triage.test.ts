/**
 * The flows guide's walk-through, end to end: "an issue labelled `triage`
 * gets an agent's comment". A kernel with approvals, MCP, the gateway, the
 * OpenAI provider, the GitHub tracker and flows on one loopback port; the
 * GitHub stub with a connection whose signed webhooks come back to the
 * tracker intake; the console's "Issue triage" preset as the flow, on the
 * `agent-loop` runtime with a scripted stub model behind the gateway. Labelling
 * an issue `triage` in the stub sends a signed `issues` `labeled` delivery:
 * the flow starts, the model calls `acme-github.add_comment`, which policy
 * sends for approval; approved through the approvals API, the comment is in
 * the stub and the execution succeeded with its cost and audit trail.
 */
import { approvals } from '@preloop/approvals';
import type { PolicyDocumentInput } from '@preloop/core';
import { serve, type RunningServer } from '@preloop/core/node';
import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { flows } from '@preloop/flows';
import { createGateway, gateway } from '@preloop/gateway';
import { createMcpHandler, mcp } from '@preloop/mcp';
import { github } from '@preloop/plugin-github';
import { openai } from '@preloop/plugin-openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueTriagePreset } from '../packages/console-elements/src/components/preloop-flows/flow-presets.js';
import { startMockUpstream, type MockRequest, type MockUpstream } from '../packages/gateway/test-fixtures/mock-upstream.js';
import { startGitHubStub, type GitHubStub } from '../packages/plugins/github/src/test-support/github-stub.js';

const providerKey = 'sk-triage-provider-CANARY-0123456789';
const githubToken = 'ghp_triageWalkthrough0123456789abcdefAB';
const policy: PolicyDocumentInput = {
  version: 1,
  defaults: { tools: 'deny', models: { allow: ['*'] } },
  workflows: { maintainers: { approvers: { roles: ['owner', 'admin'] }, async: true } },
  rules: [
    { tool: '*.add_comment', action: 'require_approval', workflow: 'maintainers', reason: 'Comments are public.' },
    { tool: '*', readOnly: true, action: 'allow' },
  ],
};

/** The stub model: comments on the issue the prompt names until a tool result is in the conversation, then answers. */
function scriptedModel(request: MockRequest) {
  const messages = (request.body?.messages ?? []) as Array<{ role: string; content: unknown }>;
  const prompt = String(messages.find((message) => message.role === 'user')?.content ?? '');
  const usage = { prompt_tokens: 800, completion_tokens: 120, total_tokens: 920 };
  const base = { id: 'chatcmpl-triage', object: 'chat.completion', created: 1_760_000_000, model: request.body.model, usage };
  const toolResult = messages.find((message) => message.role === 'tool');
  if (toolResult)
    return {
      json: {
        ...base,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Triaged: bug, high.' }, finish_reason: 'stop' }],
      },
    };
  const issue = /Issue (\S+)#(\d+):/.exec(prompt);
  const names = ((request.body.tools ?? []) as Array<{ function: { name: string } }>).map((tool) => tool.function.name);
  const call = {
    id: 'call_comment',
    type: 'function',
    function: {
      // The prompt names the tool; the gateway's function names carry `__` for the dot.
      name: names.find((name) => name.endsWith('__add_comment')) ?? 'missing',
      arguments: JSON.stringify({
        project: issue?.[1],
        number: issue?.[2],
        body: 'Triage: bug (checkout), severity high: payments fail on Safari. Missing: the Safari version.',
      }),
    },
  };
  return {
    json: {
      ...base,
      choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }],
    },
  };
}

describe('flows walk-through: an issue labelled triage gets an agent’s comment', () => {
  let test: TestPreloop;
  let server: RunningServer;
  let upstream: MockUpstream;
  let stub: GitHubStub;
  let adminKey = '';
  let handler: (request: Request) => Promise<Response> = async () => new Response('starting', { status: 503 });

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  beforeAll(async () => {
    upstream = await startMockUpstream({ credentials: [providerKey] });
    upstream.handle = scriptedModel;
    stub = await startGitHubStub();
    stub.addToken(githubToken);
    stub.state.addRepository('acme/api');
    server = await serve({ handler: (request) => handler(request), port: 0, host: '127.0.0.1' });
    test = await createTestPreloop(testDialects()[0]!, {
      policy,
      plugins: [
        approvals({ pollIntervalMs: 200 }),
        mcp({ rescanIntervalMs: 0 }),
        gateway({ reclaimIntervalMs: 0 }),
        openai(),
        github(),
        flows({ baseUrl: server.url, pollIntervalMs: 50, scheduleIntervalMs: 0 }),
      ],
    });
    const { preloop } = test;
    const mcpHandler = createMcpHandler(preloop);
    const gatewayHandler = createGateway(preloop);
    handler = (request) => {
      const { pathname } = new URL(request.url);
      if (pathname.startsWith('/api/v1')) return preloop.api(request);
      if (pathname.startsWith('/mcp')) return mcpHandler(request);
      return gatewayHandler(request);
    };
    const owner = await preloop.identity.users.create(preloop.accountId, { email: 'ada@example.com', name: 'Ada', role: 'owner' });
    adminKey = (
      await preloop.identity.apiKeys.create(preloop.accountId, { name: 'admin', scopes: ['admin:read', 'admin:write'], userId: owner.id })
    ).key;
    const model = await api('POST', '/models', {
      alias: 'triage-model',
      provider: 'openai',
      model: 'gpt-4o-mini',
      baseUrl: `${upstream.url}/v1`,
      apiKey: providerKey,
    });
    expect(model.status, JSON.stringify(model.body)).toBe(201);
  });
  afterAll(async () => {
    await test?.cleanup();
    await server?.close();
    await stub?.close();
    await upstream?.close();
  });

  it('labels an issue triage in GitHub; the flow comments on it once the comment is approved', async () => {
    // 1. Connect GitHub; its webhook (URL and secret, shown once) is configured on the repository.
    const connection = await api('POST', '/trackers/connections', {
      tracker: 'github',
      name: 'acme-github',
      settings: { baseUrl: stub.url },
      secrets: { token: githubToken },
    });
    expect(connection.status, JSON.stringify(connection.body)).toBe(201);
    stub.addHook({
      url: `${server.url}/api/v1/trackers/webhooks/${connection.body.id}`,
      secret: connection.body.webhookSecret,
      events: ['issues', 'issue_comment'],
    });

    // 2. The "Issue triage" preset, as the console's builder creates it.
    const created = await api('POST', '/flows', issueTriagePreset.build({ connection: 'acme-github', model: 'triage-model' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const flowId = created.body.flow.id as string;

    // 3. Someone opens an issue (no flow: it is not labelled triage), then labels it triage.
    const client = await test.preloop.trackers.client(test.preloop.accountId, connection.body.id);
    const issue = await client.createIssue({ project: 'acme/api', title: 'Checkout fails on Safari', body: 'Pay does nothing.' });
    await stub.settled();
    expect((await api('GET', `/flows/${flowId}/executions`)).body.items).toHaveLength(0);
    await client.updateIssue({ project: 'acme/api', number: issue.number }, { labels: ['triage'] });
    await stub.settled();
    expect(stub.deliveries.map((delivery) => [delivery.event, delivery.status])).toContainEqual(['issues', 202]);

    // 4. The flow started; the model's comment waits for a maintainer's approval.
    const executions = async () => (await api('GET', `/flows/${flowId}/executions`)).body.items as Array<Record<string, any>>;
    await expect.poll(async () => (await executions())[0]?.status, { timeout: 10_000, interval: 50 }).toBe('waiting_approval');
    const [parked] = await executions();
    expect(parked).toMatchObject({ trigger: { type: 'event' } });
    expect(parked!.renderedPrompt).toContain(`Issue acme/api#${issue.number}: Checkout fails on Safari`);
    const request = (await api('GET', `/approvals/${parked!.approvalRequestId}`)).body;
    expect(request).toMatchObject({
      status: 'pending',
      tool: { name: 'acme-github.add_comment' },
      args: { project: 'acme/api', number: issue.number },
    });
    expect(stub.state.comments).toHaveLength(0);

    // 5. Approve: the comment is posted, the execution succeeds with its cost and audit trail.
    const decided = await api('POST', `/approvals/${parked!.approvalRequestId}/decide`, { decision: 'approve' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    await expect
      .poll(async () => (await api('GET', `/executions/${parked!.id}`)).body.status, { timeout: 10_000, interval: 50 })
      .toBe('succeeded');
    const done = (await api('GET', `/executions/${parked!.id}`)).body;
    expect(done.result).toBe('Triaged: bug, high.');
    expect(done.costMicros).toBeGreaterThan(0);
    expect(stub.state.comments).toEqual([
      expect.objectContaining({ repo: 'acme/api', issueNumber: Number(issue.number), body: expect.stringContaining('severity high') }),
    ]);
    const actions = async () =>
      (
        await test.preloop.db
          .selectFrom('audit_records')
          .select('action')
          .where('runtime_session_id', '=', done.runtimeSessionId)
          .orderBy('seq')
          .execute()
      ).map((record) => record.action);
    await expect.poll(async () => (await actions()).filter((action) => action === 'model.call').length).toBe(2);
    expect(await actions()).toEqual(
      expect.arrayContaining(['runtime-session.start', 'approval.request', 'approval.decide', 'approval.execute', 'runtime-session.end']),
    );
    // One delivery, one execution: the comment's own webhook starts nothing.
    await stub.settled();
    expect(await executions()).toHaveLength(1);
  });
});
