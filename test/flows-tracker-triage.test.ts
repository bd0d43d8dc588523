/**
 * The flows guide's walk-through, end to end on one loopback port: an issue
 * labelled `triage` on a GitHub stand-in (signed webhook deliveries, as GitHub
 * sends them) starts a flow; its `agent-loop` asks a stub model through our
 * gateway, which asks for the tracker tool `acme-github.add_comment` through
 * our MCP endpoint; the flow requires approval for it, so the execution parks;
 * an admin approves; the comment lands on the issue and the execution
 * succeeds with its cost.
 */
import type { TestPreloop } from '@preloop/core/testing';
import { github } from '@preloop/plugin-github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueTriagePreset } from '../packages/console-elements/src/components/preloop-flows/flow-presets.js';
import { startMockUpstream, type MockRequest, type MockUpstream } from '../packages/gateway/test-fixtures/mock-upstream.js';
import { startGitHubStub, type GitHubStub } from '../packages/plugins/github/src/test-support/github-stub.js';
import { type FlowsServer, startFlowsServer } from './support/flows-server.js';

const providerKey = 'sk-triage-provider-CANARY-0123456789';
const githubToken = 'ghp_triageTestToken0123456789abcdefABCD';
/** The stub model: comments on the issue named in the prompt, then says it is done. */
function triageModel(request: MockRequest) {
  const messages = (request.body?.messages ?? []) as Array<{ role: string; content: unknown }>;
  const usage = { prompt_tokens: 800, completion_tokens: 120, total_tokens: 920 };
  const base = { id: 'chatcmpl-triage', object: 'chat.completion', created: 1_760_000_000, model: request.body.model, usage };
  const result = messages.find((message) => message.role === 'tool');
  if (result)
    return {
      json: { ...base, choices: [{ index: 0, message: { role: 'assistant', content: 'Commented on the issue.' }, finish_reason: 'stop' }] },
    };
  const number = /#(\d+)/.exec(String(messages.find((message) => message.role === 'user')?.content))?.[1];
  const args = { project: 'acme/api', number, body: 'Severity: high. Next step: reproduce on the latest release.' };
  const call = { id: 'call_triage', type: 'function', function: { name: 'acme-github__add_comment', arguments: JSON.stringify(args) } };
  return {
    json: {
      ...base,
      choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }],
    },
  };
}

