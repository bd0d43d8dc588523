/**
 * Issue 15 end to end: a GitHub connection (the GitHub stub speaking GitHub's
 * REST API, signing its webhook deliveries) is imported into the unified issue
 * store; an agent with the official MCP SDK client searches, then creates an
 * issue in a `prod-*` repository, which waits for an approval; approved
 * through the approvals API, the issue exists in the stub and, through the
 * stub's signed `issues.opened` webhook to the intake, in the unified view
 * (`GET /api/v1/issues`), searchable by its words.
 */
import { approvals } from '@preloop/approvals';
import type { PolicyDocumentInput } from '@preloop/core';
import { testDialects } from '@preloop/core/testing';
import { github } from '@preloop/plugin-github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpFixture, type McpFixture } from '../packages/mcp/src/test-support/mcp-fixture.js';
import { startGitHubStub, type GitHubStub } from '../packages/plugins/github/src/test-support/github-stub.js';

const token = 'ghp_e2eTestToken0123456789abcdefABCDEFGHIJ';
const policy: PolicyDocumentInput = {
  version: 1,
  defaults: { tools: 'deny', workflow: 'admins' },
  workflows: { admins: { approvers: { roles: ['owner', 'admin'] } } },
  rules: [
    {
      tool: '*.create_issue',
      condition: "args.project.matches('^[^/]+/prod-')",
      action: 'require_approval',
      workflow: 'admins',
      reason: 'Issues in production repositories need approval.',
    },
    { tool: '*', readOnly: true, action: 'allow' },
  ],
};

type Page = { items: Array<{ key: string; title: string; labels: string[]; tracker: string }>; nextCursor: string | null };

describe.each(testDialects().slice(0, 1))('trackers end to end on $name', (dialect) => {
  let fixture: McpFixture;
  let stub: GitHubStub;

  beforeAll(async () => {
    stub = await startGitHubStub();
    stub.addToken(token);
    stub.state.addRepository('acme/prod-api');
    stub.state.addIssue('acme/prod-api', { title: 'Checkout crash on Safari', body: 'The pay button crashes the tab.', labels: ['bug'] });
    fixture = await createMcpFixture(dialect, { policy, plugins: [approvals({ pollIntervalMs: 200 }), github()] });
  });
  afterAll(async () => {
    await fixture?.cleanup();
    await stub?.close();
  });

  const issues = async (query: string): Promise<Page> => (await (await fixture.api('GET', `/issues?${query}`)).json()) as Page;

  it('imports, lets an agent search and create with an approval, and shows the new issue through the signed webhook', async () => {
    // Connect (the admin API answers the webhook secret once), point the stub's webhook at the intake, import.
    const created = await fixture.api('POST', '/trackers/connections', {
      tracker: 'github',
      name: 'acme',
      settings: { baseUrl: stub.url },
      secrets: { token },
    });
    expect(created.status).toBe(201);
    const connection = (await created.json()) as { id: string; webhookPath: string; webhookSecret: string };
    stub.addHook({
      url: `${fixture.baseUrl}${connection.webhookPath}`,
      secret: connection.webhookSecret,
      events: ['issues', 'issue_comment'],
    });
    expect((await fixture.api('POST', `/trackers/connections/${connection.id}/sync`, { projects: ['acme/prod-api'] })).status).toBe(202);
    await expect
      .poll(async () => (await (await fixture.api('GET', `/trackers/connections/${connection.id}/sync`)).json()).projects[0]?.status)
      .toBe('done');
    expect((await issues('text=checkout')).items.map((issue) => issue.key)).toEqual(['acme/prod-api#1']);

    // The agent searches through MCP, then asks to create an issue in a prod-* repository.
    const client = await fixture.connect();
    const found = await client.callTool({ name: 'acme.search_issues', arguments: { project: 'acme/prod-api', text: 'checkout' } });
    expect((found.structuredContent as { items: { title: string }[] }).items.map((issue) => issue.title)).toEqual([
      'Checkout crash on Safari',
    ]);
    const call = client.callTool(
      {
        name: 'acme.create_issue',
        arguments: { project: 'acme/prod-api', title: 'Payment outage postmortem', body: 'Timeline of the outage.', labels: ['incident'] },
      },
      undefined,
      { timeout: 30_000 },
    );
    const pending = async () =>
      ((await (await fixture.api('GET', '/approvals?status=pending&tool=acme.create_issue')).json()) as { items: { id: string }[] }).items;
    await expect.poll(async () => (await pending()).length, { timeout: 10_000 }).toBe(1);
    // Waiting: nothing at GitHub, nothing in the unified view.
    expect(stub.state.issues.some((issue) => issue.title === 'Payment outage postmortem')).toBe(false);
    expect((await issues('text=postmortem')).items).toEqual([]);

    const [request] = await pending();
    expect((await fixture.api('POST', `/approvals/${request!.id}/decide`, { decision: 'approve' }, fixture.admin.key)).status).toBe(200);
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(stub.state.issues.find((issue) => issue.title === 'Payment outage postmortem')).toMatchObject({ repo: 'acme/prod-api' });

    // GitHub delivers issues.opened, signed; the intake verifies it and the store writes it.
    await stub.settled();
    expect(stub.deliveries.filter((delivery) => delivery.status !== null).map((delivery) => delivery.status)).toEqual([202]);
    await expect
      .poll(async () => (await issues('text=postmortem')).items.map((issue) => issue.title))
      .toEqual(['Payment outage postmortem']);
    const [stored] = (await issues('label=incident')).items;
    expect(stored).toMatchObject({ key: 'acme/prod-api#2', tracker: 'github', labels: ['incident'] });
  });
});
