/**
 * The Jira tracker's client through `jira.js` against a local Jira: Cloud
 * (REST API v3, basic auth, ADF) and Data Center (REST API v2, bearer PAT, wiki
 * text): every method, pagination, transitions, JQL escaping, error mapping.
 */
import type { TrackerClient } from '@preloop/core';
import { preloopErrorOf } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jiraTracker } from './jira-tracker.js';
import { type JiraStub, startJiraStub } from './test-support/jira-stub.js';

describe('Jira Cloud client (REST API v3)', () => {
  let stub: JiraStub;
  let client: TrackerClient;
  const ada = '5b10ac8d82e05b22cc7d4ef5';

  beforeAll(async () => {
    stub = await startJiraStub();
    for (const key of ['OPS', 'WEB', 'SECRET']) stub.addProject(key);
    client = await jiraTracker().connect({
      settings: { baseUrl: stub.url },
      secrets: { email: stub.credentials.email, apiToken: stub.credentials.apiToken },
    });
  });
  afterAll(() => stub.close());

  it('tests the credentials with basic auth (GET /rest/api/3/myself)', async () => {
    expect(await client.test()).toEqual({ identity: 'bot@example.com' });
    expect(stub.requests.at(-1)).toMatchObject({ method: 'GET', path: '/rest/api/3/myself' });
    expect(stub.requests.at(-1)!.authorization).toBe(
      `Basic ${Buffer.from(`${stub.credentials.email}:${stub.credentials.apiToken}`).toString('base64')}`,
    );
  });

  it('lists projects by key, page by page (startAt, isLast)', async () => {
    const first = await client.listProjects({ limit: 2 });
    expect(first.items.map((project) => project.key)).toEqual(['OPS', 'SECRET']);
    expect(first.items[0]).toMatchObject({ name: 'OPS project', url: `${stub.url}/browse/OPS` });
    const second = await client.listProjects({ limit: 2, cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [{ key: 'WEB' }], nextCursor: null });
  });

  it('creates an issue (description sent as ADF, labels, assignee by account id) and reads it back by key', async () => {
    const created = await client.createIssue({
      project: 'OPS',
      title: 'Disk full on db-1',
      body: 'Steps:\n1. look\n\nExpected: space',
      labels: ['infra', 'p1'],
      assignees: [ada],
    });
    expect(created).toMatchObject({
      project: 'OPS',
      number: 'OPS-1',
      key: 'OPS-1',
      title: 'Disk full on db-1',
      body: 'Steps:\n1. look\n\nExpected: space',
      state: 'open',
      labels: ['infra', 'p1'],
      assignees: [ada],
      author: '5b10a2844c20165700ede21g',
      url: `${stub.url}/browse/OPS-1`,
      closedAt: null,
    });
    const sent = stub.requests.find((request) => request.method === 'POST' && request.path === '/rest/api/3/issue')!.body as {
      fields: Record<string, any>;
    };
    expect(sent.fields.description).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'Steps:' }, { type: 'hardBreak' }, { type: 'text', text: '1. look' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'Expected: space' }] },
      ],
    });
    expect(sent.fields.issuetype).toEqual({ name: 'Task' });
    expect(await client.getIssue({ project: 'OPS', number: '1' })).toMatchObject({ key: 'OPS-1', createdAt: created.createdAt });
    await expect(client.getIssue({ project: 'OPS', number: 'WEB-1' })).rejects.toMatchObject({
      code: 'TRACKER_INVALID_INPUT',
      message: 'Jira: issue WEB-1 is not in project OPS.',
    });
    await expect(client.createIssue({ project: 'OPS', title: 'Two people', assignees: [ada, 'someone'] })).rejects.toMatchObject({
      code: 'TRACKER_INVALID_INPUT',
    });
  });

  it('updates fields, the assignee, and the state through transitions (done category → closed, back to to do → open)', async () => {
    const issue = stub.addIssue({ project: 'OPS', summary: 'Rotate keys', labels: ['security'] });
    const ref = { project: 'OPS', number: issue.key };
    const edited = await client.updateIssue(ref, { title: 'Rotate API keys', body: 'Quarterly.', labels: [], assignees: [ada] });
    expect(edited).toMatchObject({ title: 'Rotate API keys', body: 'Quarterly.', labels: [], assignees: [ada], state: 'open' });
    const closed = await client.updateIssue(ref, { state: 'closed' });
    expect(closed.state).toBe('closed');
    expect(closed.closedAt).toBe(issue.resolutiondate);
    expect(issue.status).toBe('Done');
    expect(
      stub.requests.filter((request) => request.path === `/rest/api/3/issue/${issue.key}/transitions` && request.method === 'POST').at(-1)!
        .body,
    ).toEqual({ transition: { id: '31' } });
    const again = await client.updateIssue(ref, { state: 'closed' });
    expect(again.state).toBe('closed');
    const reopened = await client.updateIssue(ref, { state: 'open', assignees: [] });
    expect(reopened).toMatchObject({ state: 'open', closedAt: null, assignees: [] });
    expect(issue.status).toBe('To Do');
    stub.transitions.splice(2, 1); // a workflow without a way to done
    try {
      const stuck = await preloopErrorOf(client.updateIssue(ref, { state: 'closed' }));
      expect(stuck).toMatchObject({ code: 'TRACKER_INVALID_INPUT' });
      expect(stuck.message).toContain('no transition to a done status');
    } finally {
      stub.transitions.push({ id: '31', name: 'Done', to: 'Done' });
    }
  });

  it('searches with JQL: text, state (status category), labels, assignee, newest first, page by page (nextPageToken)', async () => {
    stub.addIssue({ project: 'WEB', summary: 'Search results are slow', labels: ['perf'], assignee: stub.users[1]! });
    stub.addIssue({ project: 'WEB', summary: 'Search box misaligned', labels: ['ui'] });
    stub.addIssue({ project: 'WEB', summary: 'Old search crash', status: 'Done', resolutiondate: Date.parse('2026-01-05T10:00:00Z') });
    const open = await client.searchIssues({ project: 'WEB', text: 'search' });
    expect(open.items.map((issue) => issue.title)).toEqual(['Search box misaligned', 'Search results are slow']);
    const jql = (stub.requests.at(-1)!.body as { jql: string }).jql;
    expect(jql).toBe('project = "WEB" AND text ~ "search" AND statusCategory != Done ORDER BY updated DESC');
    expect((await client.searchIssues({ project: 'WEB', text: 'search', state: 'closed' })).items.map((issue) => issue.key)).toEqual([
      'WEB-3',
    ]);
    expect((await client.searchIssues({ labels: ['perf'] })).items.map((issue) => issue.key)).toEqual(['WEB-1']);
    expect((await client.searchIssues({ assignee: ada, project: 'WEB' })).items.map((issue) => issue.key)).toEqual(['WEB-1']);
    const first = await client.searchIssues({ text: 'search', state: 'all', limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await client.searchIssues({ text: 'search', state: 'all', limit: 2, cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [{ key: 'WEB-1' }], nextCursor: null });
  });

  it('escapes user text: quotes, JQL operators and Lucene syntax stay words, never clauses', async () => {
    stub.addIssue({ project: 'SECRET', summary: 'Launch codes' });
    const tricky = stub.addIssue({ project: 'WEB', summary: 'Quote "x" OR project = SECRET fails (AND) with: [brackets] \\ backslash' });
    const hostile = '"x" OR project = SECRET fails (AND) with: [brackets] \\';
    const found = await client.searchIssues({ project: 'WEB', text: hostile, state: 'all' });
    expect(found.items.map((issue) => issue.key)).toEqual([tricky.key]);
    const jql = (stub.requests.at(-1)!.body as { jql: string }).jql;
    expect(jql.startsWith('project = "WEB" AND text ~ "')).toBe(true);
    for (const text of ['x" OR project = SECRET OR text ~ "y', "') OR key = SECRET-1 ORDER BY key", 'a\\" OR project = "SECRET']) {
      const page = await client.searchIssues({ project: 'WEB', text, state: 'all' });
      expect(page.items.every((issue) => issue.project === 'WEB')).toBe(true);
    }
    const labelled = await client.searchIssues({ labels: ['x" OR project = "SECRET'], state: 'all' });
    expect(labelled.items).toEqual([]);
  });

  it("lists a project for sync: updated since (JQL minutes in the user's time zone), oldest update first, page by page", async () => {
    stub.addProject('SYNC');
    const made = ['a', 'b', 'c', 'd'].map((summary) => stub.addIssue({ project: 'SYNC', summary }));
    const since = made[1]!.updated;
    const first = await client.listIssues({ project: 'SYNC', updatedSince: since, limit: 2 });
    expect(first.items.map((issue) => issue.title)).toEqual(['b', 'c']);
    // Europe/Berlin is UTC+1 in January: 09:xx UTC is written 10:xx.
    const jql = (stub.requests.at(-1)!.body as { jql: string }).jql;
    const local = new Date(since + 3_600_000).toISOString().slice(0, 16).replace('T', ' ').replace(/-/g, '/');
    expect(jql).toBe(`project = "SYNC" AND updated >= "${local}" ORDER BY updated ASC, key ASC`);
    const second = await client.listIssues({ project: 'SYNC', updatedSince: since, limit: 2, cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [{ title: 'd' }], nextCursor: null });
    expect((await client.listIssues({ project: 'SYNC' })).items).toHaveLength(4);
    // JQL compares to the minute: what changed in that minute before the exact time is dropped.
    const minute = Date.parse('2026-03-01T12:00:00Z');
    stub.addIssue({ project: 'SYNC', summary: 'early', updated: minute + 10_000 });
    stub.addIssue({ project: 'SYNC', summary: 'late', updated: minute + 40_000 });
    const exact = await client.listIssues({ project: 'SYNC', updatedSince: minute + 30_000 });
    expect((stub.requests.at(-1)!.body as { jql: string }).jql).toContain('updated >= "2026/03/01 13:00"');
    expect(exact.items.map((issue) => issue.title)).toEqual(['late']);
  });

  it('comments: add (ADF), list page by page, update', async () => {
    const ref = { project: 'OPS', number: 'OPS-1' };
    const added = await client.addComment(ref, 'On it.\nWill report back.');
    expect(added).toMatchObject({
      body: 'On it.\nWill report back.',
      author: '5b10a2844c20165700ede21g',
      url: `${stub.url}/browse/OPS-1?focusedCommentId=${added.id}`,
    });
    expect((stub.requests.at(-1)!.body as { body: unknown }).body).toMatchObject({ type: 'doc', version: 1 });
    await client.addComment(ref, 'Done.');
    const first = await client.listComments(ref, { limit: 1 });
    expect(first).toMatchObject({ items: [{ id: added.id }], nextCursor: '1' });
    expect((await client.listComments(ref, { cursor: '1' })).items.map((comment) => comment.body)).toEqual(['Done.']);
    expect(await client.updateComment(ref, added.id, 'On it, ETA 1h.')).toMatchObject({ id: added.id, body: 'On it, ETA 1h.' });
    await expect(client.updateComment(ref, '999999', 'x')).rejects.toMatchObject({ code: 'TRACKER_NOT_FOUND' });
  });

  it("maps errors: 404, 400 with Jira's errors, 403, 429 with Retry-After, 503, unreachable", async () => {
    const missing = await preloopErrorOf(client.getIssue({ project: 'OPS', number: 'OPS-404' }));
    expect(missing).toMatchObject({
      code: 'TRACKER_NOT_FOUND',
      status: 404,
      message: 'Jira: Issue does not exist or you do not have permission to see it. (GET issue OPS-404)',
    });
    const invalid = await preloopErrorOf(client.createIssue({ project: 'OPS', title: '' }));
    expect(invalid).toMatchObject({
      code: 'TRACKER_INVALID_INPUT',
      status: 400,
      message: expect.stringContaining('summary: You must specify a summary of the issue.'),
    });
    expect(await preloopErrorOf(client.createIssue({ project: 'NOPE', title: 'x' }))).toMatchObject({
      code: 'TRACKER_INVALID_INPUT',
      message: expect.stringContaining('project: valid project is required'),
    });
    expect(await preloopErrorOf(client.updateIssue({ project: 'OPS', number: 'OPS-1' }, { labels: ['two words'] }))).toMatchObject({
      code: 'TRACKER_INVALID_INPUT',
    });
    stub.failNext(403, {}, { errorMessages: ['You do not have the permission to see the specified issue.'], errors: {} });
    expect(await preloopErrorOf(client.getIssue({ project: 'OPS', number: 'OPS-1' }))).toMatchObject({
      code: 'TRACKER_FORBIDDEN',
      status: 403,
    });
    stub.failNext(429);
    expect(await preloopErrorOf(client.searchIssues({}))).toMatchObject({
      code: 'TRACKER_RATE_LIMITED',
      status: 429,
      details: { retryAfterMs: 5000 },
    });
    stub.failNext(429, { 'retry-after': '', 'x-ratelimit-reset': new Date(Date.now() + 20_000).toISOString() });
    const reset = await preloopErrorOf(client.searchIssues({}));
    expect((reset.details as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(10_000);
    stub.failNext(503);
    expect(await preloopErrorOf(client.test())).toMatchObject({ code: 'TRACKER_UNAVAILABLE', status: 502 });
    const gone = await jiraTracker().connect({ settings: { baseUrl: 'http://127.0.0.1:9' }, secrets: { email: 'a@b.c', apiToken: 't' } });
    expect(await preloopErrorOf(gone.test())).toMatchObject({ code: 'TRACKER_UNAVAILABLE', message: 'Jira: unreachable (GET myself)' });
  });

  it('refused credentials are TRACKER_FORBIDDEN and the token appears nowhere in the error', async () => {
    const apiToken = 'ATATT-super-secret-token-value';
    const refused = await jiraTracker().connect({ settings: { baseUrl: stub.url }, secrets: { email: stub.credentials.email, apiToken } });
    const error = await preloopErrorOf(refused.getIssue({ project: 'OPS', number: 'OPS-1' }));
    expect(error).toMatchObject({ code: 'TRACKER_FORBIDDEN', status: 403 });
    const basic = Buffer.from(`${stub.credentials.email}:${apiToken}`).toString('base64');
    expect(stub.requests.at(-1)!.authorization).toBe(`Basic ${basic}`);
    const everything = `${error.message} ${error.stack} ${JSON.stringify(error)} ${String(error.cause)}`;
    expect(everything).not.toContain(apiToken);
    expect(everything).not.toContain(basic);
    expect(error.cause).toBeUndefined();
  });

  it("goes through the connection's fetch when one is given (axios's fetch adapter)", async () => {
    const seen: string[] = [];
    const recording: typeof fetch = (input, init) => {
      seen.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    };
    const secrets = { email: stub.credentials.email, apiToken: stub.credentials.apiToken };
    const viaFetch = await jiraTracker().connect({ settings: { baseUrl: stub.url }, secrets, fetch: recording });
    expect(await viaFetch.test()).toEqual({ identity: 'bot@example.com' });
    expect(seen).toEqual([`${stub.url}/rest/api/3/myself`]);
    stub.failNext(429);
    expect(await preloopErrorOf(viaFetch.test())).toMatchObject({ code: 'TRACKER_RATE_LIMITED', details: { retryAfterMs: 5000 } });
  });

  it('has no pull requests; the schemas name what is missing', () => {
    const tracker = jiraTracker();
    expect(tracker.pullRequests).toBe(false);
    expect(client.pullRequests).toBeUndefined();
    const secrets = tracker.secretsSchema.safeParse({ email: 'a@b.c' });
    expect(secrets.success).toBe(false);
    expect(JSON.stringify(secrets.error?.issues)).toContain('apiToken');
    expect(tracker.settingsSchema.safeParse({}).success).toBe(false);
    expect(tracker.settingsSchema.safeParse({ baseUrl: 'https://acme.atlassian.net', deployment: 'server' }).success).toBe(false);
  });
});

describe('Jira Data Center client (REST API v2, personal access token)', () => {
  let stub: JiraStub;
  let client: TrackerClient;

  beforeAll(async () => {
    stub = await startJiraStub({ deployment: 'datacenter', pathPrefix: '/jira' });
    stub.addProject('OPS');
    stub.addProject('WEB');
    client = await jiraTracker().connect({
      settings: { baseUrl: stub.url, deployment: 'datacenter' },
      secrets: { token: stub.credentials.token },
    });
  });
  afterAll(() => stub.close());

  it('authenticates with the PAT as bearer under the context path; projects, issues, search, comments in wiki text', async () => {
    expect(await client.test()).toEqual({ identity: 'bot@example.com' });
    expect(stub.requests.at(-1)).toMatchObject({ path: '/jira/rest/api/2/myself', authorization: `Bearer ${stub.credentials.token}` });
    const projects = await client.listProjects({ limit: 1 });
    expect(projects).toMatchObject({ items: [{ key: 'OPS' }], nextCursor: '1' });
    expect((await client.listProjects({ cursor: '1' })).items.map((project) => project.key)).toEqual(['WEB']);
    const created = await client.createIssue({
      project: 'OPS',
      title: 'Printer on fire',
      body: 'h1. Steps\n* smell smoke',
      assignees: ['ada'],
      labels: ['facilities'],
    });
    expect(created).toMatchObject({
      key: 'OPS-1',
      body: 'h1. Steps\n* smell smoke',
      assignees: ['ada'],
      author: 'bot',
      url: `${stub.url}/browse/OPS-1`,
    });
    expect(
      (stub.requests.find((request) => request.path === '/jira/rest/api/2/issue')!.body as { fields: { description: unknown } }).fields
        .description,
    ).toBe('h1. Steps\n* smell smoke');
    const closed = await client.updateIssue({ project: 'OPS', number: '1' }, { state: 'closed', assignees: ['grace'] });
    expect(closed).toMatchObject({ state: 'closed', assignees: ['grace'] });
    stub.addIssue({ project: 'OPS', summary: 'Printer out of paper' });
    stub.addIssue({ project: 'OPS', summary: 'Printer jammed' });
    const first = await client.searchIssues({ project: 'OPS', text: 'printer', state: 'all', limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBe('2');
    expect(stub.requests.at(-1)!.path).toBe('/jira/rest/api/2/search');
    expect((await client.searchIssues({ project: 'OPS', text: 'printer', state: 'all', cursor: '2' })).nextCursor).toBeNull();
    const listed = await client.listIssues({ project: 'OPS', updatedSince: created.updatedAt });
    expect(listed.items.map((issue) => issue.title)).toEqual(['Printer on fire', 'Printer out of paper', 'Printer jammed']);
    const comment = await client.addComment({ project: 'OPS', number: 'OPS-1' }, 'Extinguished.');
    expect((stub.requests.at(-1)!.body as { body: unknown }).body).toBe('Extinguished.');
    expect(await client.updateComment({ project: 'OPS', number: 'OPS-1' }, comment.id, '*Extinguished.*')).toMatchObject({
      body: '*Extinguished.*',
    });
    expect((await client.listComments({ project: 'OPS', number: 'OPS-1' })).items.map((item) => item.body)).toEqual(['*Extinguished.*']);
  });

  it('a refused PAT is TRACKER_FORBIDDEN; Cloud secrets on Data Center are a configuration error', async () => {
    const refused = await jiraTracker().connect({
      settings: { baseUrl: stub.url, deployment: 'datacenter' },
      secrets: { token: 'wrong-pat-value' },
    });
    const error = await preloopErrorOf(refused.test());
    expect(error).toMatchObject({ code: 'TRACKER_FORBIDDEN' });
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('wrong-pat-value');
    expect(() =>
      jiraTracker().connect({ settings: { baseUrl: stub.url, deployment: 'datacenter' }, secrets: { email: 'a@b.c', apiToken: 'x' } }),
    ).toThrow(/personal access token/);
  });
});
