/**
 * The MCP endpoint with the real approval engine (@preloop/approvals): calls
 * that wait for a human, decided through the admin API, over a real port with
 * the official SDK client and a real upstream MCP server.
 */
import { approvals } from '@preloop/approvals';
import type { PolicyDocumentInput } from '@preloop/core';
import { testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHttpUpstream, type HttpUpstream } from '../packages/mcp/src/test-support/http-upstream.js';
import { createMcpFixture, type McpFixture } from '../packages/mcp/src/test-support/mcp-fixture.js';
import {
  createToolServer,
  createToolServerState,
  echoTool,
  sendEmailTool,
  type ToolServerState,
} from '../packages/mcp/src/test-support/tool-server.js';

const approvers = { roles: ['owner', 'admin'] as Array<'owner' | 'admin'> };
const policy: PolicyDocumentInput = {
  version: 1,
  defaults: { tools: 'allow', workflow: 'admins' },
  workflows: {
    admins: { approvers },
    quick: { approvers, timeoutSeconds: 30 },
    later: { approvers, async: true },
  },
  rules: [
    { tool: 'up.send_email', action: 'require_approval', workflow: 'admins', reason: 'Email leaves the company.' },
    { tool: 'up.echo', action: 'require_approval', workflow: 'quick' },
    { tool: 'up.notify', action: 'require_approval', workflow: 'later' },
  ],
};

type Text = Array<{ type: string; text: string }>;

