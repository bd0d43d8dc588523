/**
 * The GitLab tracker's client through `@gitbeaker/rest` against a local GitLab
 * (REST API v4 wire format): every method, pagination, and error mapping.
 */
import type { TrackerClient, TrackerPullRequests } from '@preloop/core';
import { preloopErrorOf } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitlabTracker } from './gitlab-tracker.js';
import { type GitLabStub, type StubProject, startGitLabStub } from './test-support/gitlab-stub.js';

const token = 'glpat-test';
let stub: GitLabStub;
let client: TrackerClient & { pullRequests: TrackerPullRequests };
let app: StubProject;

beforeAll(async () => {
  stub = await startGitLabStub();
  app = stub.addProject('acme/platform/app');
  stub.addProject('acme/docs');
  stub.addProject('acme/infra');
  client = (await gitlabTracker().connect({ settings: { baseUrl: stub.url }, secrets: { token } })) as typeof client;
});
afterAll(() => stub.close());

describe('GitLab client', () => {
  it('tests the token (GET /user with PRIVATE-TOKEN) and answers who it acts as', async () => {
    expect(await client.test()).toEqual({ identity: 'root' });
    expect(stub.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v4/user', token });
  });

  it('lists the projects the token is a member of, by full path, page by page (X-Next-Page)', async () => {
    const first = await client.listProjects({ limit: 2 });
    expect(first.items.map((project) => project.key)).toEqual(['acme/docs', 'acme/infra']);
    expect(first.nextCursor).toBe('2');
    const second = await client.listProjects({ limit: 2, cursor: first.nextCursor! });
    expect(second.items).toMatchObject([
      { key: 'acme/platform/app', name: 'app', url: `${stub.url}/acme/platform/app`, id: String(app.id) },
    ]);
    expect(second.nextCursor).toBeNull();
    expect(stub.requests.at(-1)!.path).toContain('membership=true');
  });

  it('creates an issue with labels and assignees (usernames to ids), reads it back by iid', async () => {
    const created = await client.createIssue({
      project: 'acme/platform/app',
      title: 'Login fails',
      body: 'Steps: …',
      labels: ['bug', 'p1'],
      assignees: ['ada'],
    });
    expect(created).toMatchObject({
      project: 'acme/platform/app',
      number: '1',
      key: 'acme/platform/app#1',
      title: 'Login fails',
      body: 'Steps: …',
      state: 'open',
      labels: ['bug', 'p1'],
      assignees: ['ada'],
      author: 'root',
      url: `${stub.url}/acme/platform/app/-/issues/1`,
      closedAt: null,
    });
    expect(created.createdAt).toBe(Date.parse(app.issues[0]!.created_at));
    expect(app.issues[0]!.assignees.map((user) => user.id)).toEqual([2]);
    const read = await client.getIssue({ project: 'acme/platform/app', number: '1' });
    expect(read).toMatchObject({ id: created.id, title: 'Login fails', labels: ['bug', 'p1'] });
    expect((read.raw as { iid: number }).iid).toBe(1);
    expect(stub.requests.at(-1)!.path).toBe('/api/v4/projects/acme%2Fplatform%2Fapp/issues/1');
  });

  it('updates only the given fields; labels and assignees are replaced whole; state through state_event', async () => {
    const issue = stub.addIssue(app, { title: 'Flaky test', labels: ['ci', 'flaky'], assignees: [stub.users[1]!] });
    const ref = { project: 'acme/platform/app', number: String(issue.iid) };
    const renamed = await client.updateIssue(ref, { title: 'Flaky login test', labels: ['ci'], assignees: [] });
    expect(renamed).toMatchObject({ title: 'Flaky login test', labels: ['ci'], assignees: [], state: 'open' });
    const closed = await client.updateIssue(ref, { state: 'closed' });
    expect(closed.state).toBe('closed');
    expect(closed.closedAt).toBe(Date.parse(issue.closed_at!));
    expect(closed.title).toBe('Flaky login test');
    const reopened = await client.updateIssue(ref, { state: 'open', assignees: ['grace', 'ada'] });
    expect(reopened).toMatchObject({ state: 'open', closedAt: null, assignees: ['grace', 'ada'] });
    await expect(client.updateIssue(ref, { assignees: ['nobody-here'] })).rejects.toMatchObject({ code: 'TRACKER_INVALID_INPUT' });
  });

  it('searches: free text, state (open by default), labels, assignee, across projects, page by page', async () => {
    const docs = stub.projects.find((project) => project.path_with_namespace === 'acme/docs')!;
    stub.addIssue(docs, { title: 'Search is slow', labels: ['perf'], assignees: [stub.users[2]!] });
    stub.addIssue(docs, { title: 'Search box misaligned', labels: ['ui'] });
    stub.addIssue(docs, { title: 'Old search bug', state: 'closed', closed_at: '2026-01-01T00:00:00Z' });
    const open = await client.searchIssues({ text: 'search', project: 'acme/docs' });
    expect(open.items.map((issue) => issue.title).sort()).toEqual(['Search box misaligned', 'Search is slow']);
    const all = await client.searchIssues({ text: 'search', project: 'acme/docs', state: 'all' });
    expect(all.items).toHaveLength(3);
    const closed = await client.searchIssues({ text: 'search', state: 'closed' });
    expect(closed.items).toMatchObject([{ title: 'Old search bug', project: 'acme/docs', key: 'acme/docs#3', state: 'closed' }]);
    expect(stub.requests.at(-1)!.path).toMatch(/^\/api\/v4\/issues\?.*scope=all/);
    expect((await client.searchIssues({ labels: ['perf'] })).items.map((issue) => issue.title)).toEqual(['Search is slow']);
    expect((await client.searchIssues({ assignee: 'grace', project: 'acme/docs' })).items.map((issue) => issue.title)).toEqual([
      'Search is slow',
    ]);
    const first = await client.searchIssues({ text: 'search', state: 'all', limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await client.searchIssues({ text: 'search', state: 'all', limit: 2, cursor: first.nextCursor! });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });

  it("lists one project's issues oldest update first, from updated_after on, page by page", async () => {
    const infra = stub.projects.find((project) => project.path_with_namespace === 'acme/infra')!;
    for (const title of ['one', 'two', 'three', 'four']) stub.addIssue(infra, { title });
    await client.updateIssue({ project: 'acme/infra', number: '1' }, { body: 'touched last' });
    const since = Date.parse(infra.issues[1]!.updated_at);
    const first = await client.listIssues({ project: 'acme/infra', updatedSince: since, limit: 2 });
    expect(first.items.map((issue) => issue.title)).toEqual(['two', 'three']);
    const second = await client.listIssues({ project: 'acme/infra', updatedSince: since, limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((issue) => issue.title)).toEqual(['four', 'one']);
    expect(second.nextCursor).toBeNull();
    expect(stub.requests.at(-1)!.path).toContain(`updated_after=${encodeURIComponent(new Date(since).toISOString())}`);
    expect(stub.requests.at(-1)!.path).toContain('order_by=updated_at&sort=asc');
  });

  it('adds, lists (system notes left out) and updates comments on issues', async () => {
    const ref = { project: 'acme/platform/app', number: '1' };
    const added = await client.addComment(ref, 'Reproduced on staging.');
    expect(added).toMatchObject({
      body: 'Reproduced on staging.',
      author: 'root',
      url: `${stub.url}/acme/platform/app/-/issues/1#note_${added.id}`,
    });
    app.issues[0]!.notes.push({
      id: 9999,
      body: 'added ~bug label',
      author: stub.users[0]!,
      system: true,
      created_at: '2026-02-01T00:00:00Z',
      updated_at: '2026-02-01T00:00:00Z',
    });
    await client.addComment(ref, 'Fixed by !1?');
    const listed = await client.listComments(ref);
    expect(listed.items.map((comment) => comment.body)).toEqual(['Reproduced on staging.', 'Fixed by !1?']);
    const updated = await client.updateComment(ref, added.id, 'Reproduced on staging and production.');
    expect(updated).toMatchObject({ id: added.id, body: 'Reproduced on staging and production.' });
    const paged = await client.listComments(ref, { limit: 1 });
    expect(paged.nextCursor).toBe('2');
  });

  it('merge requests: create (draft through the title), get, update, comment with !iid; merged maps to merged', async () => {
    const created = await client.pullRequests.create({
      project: 'acme/platform/app',
      title: 'Fix login',
      body: 'Closes #1',
      sourceBranch: 'fix-login',
      targetBranch: 'main',
      draft: true,
    });
    expect(created).toMatchObject({
      number: '!1',
      key: 'acme/platform/app!1',
      title: 'Draft: Fix login',
      draft: true,
      state: 'open',
      sourceBranch: 'fix-login',
      targetBranch: 'main',
      mergedAt: null,
    });
    const ref = { project: 'acme/platform/app', number: created.number };
    expect(await client.pullRequests.get({ project: 'acme/platform/app', number: '1' })).toMatchObject({ title: 'Draft: Fix login' });
    const updated = await client.pullRequests.update(ref, { title: 'Fix login', targetBranch: 'release', body: 'Closes #1 and #2' });
    expect(updated).toMatchObject({ title: 'Fix login', draft: false, targetBranch: 'release', body: 'Closes #1 and #2' });
    const comment = await client.addComment(ref, 'LGTM');
    expect(comment.url).toBe(`${stub.url}/acme/platform/app/-/merge_requests/1#note_${comment.id}`);
    expect(stub.requests.at(-2)!.path).toBe('/api/v4/projects/acme%2Fplatform%2Fapp/merge_requests/1/notes');
    expect((await client.listComments(ref)).items.map((item) => item.body)).toEqual(['LGTM']);
    expect(app.issues[0]!.notes.some((note) => note.body === 'LGTM')).toBe(false);
    Object.assign(app.mergeRequests[0]!, { state: 'merged', merged_at: '2026-02-02T10:00:00.000Z' });
    expect(await client.pullRequests.get(ref)).toMatchObject({ state: 'merged', mergedAt: Date.parse('2026-02-02T10:00:00.000Z') });
    const second = await client.pullRequests.create({
      project: 'acme/platform/app',
      title: 'Docs',
      sourceBranch: 'docs',
      targetBranch: 'main',
    });
    expect((await client.pullRequests.update({ project: 'acme/platform/app', number: second.number }, { state: 'closed' })).state).toBe(
      'closed',
    );
    await expect(client.getIssue(ref)).rejects.toMatchObject({ code: 'TRACKER_INVALID_INPUT' });
  });
});

describe('GitLab errors', () => {
  it("404 → TRACKER_NOT_FOUND with GitLab's message, 400 → TRACKER_INVALID_INPUT, 403 → TRACKER_FORBIDDEN", async () => {
    const missing = await preloopErrorOf(client.getIssue({ project: 'acme/nope', number: '1' }));
    expect(missing).toMatchObject({ code: 'TRACKER_NOT_FOUND', status: 404 });
    expect(missing.message).toBe('GitLab: 404 Project Not Found (GET projects/acme%2Fnope/issues/1)');
    expect(await preloopErrorOf(client.getIssue({ project: 'acme/platform/app', number: '404' }))).toMatchObject({
      code: 'TRACKER_NOT_FOUND',
    });
    const invalid = await preloopErrorOf(client.createIssue({ project: 'acme/platform/app', title: ' ' }));
    expect(invalid).toMatchObject({ code: 'TRACKER_INVALID_INPUT', status: 400, message: expect.stringContaining('title is missing') });
    stub.failNext(403, {}, { message: '403 Forbidden' });
    expect(await preloopErrorOf(client.getIssue({ project: 'acme/platform/app', number: '1' }))).toMatchObject({
      code: 'TRACKER_FORBIDDEN',
      status: 403,
    });
    await expect(client.getIssue({ project: 'acme/platform/app', number: 'one' })).rejects.toMatchObject({ code: 'TRACKER_INVALID_INPUT' });
  });

  it('429 → TRACKER_RATE_LIMITED with Retry-After (or RateLimit-Reset) as retryAfterMs, at once (no silent retries)', async () => {
    const before = stub.requests.length;
    stub.failNext(429);
    const limited = await preloopErrorOf(client.getIssue({ project: 'acme/platform/app', number: '1' }));
    expect(limited).toMatchObject({ code: 'TRACKER_RATE_LIMITED', status: 429, details: { retryAfterMs: 7000 } });
    expect(stub.requests.length - before).toBe(1);
    stub.failNext(429, { 'retry-after': '', 'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 30) });
    const reset = await preloopErrorOf(client.searchIssues({}));
    expect((reset.details as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(20_000);
    expect((reset.details as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(31_000);
  });

  it('5xx → TRACKER_UNAVAILABLE; an unreachable instance too', async () => {
    stub.failNext(503, {}, { message: '503 Service Unavailable' });
    expect(await preloopErrorOf(client.test())).toMatchObject({ code: 'TRACKER_UNAVAILABLE', status: 502 });
    stub.failNext(500);
    expect(await preloopErrorOf(client.test())).toMatchObject({ code: 'TRACKER_UNAVAILABLE', status: 502 });
    const gone = await gitlabTracker().connect({ settings: { baseUrl: 'http://127.0.0.1:9' }, secrets: { token } });
    expect(await preloopErrorOf(gone.test())).toMatchObject({ code: 'TRACKER_UNAVAILABLE', message: 'GitLab: unreachable (GET user)' });
  });

  it('a refused token is TRACKER_FORBIDDEN and the token appears nowhere in the error', async () => {
    const secret = 'glpat-very-secret-value';
    const refused = await gitlabTracker().connect({ settings: { baseUrl: stub.url }, secrets: { token: secret } });
    const error = await preloopErrorOf(refused.getIssue({ project: 'acme/platform/app', number: '1' }));
    expect(error).toMatchObject({ code: 'TRACKER_FORBIDDEN', status: 403 });
    expect(stub.requests.at(-1)!.token).toBe(secret);
    const everything = `${error.message} ${error.stack} ${JSON.stringify(error)} ${JSON.stringify(error.details)} ${String(error.cause)}`;
    expect(everything).not.toContain(secret);
  });

  it('self-managed under a sub-path: the base URL may carry a path before /api/v4', async () => {
    const prefixed = await startGitLabStub({ pathPrefix: '/gitlab' });
    try {
      prefixed.addProject('team/app');
      const other = await gitlabTracker().connect({ settings: { baseUrl: prefixed.url }, secrets: { token } });
      expect((await other.listProjects()).items.map((project) => project.key)).toEqual(['team/app']);
      expect(prefixed.requests.at(-1)!.path).toMatch(/^\/gitlab\/api\/v4\/projects\?/);
    } finally {
      await prefixed.close();
    }
  });

  it("goes through the connection's fetch when one is given", async () => {
    const seen: string[] = [];
    const recording: typeof fetch = (input, init) => {
      seen.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    };
    const viaFetch = await gitlabTracker().connect({ settings: { baseUrl: stub.url }, secrets: { token }, fetch: recording });
    expect(await viaFetch.test()).toEqual({ identity: 'root' });
    expect(seen).toEqual([`${stub.url}/api/v4/user`]);
  });

  it('the settings and secrets schemas name what is wrong', () => {
    const tracker = gitlabTracker();
    expect(tracker.settingsSchema.safeParse({ baseUrl: 'gitlab.example.com' }).success).toBe(false);
    expect(tracker.settingsSchema.safeParse({ baseUrl: 'https://gitlab.example.com' }).success).toBe(true);
    const secrets = tracker.secretsSchema.safeParse({});
    expect(secrets.success).toBe(false);
    expect(JSON.stringify(secrets.error?.issues)).toContain('token');
  });
});
