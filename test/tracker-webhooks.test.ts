/**
 * Tracker webhook intake end to end: the GitHub stub sends signed deliveries
 * (as GitHub does) to `POST /api/v1/trackers/webhooks/:connectionId` over a
 * real port; a valid delivery becomes one `tracker-event`, a replay changes
 * nothing, a forged or unsigned one is refused (401) and audited; on
 * PostgreSQL, the same delivery to two instances is processed once.
 */
import type { Preloop, TrackerEvent } from '@preloop/core';
import { serve, type RunningServer } from '@preloop/core/node';
import { createTestPreloop, postgresOnly, testDialects, testSecretKey, type TestPreloop } from '@preloop/core/testing';
import { github } from '@preloop/plugin-github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '../packages/plugins/github/src/test-support/github-stub.js';
import { githubDelivery, issuesPayload, sendGitHubDelivery } from '../packages/plugins/github/src/test-support/github-stub-webhooks.js';

const token = 'ghp_webhookTestToken0123456789abcdefABCD';

async function connect(preloop: Preloop, stub: GitHubStub) {
  const connection = await preloop.trackers.create(preloop.accountId, {
    tracker: 'github',
    name: 'acme-github',
    settings: { baseUrl: stub.url },
    secrets: { token },
  });
  return connection;
}

const audits = async (preloop: Preloop) =>
  (await preloop.audit.query({ accountId: preloop.accountId, action: 'tracker.webhook', limit: 100 })).items;

describe.each(testDialects())('tracker webhook intake on $name', (dialect) => {
  let kernel: TestPreloop;
  let server: RunningServer;
  let stub: GitHubStub;
  let url: string;
  let secret: string;
  const events: TrackerEvent[] = [];

  beforeAll(async () => {
    stub = await startGitHubStub();
    stub.addToken(token);
    stub.state.addRepository('acme/api');
    kernel = await createTestPreloop(dialect, { plugins: [github()] });
    kernel.preloop.events.on('tracker-event', (event) => void events.push(event));
    server = await serve({ port: 0, handler: (request) => kernel.preloop.api(request) });
    const connection = await connect(kernel.preloop, stub);
    url = `${server.url}/api/v1/trackers/webhooks/${connection.id}`;
    secret = connection.webhookSecret;
    stub.addHook({ url, secret, events: ['issues', 'issue_comment', 'pull_request'] });
  });
  afterAll(async () => {
    await stub?.close();
    await server?.close();
    await kernel?.cleanup();
  });

  it('turns a signed delivery into one tracker-event, and a replay of it into nothing but an audited duplicate', async () => {
    const client = await kernel.preloop.trackers.client(
      kernel.preloop.accountId,
      (await kernel.preloop.trackers.list(kernel.preloop.accountId))[0]!.id,
    );
    const created = await client.createIssue({ project: 'acme/api', title: 'Webhook me', labels: ['bug'] });
    await stub.settled();
    const [delivery] = stub.deliveries;
    expect(delivery).toMatchObject({ event: 'issues', status: 202 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'issue.opened',
      tracker: 'github',
      project: 'acme/api',
      deliveryId: delivery!.id,
      accountId: kernel.preloop.accountId,
      issue: { number: created.number, title: 'Webhook me', labels: ['bug'] },
    });

    const replay = await sendGitHubDelivery(url, delivery!);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ status: 'duplicate', events: 0 });
    expect(events).toHaveLength(1);
    const outcomes = (await audits(kernel.preloop)).map((record) => record.outcome);
    expect(outcomes.sort()).toEqual(['accepted', 'duplicate']);
  });

  it('refuses a forged, a wrongly signed and an unsigned delivery with 401, publishes nothing, and audits why without the body', async () => {
    const before = events.length;
    const repository = stub.state.repositoryJson(stub.state.repositories.get('acme/api')!);
    const payload = issuesPayload('opened', { id: 1, number: 99, title: 'FORGED-MARKER', state: 'open' }, repository, { login: 'mallory' });
    const signed = githubDelivery('issues', payload, secret);
    const forged = { ...signed, body: signed.body.replace('FORGED-MARKER', 'FORGED-MARKER!') };
    const wrongSecret = githubDelivery('issues', payload, 'not-the-secret');
    const unsigned = githubDelivery('issues', payload, null);
    for (const delivery of [forged, wrongSecret, unsigned]) {
      const response = await sendGitHubDelivery(url, delivery);
      expect(response.status).toBe(401);
      const text = await response.text();
      expect(text).not.toContain('FORGED-MARKER');
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    }
    expect(events).toHaveLength(before);
    const refused = (await audits(kernel.preloop)).filter((record) => record.outcome === 'refused');
    expect(refused).toHaveLength(3);
    for (const record of refused) {
      expect(record.data).toMatchObject({
        reason: expect.stringContaining('signature'),
        bodySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(JSON.stringify(record)).not.toContain('FORGED-MARKER');
      expect(JSON.stringify(record)).not.toContain(secret);
    }
    // A refused delivery id is not remembered: the real one still gets through.
    expect((await sendGitHubDelivery(url, githubDelivery('issues', payload, secret, forged.id))).status).toBe(202);
    expect(events).toHaveLength(before + 1);
  });

  it('refuses a delivery over 5 MiB with 413 before verifying it, and publishes nothing', async () => {
    const before = events.length;
    const huge = githubDelivery('issues', { padding: 'x'.repeat(5 * 1024 * 1024) }, secret);
    const response = await sendGitHubDelivery(url, huge);
    expect(response.status).toBe(413);
    expect(events).toHaveLength(before);
  });

  it('answers 404 for an unknown connection', async () => {
    const response = await sendGitHubDelivery(`${server.url}/api/v1/trackers/webhooks/trk_unknown`, githubDelivery('ping', {}, secret));
    expect(response.status).toBe(404);
  });
});

describe.each(postgresOnly())('tracker webhook intake across instances on $name', (dialect) => {
  let first: TestPreloop;
  let second: Preloop;
  let stub: GitHubStub;

  beforeAll(async () => {
    stub = await startGitHubStub();
    first = await createTestPreloop(dialect, { plugins: [github()] });
    const { createPreloop } = await import('@preloop/core');
    second = await createPreloop({ database: first.url, secretKey: testSecretKey, logger: first.preloop.logger, plugins: [github()] });
  });
  afterAll(async () => {
    await stub?.close();
    await second?.close();
    await first?.cleanup();
  });

  it('processes a delivery sent to both instances at once exactly once', async () => {
    const connection = await connect(first.preloop, stub);
    const seen: TrackerEvent[] = [];
    for (const preloop of [first.preloop, second]) preloop.events.on('tracker-event', (event) => void seen.push(event));
    const repository = { full_name: 'acme/api' };
    const issue = {
      id: 7,
      number: 7,
      title: 'Twice',
      state: 'open',
      html_url: 'https://github.example.com/acme/api/issues/7',
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    };
    const delivery = githubDelivery('issues', issuesPayload('opened', issue, repository, { login: 'octocat' }), connection.webhookSecret);
    const post = (preloop: Preloop) =>
      preloop.api(
        new Request(`http://localhost/api/v1/trackers/webhooks/${connection.id}`, {
          method: 'POST',
          headers: delivery.headers,
          body: delivery.body,
        }),
      );
    const answers = await Promise.all([post(first.preloop), post(second), post(first.preloop), post(second)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 202]);
    expect(seen).toHaveLength(1);
    const outcomes = (await audits(first.preloop)).map((record) => record.outcome).sort();
    expect(outcomes).toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate']);
  });
});
