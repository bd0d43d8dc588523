/**
 * Jira through the kernel: a Jira Cloud connection to the local Jira, tested
 * and listing its projects; the Jira stub sends its signed webhooks (as Jira
 * does) to the kernel's webhook intake over a real port: a genuine delivery
 * becomes `tracker-event`s, its replay is a duplicate, a forged body is
 * refused (401).
 */
import { startTrackerTestKernel, type TrackerTestKernel, testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jira } from './jira-tracker.js';
import { type JiraStub, startJiraStub } from './test-support/jira-stub.js';

describe.each(testDialects().slice(0, 1))('Jira through the kernel on $name', (dialect) => {
  let fixture: TrackerTestKernel;
  let stub: JiraStub;

  beforeAll(async () => {
    stub = await startJiraStub();
    stub.addProject('OPS');
    fixture = await startTrackerTestKernel({
      dialect,
      plugins: [jira()],
      connection: {
        tracker: 'jira',
        name: 'acme-jira',
        settings: { baseUrl: stub.url },
        secrets: { email: stub.credentials.email, apiToken: stub.credentials.apiToken },
      },
    });
    stub.setWebhook({ url: fixture.webhookUrl, secret: fixture.webhookSecret });
  });
  afterAll(async () => {
    await stub?.close();
    await fixture?.close();
  });

  it('tests the connection and lists its projects', async () => {
    const { preloop } = fixture.kernel;
    expect(await preloop.trackers.test(preloop.accountId, fixture.connectionId)).toEqual({ ok: true, identity: 'bot@example.com' });
    const client = await preloop.trackers.client(preloop.accountId, fixture.connectionId);
    expect((await client.listProjects()).items.map((project) => project.key)).toEqual(['OPS']);
  });

  it('a signed delivery becomes a tracker-event once; a replay is a duplicate; a forged body is refused', async () => {
    const { preloop } = fixture.kernel;
    const client = await preloop.trackers.client(preloop.accountId, fixture.connectionId);
    const created = await client.createIssue({ project: 'OPS', title: 'Hook me', labels: ['bug'] });
    const [delivery] = stub.deliveries;
    expect(delivery!.status).toBe(202);
    expect(fixture.events).toHaveLength(1);
    expect(fixture.events[0]).toMatchObject({
      type: 'issue.opened',
      tracker: 'jira',
      connectionId: fixture.connectionId,
      project: 'OPS',
      deliveryId: delivery!.headers['x-atlassian-webhook-identifier'],
      issue: { key: created.key, title: 'Hook me', labels: ['bug'] },
    });
    const replay = await fetch(fixture.webhookUrl, { method: 'POST', headers: delivery!.headers, body: delivery!.body });
    expect(await replay.json()).toEqual({ status: 'duplicate', events: 0 });
    const forged = await fetch(fixture.webhookUrl, {
      method: 'POST',
      headers: { ...delivery!.headers, 'x-atlassian-webhook-identifier': 'another' },
      body: delivery!.body.replace('Hook me', 'Hook you'),
    });
    expect(forged.status).toBe(401);
    await client.updateIssue({ project: 'OPS', number: created.key }, { state: 'closed' });
    expect(fixture.events.map((event) => event.type)).toEqual(['issue.opened', 'issue.closed']);
  });
});