describe('flows walk-through: an issue labelled triage gets an agent comment', () => {
  let flowsServer: FlowsServer;
  let test: TestPreloop;
  let upstream: MockUpstream;
  let stub: GitHubStub;
  const api = (method: string, path: string, body?: unknown) => flowsServer.api(method, path, body);

  beforeAll(async () => {
    upstream = await startMockUpstream({ credentials: [providerKey] });
    upstream.handle = triageModel;
    stub = await startGitHubStub();
    stub.addToken(githubToken);
    stub.state.addRepository('acme/api');
    flowsServer = await startFlowsServer({
      upstream: { url: upstream.url, apiKey: providerKey },
      models: [{ alias: 'gpt-mock', model: 'gpt-4o-mini' }],
      plugins: [github()],
    });
    test = flowsServer.test;
    const { preloop } = test;
    const connection = await preloop.trackers.create(preloop.accountId, {
      tracker: 'github',
      name: 'acme-github',
      settings: { baseUrl: stub.url },
      secrets: { token: githubToken },
    });
    stub.addHook({
      url: `${flowsServer.server.url}/api/v1/trackers/webhooks/${connection.id}`,
      secret: connection.webhookSecret,
      events: ['issues'],
    });
  });
  afterAll(async () => {
    await flowsServer?.close();
    await stub?.close();
    await upstream?.close();
  });

  it('labels an issue, parks on the comment approval, and comments once approved', async () => {
    const created = await api('POST', '/flows', {
      name: 'triage',
      triggers: [{ type: 'event', event: 'tracker-event', types: ['issue.labeled'], labels: ['triage'] }],
      prompt:
        'Triage {{ event.project }}#{{ event.issue.number }}: {{ event.issue.title }}\n\n{{ event.issue.body }}\n\nComment with a severity and a next step.',
      model: 'gpt-mock',
      tools: ['acme-github.*'],
      approval: { workflow: 'later', tools: ['acme-github.add_comment'] },
      runtime: { id: 'agent-loop' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const flowId = created.body.flow.id as string;
    const client = await test.preloop.trackers.client(
      test.preloop.accountId,
      (await test.preloop.trackers.list(test.preloop.accountId))[0]!.id,
    );
    const issue = await client.createIssue({ project: 'acme/api', title: 'App crashes on start', body: 'Since 2.3.', labels: ['bug'] });
    await stub.settled();
    // Opened, and labelled bug: not a triage label, nothing starts.
    expect((await api('GET', `/flows/${flowId}/executions`)).body.items).toEqual([]);

    await client.updateIssue({ project: 'acme/api', number: issue.number }, { labels: ['bug', 'triage'] });
    await stub.settled();
    await expect.poll(async () => (await api('GET', `/flows/${flowId}/executions`)).body.items.length).toBe(1);
    const executionId = (await api('GET', `/flows/${flowId}/executions`)).body.items[0].id as string;
    const status = async () => (await api('GET', `/executions/${executionId}`)).body;
    await expect.poll(async () => (await status()).status, { timeout: 15_000 }).toBe('waiting_approval');
    const parked = await status();
    expect(parked.renderedPrompt).toContain(`Triage acme/api#${issue.number}: App crashes on start`);
    expect(parked.trigger).toEqual({ type: 'event', event: 'tracker-event' });
    const request = (await api('GET', `/approvals/${parked.approvalRequestId}`)).body;
    expect(request).toMatchObject({
      tool: { name: 'acme-github.add_comment' },
      args: { project: 'acme/api', number: String(issue.number) },
    });
    expect(stub.state.comments).toHaveLength(0);

    expect((await api('POST', `/approvals/${parked.approvalRequestId}/decide`, { decision: 'approve' })).status).toBe(200);
    await expect.poll(async () => (await status()).status, { timeout: 15_000 }).toBe('succeeded');
    const done = await status();
    expect(done.result).toBe('Commented on the issue.');
    expect(done.costMicros).toBeGreaterThan(0);
    expect(stub.state.comments).toEqual([
      expect.objectContaining({
        repo: 'acme/api',
        issueNumber: Number(issue.number),
        body: 'Severity: high. Next step: reproduce on the latest release.',
      }),
    ]);
  });

  it("the console's Issue triage preset: starts on the triage label once (not on the next label), comments once approved, with its audit trail", async () => {
    // Only the preset's flow listens from here on.
    for (const flow of (await api('GET', '/flows')).body.items) await api('POST', `/flows/${flow.id}/enabled`, { enabled: false });
    const created = await api('POST', '/flows', {
      ...issueTriagePreset.build({ connection: 'acme-github', model: 'gpt-mock' }),
      approval: { workflow: 'later', tools: ['acme-github.add_comment'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const flowId = created.body.flow.id as string;
    const executions = async () => (await api('GET', `/flows/${flowId}/executions`)).body.items as Array<Record<string, any>>;
    const client = await test.preloop.trackers.client(
      test.preloop.accountId,
      (await test.preloop.trackers.list(test.preloop.accountId))[0]!.id,
    );
    const issue = await client.createIssue({ project: 'acme/api', title: 'Checkout fails on Safari', body: 'Pay does nothing.' });
    await client.updateIssue({ project: 'acme/api', number: issue.number }, { labels: ['triage'] });
    await stub.settled();
    await expect.poll(async () => (await executions())[0]?.status, { timeout: 15_000 }).toBe('waiting_approval');
    const [parked] = await executions();
    expect(parked!.renderedPrompt).toContain(`Issue acme/api#${issue.number}: Checkout fails on Safari`);
    // Another label while it carries triage: the preset's condition keeps it from starting again.
    await client.updateIssue({ project: 'acme/api', number: issue.number }, { labels: ['triage', 'bug'] });
    await stub.settled();
    const before = stub.state.comments.length;
    expect((await api('POST', `/approvals/${parked!.approvalRequestId}/decide`, { decision: 'approve' })).status).toBe(200);
    await expect.poll(async () => (await api('GET', `/executions/${parked!.id}`)).body.status, { timeout: 15_000 }).toBe('succeeded');
    const done = (await api('GET', `/executions/${parked!.id}`)).body;
    expect(done.costMicros).toBeGreaterThan(0);
    expect(stub.state.comments.slice(before)).toEqual([expect.objectContaining({ issueNumber: Number(issue.number) })]);
    expect(await executions()).toHaveLength(1);
    const actions = () => flowsServer.sessionAuditActions(done.runtimeSessionId);
    await expect.poll(async () => (await actions()).filter((action) => action === 'model.call').length).toBe(2);
    expect(await actions()).toEqual(
      expect.arrayContaining(['runtime-session.start', 'approval.request', 'approval.decide', 'approval.execute', 'runtime-session.end']),
    );
  });
});
