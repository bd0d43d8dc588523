/**
 * Flows end to end on one loopback port: the admin API, the MCP endpoint and
 * the model gateway of a kernel with approvals, MCP, the gateway, the OpenAI
 * provider and flows, a stub OpenAI upstream behind the gateway and a real
 * upstream MCP server. An `agent-loop` flow's model asks for a tool that needs
 * approval: the execution parks (`waiting_approval`), an admin approves it
 * through the approvals API, and the execution completes with its cost and
 * audit trail. A `command` flow runs a fake CLI agent that uses the official
 * `openai` SDK with the environment it is given.
 */
import type { TestPreloop } from '@preloop/core/testing';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockRequest, type MockUpstream } from '../packages/gateway/test-fixtures/mock-upstream.js';
import { serveHttpUpstream, type HttpUpstream } from '../packages/mcp/src/test-support/http-upstream.js';
import {
  createToolServer,
  createToolServerState,
  sendEmailTool,
  type ToolServerState,
} from '../packages/mcp/src/test-support/tool-server.js';
import { type FlowsServer, startFlowsServer } from './support/flows-server.js';

const providerKey = 'sk-flows-provider-CANARY-0123456789';
const fakeAgent = fileURLToPath(new URL('../packages/flows/src/test-support/fake-cli-agent.mjs', import.meta.url));
/** The stub model: asks for `up.send_email` until a tool result is in the conversation, then answers. */
function scriptedModel(request: MockRequest) {
  const messages = (request.body?.messages ?? []) as Array<{ role: string; content: unknown }>;
  const toolResult = messages.find((message) => message.role === 'tool');
  const usage = { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 };
  const base = { id: 'chatcmpl-flow', object: 'chat.completion', created: 1_760_000_000, model: request.body.model, usage };
  if (!request.body.tools)
    return {
      json: {
        ...base,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Answer from the stub model.' }, finish_reason: 'stop' }],
      },
    };
  if (!toolResult) {
    const call = {
      id: 'call_1',
      type: 'function',
      function: { name: 'up__send_email', arguments: '{"to":"triage@example.com","subject":"Issue 7"}' },
    };
    return {
      json: {
        ...base,
        choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }],
      },
    };
  }
  return {
    json: {
      ...base,
      choices: [{ index: 0, message: { role: 'assistant', content: `Done: ${String(toolResult.content)}` }, finish_reason: 'stop' }],
    },
  };
}

