/**
 * Jira webhooks: the `X-Hub-Signature` HMAC (good, forged, missing), the
 * delivery id, and parsing of `jira:issue_created`, `jira:issue_updated`
 * (changelog) and `comment_created` / `comment_updated` deliveries as the local
 * Jira sends them over HTTP when changes are made through the API.
 */
import { createHmac } from 'node:crypto';
import type { TrackerClient, TrackerWebhookDelivery } from '@preloop/core';
import { startTrackerWebhookReceiver, type TrackerWebhookReceiver } from '@preloop/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jiraTracker } from './jira-tracker.js';
import { jiraWebhooks, signJiraWebhook } from './jira-webhooks.js';
import { type JiraStub, startJiraStub } from './test-support/jira-stub.js';

const secret = 'jira-webhook-secret-0123456789';
let stub: JiraStub;
let receiver: TrackerWebhookReceiver;
let client: TrackerClient;
const bot = '5b10a2844c20165700ede21g';

function drain() {
  const deliveries = receiver.received.splice(0);
  for (const delivery of deliveries) expect(jiraWebhooks.verify(delivery, secret)).toBe(true);
  return deliveries.flatMap((delivery) => jiraWebhooks.parse(delivery));
}

function deliveryOf(body: string, headers: Record<string, string>): TrackerWebhookDelivery {
  return { headers: new Headers(headers), rawBody: new TextEncoder().encode(body) };
}

beforeAll(async () => {
  receiver = await startTrackerWebhookReceiver();
  stub = await startJiraStub({ webhook: { url: receiver.url, secret } });
  stub.addProject('OPS');
  client = await jiraTracker().connect({
    settings: { baseUrl: stub.url },
    secrets: { email: stub.credentials.email, apiToken: stub.credentials.apiToken },
  });
});
afterAll(async () => {
  await stub.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.received.length = 0;
});

describe('Jira webhook verification', () => {
  it('accepts the HMAC-SHA256 of the raw body (sha256=…), refuses a forged, altered or missing one', async () => {
    await client.createIssue({ project: 'OPS', title: 'Signed' });
    const [delivery] = receiver.received;
    const signature = delivery!.headers.get('x-hub-signature')!;
    expect(signature).toBe(`sha256=${createHmac('sha256', secret).update(delivery!.rawBody).digest('hex')}`);
    expect(signJiraWebhook(delivery!.rawBody, secret)).toBe(signature);
    expect(jiraWebhooks.verify(delivery!, secret)).toBe(true);
    expect(jiraWebhooks.verify(delivery!, 'another-secret')).toBe(false);
    const text = new TextDecoder().decode(delivery!.rawBody);
    expect(jiraWebhooks.verify(deliveryOf(text.replace('Signed', 'Forged'), { 'x-hub-signature': signature }), secret)).toBe(false);
    expect(jiraWebhooks.verify(deliveryOf(text, {}), secret)).toBe(false);
    expect(jiraWebhooks.verify(deliveryOf(text, { 'x-hub-signature': signature.replace('sha256=', 'sha1=') }), secret)).toBe(false);
    expect(jiraWebhooks.verify(deliveryOf(text, { 'x-hub-signature': 'sha256=00' }), secret)).toBe(false);
    expect(jiraWebhooks.verify(deliveryOf(text, { 'x-hub-signature': signJiraWebhook(text, '') }), '')).toBe(false);
  });

  it('the delivery id is X-Atlassian-Webhook-Identifier', async () => {
    await client.createIssue({ project: 'OPS', title: 'Identified' });
    const [delivery] = receiver.received;
    expect(jiraWebhooks.deliveryId(delivery!)).toBe(delivery!.headers.get('x-atlassian-webhook-identifier'));
    expect(jiraWebhooks.deliveryId(deliveryOf('{}', {}))).toBeNull();
  });
});

