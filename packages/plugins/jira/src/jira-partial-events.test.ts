/**
 * Jira's comment webhooks carry a few fields of the issue (no description,
 * labels or reporter): the plugin marks the event `partial`, and the issue
 * store reads the whole issue through the connection before writing it; when
 * Jira cannot answer, the stored fields are kept, never emptied.
 */
import type { Preloop } from '@preloop/core';
import { firstStoredIssue, nextIssueSynced, startTrackerTestKernel, testDialects, type TrackerTestKernel } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jira } from './jira-tracker.js';
import { startJiraStub, type JiraStub } from './test-support/jira-stub.js';

const description = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Pay does nothing.' }] }] };

describe('Jira comment events with a partial issue', () => {
  let stub: JiraStub;
  let fixture: TrackerTestKernel;
  let preloop: Preloop;
  let connectionId: string;
  let webhook: { url: string; secret: string };

  beforeAll(async () => {
    stub = await startJiraStub();
    stub.addProject('OPS');
    stub.addIssue({ project: 'OPS', summary: 'Checkout broken', description, labels: ['checkout', 'bug'] });
    fixture = await startTrackerTestKernel({
      dialect: testDialects()[0]!,
      plugins: [jira()],
      connection: {
        tracker: 'jira',
        name: 'acme-jira',
        settings: { baseUrl: stub.url },
        secrets: { email: stub.credentials.email, apiToken: stub.credentials.apiToken },
      },
    });
    preloop = fixture.kernel.preloop;
    connectionId = fixture.connectionId;
    webhook = { url: fixture.webhookUrl, secret: fixture.webhookSecret };
    stub.setWebhook(webhook);
  });
  afterAll(async () => {
    await fixture?.close();
    await stub?.close();
  });

  const partial = () => fixture.events.map((event) => event.partial === true);
  /** Resolves when the store wrote what the next webhook carried. */
  const synced = () => nextIssueSynced(preloop);
  const stored = () => firstStoredIssue(preloop, connectionId);

  it('a comment on an issue not yet stored stores the whole issue, read from Jira', async () => {
    const client = await preloop.trackers.client(preloop.accountId, connectionId);
    const written = synced();
    await client.addComment({ project: 'OPS', number: 'OPS-1' }, 'Seen it on staging too.');
    await written;
    expect(partial()).toEqual([true]);
    expect(await stored()).toMatchObject({
      key: 'OPS-1',
      title: 'Checkout broken',
      body: 'Pay does nothing.',
      labels: ['checkout', 'bug'],
      author: expect.any(String),
      comments: [expect.objectContaining({ body: 'Seen it on staging too.' })],
    });
  });

  it('when Jira cannot be reached, the comment is stored and the issue keeps its fields', async () => {
    const before = await stored();
    const last = JSON.parse(stub.deliveries.at(-1)!.body) as Record<string, any>;
    const comment = {
      ...last.comment,
      id: '90001',
      body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Still broken.' }] }] },
    };
    stub.failNext(503);
    const written = synced();
    const delivery = stub.webhookDelivery({ ...last, comment }, webhook.secret);
    expect((await fetch(webhook.url, { method: 'POST', headers: delivery.headers, body: delivery.body })).status).toBe(202);
    await written;
    const after = await stored();
    expect(after).toMatchObject({ title: before.title, body: 'Pay does nothing.', labels: ['checkout', 'bug'], author: before.author });
    expect(after.comments.map((item) => item.body)).toEqual(['Seen it on staging too.', 'Still broken.']);
  });
});