describe('flows end to end: agent-loop through our gateway and MCP endpoint, parked on an approval', () => {
  let flowsServer: FlowsServer;
  let test: TestPreloop;
  let upstream: MockUpstream;
  let tools: HttpUpstream;
  let state: ToolServerState;
  const api = (method: string, path: string, body?: unknown) => flowsServer.api(method, path, body);
  const waitFor = async (id: string, status: string) => {
    await expect.poll(async () => (await api('GET', `/executions/${id}`)).body.status, { timeout: 15_000, interval: 50 }).toBe(status);
    return (await api('GET', `/executions/${id}`)).body;
  };

  beforeAll(async () => {
    upstream = await startMockUpstream({ credentials: [providerKey] });
    upstream.handle = scriptedModel;
    state = createToolServerState([sendEmailTool]);
    tools = await serveHttpUpstream(() => createToolServer(state));
    flowsServer = await startFlowsServer({
      upstream: { url: upstream.url, apiKey: providerKey },
      models: [
        { alias: 'gpt-mock', model: 'gpt-4o-mini' },
        { alias: 'gpt-other', model: 'gpt-4o' },
      ],
      flows: { leaseMs: 1500 },
    });
    test = flowsServer.test;
    const created = await api('POST', '/mcp-servers', { name: 'up', transport: 'http', url: tools.url });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await api('POST', `/mcp-servers/${created.body.id}/scan`);
  });
  afterAll(async () => {
    await flowsServer?.close();
    await tools?.close();
    await upstream?.close();
  });

  it('parks on the approval, resumes once approved, and completes with its cost and audit trail', async () => {
    const created = await api('POST', '/flows', {
      name: 'triage',
      prompt: 'Triage issue {{ inputs.issue }} and email the team.',
      inputs: { issue: { required: true } },
      model: 'gpt-mock',
      tools: ['up.*'],
      approval: { workflow: 'later', tools: ['up.send_email'] },
      runtime: { id: 'agent-loop', options: { maxSteps: 5 } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const flowId = created.body.flow.id as string;
    const started = await api('POST', `/flows/${flowId}/run`, { inputs: { issue: '7' } });
    expect(started.status).toBe(202);

    const parked = await waitFor(started.body.id, 'waiting_approval');
    expect(parked.approvalRequestId).toMatch(/.+/);
    expect(state.calls.filter((call) => call.name === 'send_email')).toHaveLength(0);
    const request = (await api('GET', `/approvals/${parked.approvalRequestId}`)).body;
    expect(request).toMatchObject({
      status: 'pending',
      tool: { name: 'up.send_email' },
      args: { to: 'triage@example.com', subject: 'Issue 7' },
    });
    expect(request.runtimeSessionId).toBe(parked.runtimeSessionId);
    // Parked: it holds no worker on this instance.
    expect(test.preloop.service('flows').runningHere()).toBe(0);

    const decided = await api('POST', `/approvals/${parked.approvalRequestId}/decide`, { decision: 'approve' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const done = await waitFor(started.body.id, 'succeeded');
    expect(done.result).toBe('Done: sent to triage@example.com');
    expect(done.attempt).toBe(2);
    expect(state.calls.filter((call) => call.name === 'send_email')).toHaveLength(1);
    expect(done.costMicros).toBeGreaterThan(0);
    expect(done.usage).toMatchObject({ modelCalls: 2, toolCalls: 2 });

    // Every model and tool call ran as the execution's runtime session, and the session ended with it.
    const session = await test.preloop.identity.runtimeSessions.get(test.preloop.accountId, done.runtimeSessionId);
    expect(session).toMatchObject({ state: 'ended', agentId: created.body.flow.agentId });
    const actions = () => flowsServer.sessionAuditActions(done.runtimeSessionId);
    // Usage and audit records of the last model call are written just after it answers.
    await expect.poll(async () => (await actions()).filter((action) => action === 'model.call').length).toBe(2);
    expect(await actions()).toEqual(
      expect.arrayContaining([
        'runtime-session.start',
        'approval.request',
        'approval.decide',
        'approval.execute',
        'mcp.tool.result',
        'runtime-session.end',
      ]),
    );
    const log = (await test.preloop.service('flows').readLog(test.preloop.accountId, started.body.id)).map((line) => line.text);
    expect(log.join('\n')).not.toContain(providerKey);
  });

  it('runs a command flow: a CLI agent using the official openai SDK with the environment it is given', async () => {
    const created = await api('POST', '/flows', {
      name: 'cli',
      prompt: 'Hello',
      model: 'gpt-mock',
      runtime: { id: 'command', options: { command: process.execPath, args: [fakeAgent] } },
    });
    const started = await api('POST', `/flows/${created.body.flow.id}/run`, {});
    const done = await waitFor(started.body.id, 'succeeded');
    expect(done.result).toContain('Answer from the stub model.');
    // The agent runs in its own HOME, and the server's environment is not passed on.
    expect(done.result).toContain('home=own secret=absent');
    expect(done.costMicros).toBeGreaterThan(0);
    const log = (await test.preloop.service('flows').readLog(test.preloop.accountId, started.body.id)).map((line) => line.text);
    expect(log).toContain('Answer from the stub model.');
  });

  it('stops a run that spends over its budget (failed, with what it spent)', async () => {
    const created = await api('POST', '/flows', {
      name: 'spender',
      prompt: 'Hello',
      model: 'gpt-mock',
      budgetMicros: 1,
      runtime: {
        id: 'command',
        options: { command: process.execPath, args: [fakeAgent], env: { FAKE_AGENT_MODE: 'spend' }, killGraceSeconds: 0.2 },
      },
    });
    const started = await api('POST', `/flows/${created.body.flow.id}/run`, {});
    const done = await waitFor(started.body.id, 'failed');
    expect(done.error).toMatch(/^budget exceeded: spent \d+ of 1 micro-dollars$/);
    expect(done.costMicros).toBeGreaterThan(1);
  });

  /** Starts a flow that parks on an approval of `up.send_email`; resolves with the parked execution. */
  const parkedExecution = async (name: string) => {
    const created = await api('POST', '/flows', {
      name,
      prompt: 'Email the team.',
      model: 'gpt-mock',
      tools: ['up.*'],
      approval: { workflow: 'later', tools: ['up.send_email'] },
      runtime: { id: 'agent-loop', options: { maxSteps: 5 } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const started = await api('POST', `/flows/${created.body.flow.id}/run`, {});
    return waitFor(started.body.id, 'waiting_approval');
  };

  it('cancelling a parked execution cancels its pending approval request (audited, by whom)', async () => {
    const parked = await parkedExecution('cancel-parked');
    const cancelled = await api('POST', `/executions/${parked.id}/cancel`, { reason: 'not needed any more' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', error: 'not needed any more' });
    const request = (await api('GET', `/approvals/${parked.approvalRequestId}`)).body;
    expect(request.status).toBe('cancelled');
    const audit = await test.preloop.db
      .selectFrom('audit_records')
      .selectAll()
      .where('action', '=', 'approval.cancel')
      .where('target_id', '=', parked.approvalRequestId)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'cancelled', actor_type: 'api_key' });
    expect(String(audit[0]!.data)).toContain(`flow execution ${parked.id} cancelled: not needed any more`);
  });

  it('a denied approval ends the parked execution failed with the reason; the call never runs', async () => {
    const before = state.calls.filter((call) => call.name === 'send_email').length;
    const parked = await parkedExecution('deny-parked');
    const decided = await api('POST', `/approvals/${parked.approvalRequestId}/decide`, {
      decision: 'deny',
      comment: 'not to the whole team',
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const failed = await waitFor(parked.id, 'failed');
    expect(failed.error).toBe(`approval request ${parked.approvalRequestId} denied: not to the whole team`);
    expect(failed.attempt).toBe(1);
    expect(state.calls.filter((call) => call.name === 'send_email')).toHaveLength(before);
    const session = await test.preloop.identity.runtimeSessions.get(test.preloop.accountId, failed.runtimeSessionId);
    expect(session.state).toBe('ended');
  });

  it("narrows policy: a flow's runs may call only its model and its tools", async () => {
    const wrongModel = await api('POST', '/flows', {
      name: 'wrong-model',
      prompt: 'Hello',
      model: 'gpt-mock',
      runtime: { id: 'command', options: { command: process.execPath, args: [fakeAgent], env: { FAKE_AGENT_MODEL: 'gpt-other' } } },
    });
    const refused = await waitFor((await api('POST', `/flows/${wrongModel.body.flow.id}/run`, {})).body.id, 'failed');
    expect(refused.error).toContain('exited with code 1');
    const refusedLog = (await test.preloop.service('flows').readLog(test.preloop.accountId, refused.id))
      .map((line) => line.text)
      .join('\n');
    expect(refusedLog).toContain('may only use model gpt-mock');

    const narrowTools = await api('POST', '/flows', {
      name: 'narrow-tools',
      prompt: 'Email the team.',
      model: 'gpt-mock',
      tools: ['tracker.*'],
      runtime: { id: 'agent-loop' },
    });
    const before = state.calls.filter((call) => call.name === 'send_email').length;
    const done = await waitFor((await api('POST', `/flows/${narrowTools.body.flow.id}/run`, {})).body.id, 'succeeded');
    // The run's tools/list does not show up.send_email, so the model is offered no tool at all.
    expect(done.result).toBe('Answer from the stub model.');
    expect(state.calls.filter((call) => call.name === 'send_email')).toHaveLength(before);
  });

  it("narrows tools/list too: a flow's run lists only its tools", async () => {
    const listed = async (name: string, flowTools: string[], env: Record<string, string> = {}) => {
      const created = await api('POST', '/flows', {
        name,
        prompt: 'List your tools.',
        tools: flowTools,
        runtime: {
          id: 'command',
          options: { command: process.execPath, args: [fakeAgent], env: { FAKE_AGENT_MODE: 'list-tools', ...env } },
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const done = await waitFor((await api('POST', `/flows/${created.body.flow.id}/run`, {})).body.id, 'succeeded');
      const [names, call] = (done.result as string).split('\n');
      return {
        names: names!
          .replace(/^tools: ?/, '')
          .split(',')
          .filter(Boolean),
        call,
      };
    };
    // Only its tools: not the other upstream tools, not the built-in ones.
    expect((await listed('list-up', ['up.*'])).names).toEqual(['up.send_email']);
    const none = await listed('list-none', ['tracker.*'], { FAKE_AGENT_CALL: 'up.send_email' });
    expect(none.names).toEqual([]);
    // Calling a tool it was not shown is still denied by the flow.
    expect(none.call).toMatch(/^error: .*may not call up\.send_email/);
  });
});