describe('Jira webhook parsing', () => {
  it('jira:issue_created, then issue_updated: edited, labeled/unlabeled, assigned, closed (done), reopened', async () => {
    const created = await client.createIssue({ project: 'OPS', title: 'Queue backs up', labels: ['infra'] });
    expect(drain()).toMatchObject([
      {
        type: 'issue.opened',
        project: 'OPS',
        actor: bot,
        issue: { key: created.key, title: 'Queue backs up', labels: ['infra'], state: 'open', url: created.url },
      },
    ]);
    const ref = { project: 'OPS', number: created.key };
    await client.updateIssue(ref, { title: 'Queue backs up at night', body: 'Since Monday.' });
    const [edited, ...rest] = drain();
    expect(rest).toEqual([]);
    expect(edited).toMatchObject({ type: 'issue.edited', issue: { title: 'Queue backs up at night', body: 'Since Monday.' } });
    await client.updateIssue(ref, { labels: ['p1', 'queue'] });
    expect(drain().map((event) => [event.type, event.label])).toEqual([
      ['issue.labeled', 'p1'],
      ['issue.labeled', 'queue'],
      ['issue.unlabeled', 'infra'],
    ]);
    await client.updateIssue(ref, { assignees: ['5b10ac8d82e05b22cc7d4ef5'] });
    expect(drain()).toMatchObject([{ type: 'issue.assigned', issue: { assignees: ['5b10ac8d82e05b22cc7d4ef5'] } }]);
    await client.updateIssue(ref, { state: 'closed' });
    expect(drain()).toMatchObject([{ type: 'issue.closed', issue: { state: 'closed' } }]);
    await client.updateIssue(ref, { state: 'open' });
    expect(drain()).toMatchObject([{ type: 'issue.reopened', issue: { state: 'open', closedAt: null } }]);
  });

  it('a move between open statuses is an edit; comment_created and comment_updated carry the comment and the issue', async () => {
    const created = await client.createIssue({ project: 'OPS', title: 'Start work' });
    drain();
    const issue = stub.issues.find((candidate) => candidate.key === created.key)!;
    const stubTransitions = (await fetch(`${stub.url}/rest/api/3/issue/${issue.key}/transitions`, {
      headers: { authorization: `Basic ${Buffer.from(`${stub.credentials.email}:${stub.credentials.apiToken}`).toString('base64')}` },
    }).then((response) => response.json())) as { transitions: Array<{ id: string; name: string }> };
    const start = stubTransitions.transitions.find((transition) => transition.name === 'In Progress')!;
    await fetch(`${stub.url}/rest/api/3/issue/${issue.key}/transitions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${stub.credentials.email}:${stub.credentials.apiToken}`).toString('base64')}`,
      },
      body: JSON.stringify({ transition: { id: start.id } }),
    });
    expect(drain()).toMatchObject([{ type: 'issue.edited', issue: { state: 'open' } }]);
    const comment = await client.addComment({ project: 'OPS', number: created.key }, 'Picked up.');
    const [commented] = drain();
    expect(commented).toMatchObject({
      type: 'comment.created',
      project: 'OPS',
      actor: bot,
      comment: { id: comment.id, body: 'Picked up.', url: comment.url },
      issue: { key: created.key, title: 'Start work' },
    });
    await client.updateComment({ project: 'OPS', number: created.key }, comment.id, 'Picked up, ETA Friday.');
    expect(drain()).toMatchObject([{ type: 'comment.edited', comment: { id: comment.id, body: 'Picked up, ETA Friday.' } }]);
  });

  it('Jira Cloud documented shapes: issue_commented updates and deletions carry no event; a body that is not an object is refused', () => {
    const issue = {
      id: '10002',
      self: 'https://acme.atlassian.net/rest/api/2/issue/10002',
      key: 'OPS-9',
      fields: { summary: 'x', status: { name: 'To Do', statusCategory: { key: 'new' } }, project: { key: 'OPS' } },
    };
    const commented = JSON.stringify({
      timestamp: 1606480436302,
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: 'issue_commented',
      user: { accountId: bot },
      issue,
      comment: { id: '1', body: 'hi' },
    });
    expect(jiraWebhooks.parse(deliveryOf(commented, {}))).toEqual([]);
    const deleted = JSON.stringify({ timestamp: 1606480436302, webhookEvent: 'jira:issue_deleted', user: { accountId: bot }, issue });
    expect(jiraWebhooks.parse(deliveryOf(deleted, {}))).toEqual([]);
    const reopened = JSON.stringify({
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: 'issue_reopened',
      user: { accountId: bot },
      issue,
      changelog: {
        id: '10086',
        items: [
          { field: 'status', fieldtype: 'jira', fieldId: 'status', from: '10001', fromString: 'Done', to: '10000', toString: 'To Do' },
        ],
      },
    });
    expect(jiraWebhooks.parse(deliveryOf(reopened, {}))).toMatchObject([
      { type: 'issue.reopened', issue: { key: 'OPS-9', url: 'https://acme.atlassian.net/browse/OPS-9' } },
    ]);
    expect(() => jiraWebhooks.parse(deliveryOf('[1]', {}))).not.toThrow();
    expect(() => jiraWebhooks.parse(deliveryOf('"text"', {}))).toThrow(/not a JSON object/);
  });
});
