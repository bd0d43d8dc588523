/**
 * The issue sync imports a GitHub repository's pull requests as well as its
 * issues (`pullRequests.list`), so an issue's linked pull requests are complete
 * after an import without any webhook, and reconciliation picks up a pull
 * request changed while no webhook was delivered.
 */
import { startTrackerTestKernel, testDialects, type TestPreloop, type TrackerTestKernel } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { github } from './github-plugin.js';
import { startGitHubStub, type GitHubStub } from './test-support/github-stub.js';

describe('issue sync of a GitHub repository', () => {
  let stub: GitHubStub;
  let fixture: TrackerTestKernel;
  let test: TestPreloop;
  let connectionId: string;

  beforeAll(async () => {
    stub = await startGitHubStub();
    stub.addToken('ghp_sync_token_123456');
    stub.state.addRepository('acme/web');
    stub.state.addIssue('acme/web', { title: 'Login crashes on Safari' });
    stub.state.addIssue('acme/web', { title: 'Dark mode' });
    stub.state.addIssue('acme/web', {
      title: 'Fix the Safari login crash',
      body: 'Fixes #1',
      pull: { head: 'fix-safari', base: 'main', draft: false, mergedAt: null },
    });
    stub.state.addIssue('acme/web', {
      title: 'Old experiment',
      state: 'closed',
      closedAt: Date.now(),
      pull: { head: 'experiment', base: 'main', draft: true, mergedAt: null },
    });
    fixture = await startTrackerTestKernel({
      dialect: testDialects()[0]!,
      plugins: [github()],
      connection: { tracker: 'github', name: 'acme-github', settings: { baseUrl: stub.url }, secrets: { token: 'ghp_sync_token_123456' } },
    });
    test = fixture.kernel;
    connectionId = fixture.connectionId;
  });
  afterAll(async () => {
    await fixture.close();
    await stub.close();
  });

  const search = async (kind: 'issue' | 'pull_request') =>
    (await test.preloop.issues.store.search(test.preloop.accountId, { connectionId, kind, state: 'all', limit: 100 })).items;

  it('imports pull requests in every state beside the issues; the issue detail links them', async () => {
    const status = await test.preloop.issues.sync.run(test.preloop.accountId, connectionId, ['acme/web']);
    expect(status.projects).toEqual([expect.objectContaining({ project: 'acme/web', status: 'done', imported: 4 })]);
    expect((await search('issue')).map((issue) => issue.key).sort()).toEqual(['acme/web#1', 'acme/web#2']);
    const pulls = await search('pull_request');
    expect(pulls.map((pull) => [pull.key, pull.state]).sort()).toEqual([
      ['acme/web#3', 'open'],
      ['acme/web#4', 'closed'],
    ]);
    const issue = (await search('issue')).find((item) => item.number === '1')!;
    const detail = await test.preloop.issues.store.get(test.preloop.accountId, issue.id);
    expect(detail.linkedPullRequests.map((pull) => pull.key)).toEqual(['acme/web#3']);
    expect(stub.requests.some((request) => request.path.startsWith('/repos/acme/web/pulls?'))).toBe(true);
  });

  it('an import that fails while reading pull requests resumes at them, without reading the issues again', async () => {
    stub.state.addRepository('acme/api');
    stub.state.addIssue('acme/api', { title: 'Timeouts' });
    stub.state.addIssue('acme/api', {
      title: 'Raise the timeout',
      body: 'Fixes #1',
      pull: { head: 'timeout', base: 'main', draft: false, mergedAt: null },
    });
    stub.failNext({ status: 503 }, '/repos/acme/api/pulls');
    await expect(test.preloop.issues.sync.run(test.preloop.accountId, connectionId, ['acme/api'])).rejects.toMatchObject({
      code: 'TRACKER_UNAVAILABLE',
    });
    const failed = await test.preloop.issues.sync.status(test.preloop.accountId, connectionId);
    expect(failed.projects.find((project) => project.project === 'acme/api')).toMatchObject({ status: 'failed', imported: 1 });
    const issueReads = () => stub.requests.filter((request) => request.path.startsWith('/repos/acme/api/issues?')).length;
    const before = issueReads();
    const status = await test.preloop.issues.sync.run(test.preloop.accountId, connectionId, ['acme/api']);
    expect(status.projects.find((project) => project.project === 'acme/api')).toMatchObject({ status: 'done', imported: 2 });
    expect(issueReads()).toBe(before);
    expect((await search('pull_request')).map((pull) => pull.key)).toContain('acme/api#2');
  });

  it('reconciliation reads pull requests changed since the last sync (no webhook configured)', async () => {
    const pull = stub.state.findIssue('acme/web', 3)!;
    pull.state = 'closed';
    pull.closedAt = Date.now();
    pull.pull!.mergedAt = Date.now();
    pull.updatedAt = Date.now() + 1000;
    const result = await test.preloop.issues.sync.reconcile();
    expect(result.ran).toBe(true);
    expect((await search('pull_request')).find((item) => item.number === '3')).toMatchObject({ state: 'merged' });
  });
});
