/**
 * The issue sync imports a GitLab project's merge requests as well as its
 * issues (`pullRequests.list`), so an issue's linked merge requests are
 * complete after an import without any webhook, and reconciliation picks up a
 * merge request changed while no webhook was delivered.
 */
import { startTrackerTestKernel, testDialects, type TestPreloop, type TrackerTestKernel } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitlab } from './index.js';
import { startGitLabStub, type GitLabStub } from './test-support/gitlab-stub.js';

describe('issue sync of a GitLab project', () => {
  let stub: GitLabStub;
  let fixture: TrackerTestKernel;
  let test: TestPreloop;
  let connectionId: string;

  beforeAll(async () => {
    stub = await startGitLabStub();
    const project = stub.addProject('acme/web');
    stub.addIssue(project, { title: 'Login crashes on Safari' });
    stub.addIssue(project, { title: 'Dark mode' });
    stub.addMergeRequest(project, {
      title: 'Fix the Safari login crash',
      description: 'Closes #1',
      source_branch: 'fix',
      target_branch: 'main',
    });
    stub.addMergeRequest(project, {
      title: 'Release 1.2',
      source_branch: 'release',
      target_branch: 'main',
      state: 'merged',
      merged_at: new Date().toISOString(),
    });
    fixture = await startTrackerTestKernel({
      dialect: testDialects()[0]!,
      plugins: [gitlab()],
      connection: { tracker: 'gitlab', name: 'acme-gitlab', settings: { baseUrl: stub.url }, secrets: { token: 'glpat-test' } },
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

  it('imports merge requests in every state beside the issues; the issue detail links them', async () => {
    const status = await test.preloop.issues.sync.run(test.preloop.accountId, connectionId, ['acme/web']);
    expect(status.projects).toEqual([expect.objectContaining({ project: 'acme/web', status: 'done', imported: 4 })]);
    expect((await search('issue')).map((issue) => issue.key).sort()).toEqual(['acme/web#1', 'acme/web#2']);
    expect((await search('pull_request')).map((pull) => [pull.key, pull.state]).sort()).toEqual([
      ['acme/web!1', 'open'],
      ['acme/web!2', 'merged'],
    ]);
    const issue = (await search('issue')).find((item) => item.key === 'acme/web#1')!;
    const detail = await test.preloop.issues.store.get(test.preloop.accountId, issue.id);
    expect(detail.linkedPullRequests.map((pull) => pull.key)).toEqual(['acme/web!1']);
  });

  it('reconciliation reads merge requests changed since the last sync (no webhook configured)', async () => {
    const mergeRequest = stub.projects[0]!.mergeRequests[0]!;
    mergeRequest.state = 'closed';
    mergeRequest.closed_at = mergeRequest.updated_at = new Date(Date.now() + 1000).toISOString();
    expect((await test.preloop.issues.sync.reconcile()).ran).toBe(true);
    expect((await search('pull_request')).find((item) => item.key === 'acme/web!1')).toMatchObject({ state: 'closed' });
  });
});