describe.each(testDialects())('MCP approvals end to end on $name', (dialect) => {
  let fixture: McpFixture;
  let upstream: HttpUpstream;
  let state: ToolServerState;

  const pending = async (tool: string) => {
    const page = await (await fixture.api('GET', `/approvals?status=pending&tool=${encodeURIComponent(tool)}`)).json();
    return page.items as Array<{ id: string; args: Record<string, unknown>; question: unknown }>;
  };
  const waitForPending = async (tool: string, count = 1) => {
    await expect.poll(async () => (await pending(tool)).length, { timeout: 10_000 }).toBe(count);
    return (await pending(tool))[0]!;
  };
  const decide = (id: string, decision: 'approve' | 'deny', extra: Record<string, string> = {}) =>
    fixture.api('POST', `/approvals/${id}/decide`, { decision, ...extra }, fixture.admin.key);
  const status = async (id: string) => (await (await fixture.api('GET', `/approvals/${id}`)).json()).status as string;
  const executions = (name: string) => state.calls.filter((call) => call.name === name).length;

  beforeAll(async () => {
    state = createToolServerState([echoTool, sendEmailTool, { ...echoTool, name: 'notify', description: 'Notifies someone.' }]);
    upstream = await serveHttpUpstream(() => createToolServer(state));
    fixture = await createMcpFixture(dialect, {
      policy,
      plugins: [approvals({ workflows: { quick: { approvers, timeoutSeconds: 1 } }, pollIntervalMs: 500 })],
      handler: { approvals: { progressIntervalMs: 100 } },
    });
    const created = await (await fixture.api('POST', '/mcp-servers', { name: 'up', transport: 'http', url: upstream.url })).json();
    await fixture.api('POST', `/mcp-servers/${created.id}/scan`);
  });
  afterAll(async () => {
    await fixture?.cleanup();
    await upstream?.close();
  });

  it('waits with progress notifications, an approver decides through the admin API, and the call returns the upstream result once', async () => {
    const client = await fixture.connect();
    const progress: string[] = [];
    const call = client.callTool({ name: 'up.send_email', arguments: { to: 'cfo@example.com', subject: 'Q3' } }, undefined, {
      onprogress: (update) => void progress.push(update.message ?? ''),
      timeout: 30_000,
    });
    const request = await waitForPending('up.send_email');
    expect(request.args).toEqual({ to: 'cfo@example.com', subject: 'Q3' });
    await expect.poll(() => progress.length).toBeGreaterThan(1);
    expect(progress[0]).toContain(`Waiting for approval: request ${request.id}`);
    expect(executions('send_email')).toBe(0);
    expect((await decide(request.id, 'approve')).status).toBe(200);
    const result = await call;
    expect(result).toMatchObject({ content: [{ type: 'text', text: 'sent to cfo@example.com' }] });
    expect(result.isError).toBeFalsy();
    expect(executions('send_email')).toBe(1);
    await expect.poll(() => status(request.id)).toBe('executed');

    const retry = await (await fixture.connect()).callTool({ name: 'up.send_email', arguments: { to: 'cfo@example.com', subject: 'Q3' } });
    expect(retry).toMatchObject({ content: [{ type: 'text', text: 'sent to cfo@example.com' }] });
    expect(executions('send_email')).toBe(1);
  });

  it("returns a denial as a tool error with the approver's comment, and runs nothing", async () => {
    const client = await fixture.connect();
    const call = client.callTool({ name: 'up.send_email', arguments: { to: 'all@example.com' } });
    const request = await waitForPending('up.send_email');
    await decide(request.id, 'deny', { comment: 'Not to everyone.' });
    const result = await call;
    expect(result.isError).toBe(true);
    expect((result.content as Text)[0]!.text).toBe('Denied by the approver. The call was not run. Comment: Not to everyone.');
    expect(executions('send_email')).toBe(1);
  });

  it('returns an expired request as a tool error saying so', async () => {
    const result = await (await fixture.connect()).callTool({ name: 'up.echo', arguments: { message: 'nobody answers' } });
    expect(result.isError).toBe(true);
    expect((result.content as Text)[0]!.text).toMatch(
      /^The approval request apr_\S+ expired before anyone decided \(timeout\)\. The call was not run\.$/,
    );
    expect(executions('echo')).toBe(0);
  });

  it('cancels the pending request on notifications/cancelled', async () => {
    const client = await fixture.connect();
    const controller = new AbortController();
    const call = client.callTool({ name: 'up.send_email', arguments: { to: 'cancel@example.com' } }, undefined, {
      signal: controller.signal,
    });
    const request = await waitForPending('up.send_email');
    controller.abort('changed my mind');
    await expect(call).rejects.toThrow();
    await expect.poll(() => status(request.id)).toBe('cancelled');
  });

  it('keeps the request pending when the client disconnects; an identical retry joins it and runs once', async () => {
    const first = await fixture.connect();
    const abandoned = first.callTool({ name: 'up.send_email', arguments: { to: 'retry@example.com' } }).catch((error: Error) => error);
    const request = await waitForPending('up.send_email');
    await first.close();
    expect(await abandoned).toBeInstanceOf(Error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await status(request.id)).toBe('pending');
    const second = await fixture.connect();
    const retried = second.callTool({ name: 'up.send_email', arguments: { to: 'retry@example.com' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await pending('up.send_email')).map((entry) => entry.id)).toEqual([request.id]);
    await decide(request.id, 'approve');
    expect(await retried).toMatchObject({ content: [{ type: 'text', text: 'sent to retry@example.com' }] });
    expect(state.calls.filter((call) => call.name === 'send_email' && call.args.to === 'retry@example.com')).toHaveLength(1);
  });

  it('in async mode returns "pending" with the request id; after approval the retried call runs once and later retries get the stored result', async () => {
    const client = await fixture.connect();
    const first = await client.callTool({ name: 'up.notify', arguments: { message: 'ship it' } });
    expect(first.isError).toBe(true);
    const meta = (first._meta as Record<string, { requestId: string; status: string }>)['preloop/approval']!;
    expect(meta.status).toBe('pending');
    expect((first.content as Text)[0]!.text).toContain(`get_approval_status {"request_id":"${meta.requestId}"}`);
    const polled = await client.callTool({ name: 'get_approval_status', arguments: { request_id: meta.requestId } });
    expect(polled.structuredContent).toMatchObject({ requestId: meta.requestId, status: 'pending' });
    await decide(meta.requestId, 'approve');
    expect(
      (await client.callTool({ name: 'get_approval_status', arguments: { request_id: meta.requestId } })).structuredContent,
    ).toMatchObject({ status: 'approved' });
    const ran = await client.callTool({ name: 'up.notify', arguments: { message: 'ship it' } });
    expect(ran).toMatchObject({ content: [{ type: 'text', text: '{"message":"ship it"}' }] });
    const again = await client.callTool({ name: 'up.notify', arguments: { message: 'ship it' } });
    expect(again).toMatchObject({ content: [{ type: 'text', text: '{"message":"ship it"}' }] });
    expect(executions('notify')).toBe(1);
    const { key: strangerKey } = await fixture.preloop.identity.apiKeys.create(fixture.preloop.accountId, {
      name: 'stranger',
      scopes: ['mcp'],
      userId: fixture.owner.id,
    });
    const stranger = await fixture.connect({ token: strangerKey });
    const probe = await stranger.callTool({ name: 'get_approval_status', arguments: { request_id: meta.requestId } });
    expect(probe).toMatchObject({ isError: true, content: [{ type: 'text', text: `Unknown approval request: ${meta.requestId}` }] });
  });

  it('asks the user through ask_user (an approver answers) and request_approval', async () => {
    const client = await fixture.connect();
    const asked = client.callTool({ name: 'ask_user', arguments: { question: 'Deploy to production?', options: ['yes', 'no'] } });
    const question = await waitForPending('ask_user');
    expect(question.question).toEqual({ text: 'Deploy to production?', options: ['yes', 'no'], allowFreeText: false });
    await decide(question.id, 'approve', { answer: 'yes' });
    expect(await asked).toMatchObject({
      content: [{ type: 'text', text: 'yes' }],
      structuredContent: { status: 'answered', answer: 'yes' },
    });

    const requested = client.callTool({
      name: 'request_approval',
      arguments: { action: 'Rotate the database password', reason: 'It leaked.' },
    });
    const request = await waitForPending('request_approval');
    await decide(request.id, 'deny', { comment: 'Wait for the window.' });
    expect(await requested).toMatchObject({ structuredContent: { status: 'denied', comment: 'Wait for the window.' } });
  });

  it('counts approvals in the tool statistics', async () => {
    const stats = await (await fixture.api('GET', '/tools/up.send_email/stats')).json();
    expect(stats).toMatchObject({ tool: 'up.send_email' });
    expect(stats.calls).toBeGreaterThanOrEqual(5);
    expect(stats.approvals).toBeGreaterThanOrEqual(5);
    expect(stats.succeeded).toBeGreaterThanOrEqual(3);
    expect(stats.denied).toBeGreaterThanOrEqual(2);
  });
});
