import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackerEvent } from '../../contracts/tracker.js';
import type { Preloop } from '../../kernel/preloop.js';
import { definePlugin } from '../../plugins/define-plugin.js';
import { createTestPreloop, type TestPreloop } from '../../testing/create-test-preloop.js';
import { postgresOnly, testDialects } from '../../testing/test-databases.js';
import { sampleIssue } from './test-support/sample-issue.js';
import { createIssueSync, type IssueSync } from './issue-sync.js';
import { issueTables } from './issue-tables.js';
import { startStubTrackerServer, stubTracker, type StubTrackerServer } from './test-support/stub-tracker.js';

describe.each(testDialects())('issue sync on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  let stub: StubTrackerServer;
  let connectionId: string;
  let clock = 1_000_000;
  const waits: number[] = [];
  let sync: IssueSync;
  const progress: string[] = [];

  beforeAll(async () => {
    stub = await startStubTrackerServer();
    for (let number = 1; number <= 7; number++) stub.put('acme/web', number, { title: `Web issue ${number}` }, 100 + number);
    stub.put('acme/api', 1, { title: 'API issue' }, 50);
    test = await createTestPreloop(dialect, {
      plugins: [definePlugin({ id: 'stub-tracker', contributions: { trackers: [stubTracker()] } })],
    });
    preloop = test.preloop;
    const connection = await preloop.trackers.create(preloop.accountId, {
      tracker: 'stub',
      name: 'stub',
      settings: { baseUrl: stub.url, projects: ['acme/web'] },
      secrets: { token: 'stub-token' },
    });
    connectionId = connection.id;
    // A second sync with a fake clock and sleep; the kernel's own (preloop.issues) handles webhooks.
    sync = createIssueSync({
      db: issueTables(preloop.db),
      store: preloop.issues.store,
      connections: preloop.trackers,
      events: preloop.events,
      logger: preloop.logger,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
      },
      pageSize: 3,
      backoffMs: 250,
      reconcileIntervalMs: 0,
      reconcileMarginMs: 10,
    });
    preloop.events.on('tracker-sync-progress', (event) => progress.push(`${event.project}:${event.status}:${event.imported}`));
  });
  afterAll(async () => {
    sync.close();
    await test.cleanup();
    await stub.close();
  });

  const stored = async () =>
    (await preloop.issues.store.search(preloop.accountId, { connectionId, state: 'all', limit: 100 })).items
      .map((issue) => issue.key)
      .sort();

  it('imports the configured projects page by page, with progress', async () => {
    const listRequests = () => stub.requests.filter((line) => line.startsWith('GET /projects/acme%2Fweb/issues?')).length;
    const before = listRequests();
    await sync.run(preloop.accountId, connectionId);
    // 7 issues in pages of 3.
    expect(listRequests() - before).toBe(3);
    expect(await stored()).toEqual(Array.from({ length: 7 }, (_, index) => `acme/web#${index + 1}`).sort());
    const status = await sync.status(preloop.accountId, connectionId);
    expect(status.projects).toEqual([expect.objectContaining({ project: 'acme/web', status: 'done', imported: 7, lastSyncedAt: clock })]);
    expect(progress).toEqual([
      'acme/web:importing:0',
      'acme/web:importing:3',
      'acme/web:importing:6',
      'acme/web:importing:7',
      'acme/web:done:7',
    ]);
  });

  it('resumes a failed import at its cursor, after rate-limited answers (Retry-After, then doubling backoff)', async () => {
    stub.put('acme/api', 2, { title: 'API issue 2' }, 60);
    stub.put('acme/api', 3, { title: 'API issue 3' }, 70);
    stub.put('acme/api', 4, { title: 'API issue 4' }, 80);
    waits.length = 0;
    // First page ok, then 6 rate-limited answers (more than the 5 retries): failed, cursor kept.
    const afterFirstPage = (event: { project: string; status: string; imported: number }) => {
      if (event.project === 'acme/api' && event.status === 'importing' && event.imported === 3) stub.failNext(6, 429, 2);
    };
    preloop.events.on('tracker-sync-progress', afterFirstPage);
    await expect(sync.run(preloop.accountId, connectionId, ['acme/api'])).rejects.toMatchObject({ code: 'TRACKER_RATE_LIMITED' });
    preloop.events.off('tracker-sync-progress', afterFirstPage);
    expect(waits).toEqual([2000, 2000, 2000, 2000, 2000]);
    let status = await sync.status(preloop.accountId, connectionId);
    expect(status.projects.find((project) => project.project === 'acme/api')).toMatchObject({ status: 'failed', imported: 3 });
    expect(status.projects.find((project) => project.project === 'acme/api')!.error).toMatch(/^TRACKER_RATE_LIMITED/);
    // Resume: one 429 without Retry-After (backoff 250 ms), then the rest from page 2, not page 1.
    waits.length = 0;
    stub.failNext(1, 429);
    const before = stub.requests.length;
    status = await sync.run(preloop.accountId, connectionId, ['acme/api']);
    expect(waits).toEqual([250]);
    const asked = stub.requests.slice(before).filter((line) => line.includes('acme%2Fapi/issues?'));
    expect(asked.every((line) => line.includes('page=2'))).toBe(true);
    expect(status.projects.find((project) => project.project === 'acme/api')).toMatchObject({ status: 'done', imported: 4, error: null });
    expect((await stored()).filter((key) => key.startsWith('acme/api'))).toEqual(['acme/api#1', 'acme/api#2', 'acme/api#3', 'acme/api#4']);
  });

  it('upserts what webhook events carry, and a late older copy does not undo it', async () => {
    const issue = stub.put('acme/web', 2, { title: 'Renamed by a webhook', labels: ['bug'] }, 500);
    const event: TrackerEvent = {
      type: 'issue.edited',
      project: 'acme/web',
      issue,
      pullRequest: null,
      comment: null,
      label: null,
      actor: 'octocat',
      accountId: preloop.accountId,
      connectionId,
      tracker: 'stub',
      deliveryId: 'd-1',
      receivedAt: Date.now(),
    };
    const synced = new Promise((resolve) => preloop.events.once('tracker-issue-synced', resolve));
    preloop.events.emit('tracker-event', event);
    await synced;
    const page = await preloop.issues.store.search(preloop.accountId, { text: 'renamed webhook' });
    expect(page.items.map((item) => item.key)).toEqual(['acme/web#2']);
    const comment = { id: 'c9', body: 'Seen on staging too', author: 'alice', url: 'u', createdAt: 600, updatedAt: 600, raw: {} };
    await preloop.issues.sync.apply({ ...event, type: 'comment.created', deliveryId: 'd-2', comment });
    const detail = await preloop.issues.store.get(preloop.accountId, page.items[0]!.id);
    expect(detail.comments.map((item) => item.body)).toEqual(['Seen on staging too']);
    await preloop.issues.store.upsert(
      { accountId: preloop.accountId, connectionId, tracker: 'stub' },
      { ...issue, title: 'Old', updatedAt: 400 },
    );
    expect((await preloop.issues.store.get(preloop.accountId, page.items[0]!.id)).title).toBe('Renamed by a webhook');
  });

  it('reconciliation picks up an update whose webhook never came, on one instance at a time', async () => {
    stub.put('acme/web', 5, { title: 'Changed while the webhook was lost', state: 'closed', closedAt: clock }, clock - 5);
    clock += 60_000;
    const other = createIssueSync({
      db: issueTables(preloop.db),
      store: preloop.issues.store,
      connections: preloop.trackers,
      events: preloop.events,
      logger: preloop.logger,
      now: () => clock,
      reconcileIntervalMs: 0,
    });
    try {
      // The other instance holds the lease: this one's pass does not run.
      await issueTables(preloop.db)
        .insertInto('tracker_sync_leases')
        .values({ name: 'reconcile', holder: 'another-instance', expires_at: clock + 1000 })
        .execute();
      expect(await sync.reconcile()).toEqual({ ran: false, upserted: 0 });
      clock += 2000;
      const pass = await sync.reconcile();
      expect(pass.ran).toBe(true);
      expect(pass.upserted).toBeGreaterThanOrEqual(1);
      const found = await preloop.issues.store.search(preloop.accountId, { text: 'webhook was lost', state: 'closed' });
      expect(found.items.map((item) => item.key)).toEqual(['acme/web#5']);
      // The lease was released: the other instance can run the next pass.
      expect((await other.reconcile()).ran).toBe(true);
      // An import held by another instance: starting one here is a 409, and nothing runs.
      await issueTables(preloop.db)
        .insertInto('tracker_sync_leases')
        .values({ name: `import:${connectionId}`, holder: 'another-instance', expires_at: clock + 60_000 })
        .execute();
      await expect(sync.start(preloop.accountId, connectionId)).rejects.toMatchObject({ code: 'CONFLICT', status: 409 });
      expect((await sync.status(preloop.accountId, connectionId)).running).toBe(false);
      await issueTables(preloop.db).deleteFrom('tracker_sync_leases').where('name', '=', `import:${connectionId}`).execute();
    } finally {
      other.close();
    }
  });

  it('answers the routes: search, detail with comments read from the tracker, create and comment audited as the user', async () => {
    const { callApi, seedUser } = await import('../../identity/identity-test-support.js');
    const user = await seedUser(preloop, 'approver');
    const created = await callApi(preloop, 'POST', '/issues', {
      bearer: user.key,
      body: { connectionId, project: 'acme/web', title: 'Created from the console', labels: ['ui'] },
    });
    expect(created.status).toBe(201);
    expect(stub.issues.get('acme/web')!.some((issue) => issue.title === 'Created from the console')).toBe(true);
    const comment = await callApi(preloop, 'POST', `/issues/${created.body.id}/comments`, { bearer: user.key, body: { body: 'On it' } });
    expect(comment.status).toBe(201);
    const detail = await callApi(preloop, 'GET', `/issues/${created.body.id}`, { bearer: user.key });
    expect(detail.body.comments.map((item: { body: string }) => item.body)).toEqual(['On it']);
    const audit = await preloop.audit.query({ accountId: preloop.accountId, action: 'tracker.*' });
    expect(audit.items.map((record) => [record.action, record.outcome, record.principal?.userId])).toEqual([
      ['tracker.comment.create', 'success', user.user.id],
      ['tracker.issue.create', 'success', user.user.id],
    ]);
    const list = await callApi(preloop, 'GET', '/issues?label=ui&text=console', { bearer: user.key });
    expect(list.body.items.map((item: { title: string }) => item.title)).toEqual(['Created from the console']);
    expect((await callApi(preloop, 'GET', '/issues?state=nope', { bearer: user.key })).status).toBe(400);
    expect(
      (await callApi(preloop, 'POST', '/issues', { bearer: user.key, body: { connectionId: 'trk_none', project: 'x', title: 't' } }))
        .status,
    ).toBe(404);
    expect((await callApi(preloop, 'GET', `/trackers/connections/${connectionId}/sync`, { bearer: user.key })).body.projects.length).toBe(
      2,
    );
    // Starting a sync is for admins; it answers 202 with the progress so far.
    expect((await callApi(preloop, 'POST', `/trackers/connections/${connectionId}/sync`, { bearer: user.key })).status).toBe(403);
    const admin = await seedUser(preloop, 'admin');
    const started = await callApi(preloop, 'POST', `/trackers/connections/${connectionId}/sync`, {
      bearer: admin.key,
      body: { projects: ['acme/web'] },
    });
    expect(started.status).toBe(202);
    expect(started.body.projects.map((project: { project: string }) => project.project)).toEqual(['acme/api', 'acme/web']);
    await preloop.issues.sync.run(preloop.accountId, connectionId, ['acme/web']);
    const similar = await callApi(preloop, 'GET', `/issues/${created.body.id}/similar`, { bearer: user.key });
    expect(similar.body).toEqual({ available: false, reason: expect.stringMatching(/No embeddings model/), items: [] });
  });

  it('drops the issues of a disconnected tracker from the unified view, and keeps the others', async () => {
    const second = await preloop.trackers.create(preloop.accountId, {
      tracker: 'stub',
      name: 'stub-second',
      settings: { baseUrl: stub.url, projects: ['acme/api'] },
      secrets: { token: 'stub-token' },
    });
    await preloop.issues.sync.run(preloop.accountId, second.id);
    const count = async (id: string) =>
      (await preloop.issues.store.search(preloop.accountId, { connectionId: id, state: 'all' })).items.length;
    expect(await count(second.id)).toBe(4);
    const kept = await count(connectionId);
    await preloop.trackers.delete(preloop.accountId, second.id);
    await expect.poll(() => count(second.id)).toBe(0);
    expect(await count(connectionId)).toBe(kept);
    expect((await preloop.issues.sync.status(preloop.accountId, second.id)).projects).toEqual([]);
  });
});

describe.each(postgresOnly())('issue sync across instances on $name', (dialect) => {
  it('announces an issue written from a webhook on one instance to the others (their consoles refresh)', async () => {
    const plugins = [definePlugin({ id: 'stub-tracker', contributions: { trackers: [stubTracker()] } })];
    const first = await createTestPreloop(dialect, { plugins });
    const second = await createTestPreloop(
      { name: 'postgres', create: async () => ({ url: first.url, drop: async () => {} }) },
      { plugins },
    );
    try {
      const seen = new Promise((resolve) => second.preloop.events.once('tracker-issue-synced', resolve));
      first.preloop.events.emit('tracker-event', {
        type: 'issue.opened',
        project: 'acme/web',
        issue: { ...sampleIssue(1), title: 'Seen everywhere' },
        pullRequest: null,
        comment: null,
        label: null,
        actor: null,
        accountId: first.preloop.accountId,
        connectionId: 'trk_elsewhere',
        tracker: 'stub',
        deliveryId: 'd-x',
        receivedAt: Date.now(),
      });
      expect(await seen).toMatchObject({ accountId: first.preloop.accountId, connectionId: 'trk_elsewhere', kind: 'issue' });
    } finally {
      await second.preloop.close();
      await first.cleanup();
    }
  });
});
