/**
 * GitLab through the kernel: a connection to the local GitLab, tested and
 * listing its projects; the GitLab stub sends its hooks (as GitLab does) to the
 * kernel's webhook intake over a real port: a genuine delivery becomes
 * `tracker-event`s, its replay is a duplicate, a wrong token is refused (401).
 */
import { startTrackerTestKernel, type TrackerTestKernel, testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitlab } from './gitlab-tracker.js';
import { type GitLabStub, startGitLabStub } from './test-support/gitlab-stub.js';

const token = 'glpat-kernel-test-0123456789';

describe.each(testDialects().slice(0, 1))('GitLab through the kernel on $name', (dialect) => {
  let fixture: TrackerTestKernel;
  let stub: GitLabStub;

  beforeAll(async () => {
    stub = await startGitLabStub({ tokens: { [token]: 'root' } });
    stub.addProject('acme/api');
    fixture = await startTrackerTestKernel({
      dialect,
      plugins: [gitlab()],
      connection: { tracker: 'gitlab', name: 'acme-gitlab', settings: { baseUrl: stub.url }, secrets: { token } },
    });
    stub.setWebhook({ url: fixture.webhookUrl, secret: fixture.webhookSecret });
  });
  afterAll(async () => {
    await stub?.close();
    await fixture?.close();
  });

  it('tests the connection and lists its projects', async () => {
    const { preloop } = fixture.kernel;
    expect(await preloop.trackers.test(preloop.accountId, fixture.connectionId)).toEqual({ ok: true, identity: 'root' });
    const client = await preloop.trackers.client(preloop.accountId, fixture.connectionId);
    expect((await client.listProjects()).items.map((project) => project.key)).toEqual(['acme/api']);
  });

  it('a genuine hook becomes a tracker-event once; a replay is a duplicate; a wrong token is refused', async () => {
    const { preloop } = fixture.kernel;
    const client = await preloop.trackers.client(preloop.accountId, fixture.connectionId);
    const created = await client.createIssue({ project: 'acme/api', title: 'Hook me', labels: ['bug'] });
    const [delivery] = stub.deliveries;
    expect(delivery!.status).toBe(202);
    expect(fixture.events).toHaveLength(1);
    expect(fixture.events[0]).toMatchObject({
      type: 'issue.opened',
      tracker: 'gitlab',
      connectionId: fixture.connectionId,
      project: 'acme/api',
      deliveryId: delivery!.headers['idempotency-key'],
      issue: { number: created.number, title: 'Hook me', labels: ['bug'] },
    });
    const replay = await fetch(fixture.webhookUrl, { method: 'POST', headers: delivery!.headers, body: delivery!.body });
    expect(await replay.json()).toEqual({ status: 'duplicate', events: 0 });
    const forged = await fetch(fixture.webhookUrl, {
      method: 'POST',
      headers: { ...delivery!.headers, 'x-gitlab-token': 'not-the-secret', 'idempotency-key': 'other' },
      body: delivery!.body,
    });
    expect(forged.status).toBe(401);
    await client.addComment({ project: 'acme/api', number: created.number }, 'Seen.');
    expect(fixture.events.map((event) => event.type)).toEqual(['issue.opened', 'comment.created']);
  });
});
