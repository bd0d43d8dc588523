/**
 * Email approvals end to end: an agent's MCP call (official SDK client) needs
 * approval, the approver's email arrives at a real SMTP server (STARTTLS,
 * AUTH), a link scanner's GET of the link decides nothing, Chromium follows the
 * link, the confirm page's button decides, and the agent's call resumes with
 * the upstream result.
 */
import { createServer, type AddressInfo } from 'node:net';
import { approvals } from '@preloop/approvals';
import { mcp, createMcpHandler, type McpHandler } from '@preloop/mcp';
import type { PolicyDocumentInput } from '@preloop/core';
import { serve, type RunningServer } from '@preloop/core/node';
import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { email } from '@preloop/plugin-email';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpReceiver, type SmtpReceiver } from '../packages/plugins/email/src/test-support/smtp-receiver.js';
import { serveHttpUpstream, type HttpUpstream } from '../packages/mcp/src/test-support/http-upstream.js';
import {
  createToolServer,
  createToolServerState,
  sendEmailTool,
  type ToolServerState,
} from '../packages/mcp/src/test-support/tool-server.js';

const sqlite = testDialects().find((dialect) => dialect.name === 'sqlite')!;
const smtpPassword = 'e2e-smtp-pa55word';

const policy: PolicyDocumentInput = {
  version: 1,
  defaults: { tools: 'allow', workflow: 'admins' },
  workflows: { admins: { approvers: { roles: ['admin'] } } },
  rules: [{ tool: 'up.send_email', action: 'require_approval', workflow: 'admins', reason: 'Email leaves the company.' }],
};

/** A free loopback port: the decision links must name the server's real address before the kernel starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('email approvals end to end (SMTP, Chromium, MCP)', () => {
  let receiver: SmtpReceiver;
  let upstream: HttpUpstream;
  let state: ToolServerState;
  let test: TestPreloop;
  let handler: McpHandler;
  let server: RunningServer;
  let browser: Browser;
  let agentKey: string;
  let ownerKey: string;

  beforeAll(async () => {
    receiver = await startSmtpReceiver({ users: { preloop: smtpPassword } });
    state = createToolServerState([sendEmailTool]);
    upstream = await serveHttpUpstream(() => createToolServer(state));
    const port = await freePort();
    test = await createTestPreloop(sqlite, {
      policy,
      plugins: [
        mcp({ rescanIntervalMs: 0 }),
        approvals({ publicUrl: `http://127.0.0.1:${port}`, pollIntervalMs: 200 }),
        email({
          from: 'Preloop <approvals@example.com>',
          transport: {
            type: 'smtp',
            host: '127.0.0.1',
            port: receiver.port,
            ca: receiver.ca,
            auth: { user: 'preloop', password: smtpPassword },
          },
        }),
      ],
    });
    const { preloop } = test;
    const owner = await preloop.identity.users.create(preloop.accountId, { email: 'owner@example.com', name: 'Owner', role: 'owner' });
    await preloop.identity.users.create(preloop.accountId, { email: 'ann@example.com', name: 'Ann', role: 'admin' });
    const developer = await preloop.identity.users.create(preloop.accountId, { email: 'dev@example.com', name: 'Dev', role: 'viewer' });
    ownerKey = (
      await preloop.identity.apiKeys.create(preloop.accountId, { name: 'owner', scopes: ['admin:read', 'admin:write'], userId: owner.id })
    ).key;
    agentKey = (await preloop.identity.apiKeys.create(preloop.accountId, { name: 'agent', scopes: ['mcp'], userId: developer.id })).key;
    handler = createMcpHandler(preloop);
    server = await serve({
      port,
      handler: (request) => (new URL(request.url).pathname.startsWith('/api/v1') ? preloop.api(request) : handler(request)),
    });
    const created = await (await api('POST', '/mcp-servers', { name: 'up', transport: 'http', url: upstream.url })).json();
    await api('POST', `/mcp-servers/${created.id}/scan`);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await handler?.close();
    await server?.close();
    await test?.cleanup();
    await upstream?.close();
    await receiver?.close();
  });

  function api(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ownerKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  it('the agent waits, Ann follows her emailed link in Chromium and approves, the call resumes; a scanner’s GET decides nothing', async () => {
    const client = new Client({ name: 'e2e-agent', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${agentKey}` } },
      }),
    );
    const call = client.callTool({ name: 'up.send_email', arguments: { to: 'cfo@example.com', subject: 'Q3 <numbers>' } }, undefined, {
      timeout: 30_000,
    });

    // Ann's email: one message, to her, with her personal links (the requester's owner is excluded).
    await expect.poll(() => receiver.mails.filter((mail) => mail.accepted).length, { timeout: 15_000 }).toBe(1);
    const [mail] = receiver.mails;
    expect(mail!.to).toEqual(['ann@example.com']);
    expect(mail!.secure).toBe(true);
    expect(mail!.parsed.subject).toBe('[Preloop] Approval needed: up.send_email for agent');
    const text = mail!.parsed.text!;
    expect(text).toMatch(/Why \(policy\): +Email leaves the company\./);
    expect(text).toContain('"subject": "Q3 <numbers>"');
    expect(mail!.parsed.html as string).toContain('Q3 &lt;numbers&gt;');
    const approveLink = /^Approve: (\S+)$/m.exec(text)![1]!;
    expect(approveLink.startsWith(`${server.url}/api/v1/approvals/`)).toBe(true);
    const requestId = decodeURIComponent(new URL(approveLink).pathname.split('/')[4]!);
    expect(mail!.parsed.html as string).toContain(`href="${approveLink.replace(/&/g, '&amp;')}"`);

    // A mail scanner fetches every link: it sees the confirm page and decides nothing.
    const scanned = await fetch(approveLink, { headers: { 'user-agent': 'SafeLinks-Scanner/1.0' } });
    expect(scanned.status).toBe(200);
    expect(await scanned.text()).toContain('Opening this page changes nothing');
    expect(await fetch(approveLink, { method: 'HEAD' }).then((response) => response.status)).toBe(200);
    const pending = await (await api('GET', `/approvals/${requestId}`)).json();
    expect(pending).toMatchObject({ status: 'pending', votes: { approve: 0, deny: 0 } });
    expect(state.calls).toHaveLength(0);

    // Ann opens the link in a browser: the confirm page, Approve preselected; she presses it.
    const page = await browser.newPage();
    try {
      await page.goto(approveLink);
      await expect.poll(() => page.locator('h1').textContent()).toBe('Approval request');
      const approve = page.locator('button[value="approve"]');
      expect(await approve.getAttribute('class')).toContain('selected');
      await approve.click();
      await expect
        .poll(() => page.locator('#result').textContent(), { timeout: 10_000 })
        .toBe('Done: the request is approved. You can close this page.');
    } finally {
      await page.close();
    }

    // The agent's call resumes with the upstream result, run once.
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(result).toMatchObject({ content: [{ type: 'text', text: 'sent to cfo@example.com' }] });
    expect(state.calls.filter((entry) => entry.name === 'send_email')).toHaveLength(1);

    // The link was single-use: opening it again decides nothing more.
    const replay = await fetch(approveLink);
    expect(replay.status).toBe(410);
    await client.close();
  });
});
