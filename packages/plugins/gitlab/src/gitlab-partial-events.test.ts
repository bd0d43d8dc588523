/**
 * GitLab's hooks name no author of an item they did not open (Note Hooks,
 * updates): the plugin marks those events `partial`, and the issue store reads
 * the whole issue through the connection before writing it; when GitLab cannot
 * answer, the stored author (and every other stored field) is kept.
 */
import type { Preloop } from '@preloop/core';
import { firstStoredIssue, nextIssueSynced, startTrackerTestKernel, testDialects, type TrackerTestKernel } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitlab } from './index.js';
import { gitlabHookHeaders } from './test-support/gitlab-hooks.js';
import { startGitLabStub, type GitLabStub } from './test-support/gitlab-stub.js';

describe('GitLab events with a partial issue', () => {
  let stub: GitLabStub;
  let fixture: TrackerTestKernel;
  let preloop: Preloop;
  let connectionId: string;
  let webhook: { url: string; secret: string };

  beforeAll(async () => {
    stub = await startGitLabStub();
    const project = stub.addProject('acme/web');
    stub.addIssue(project, { title: 'Login crash', description: 'Steps to reproduce.', labels: ['bug'] });
    fixture = await startTrackerTestKernel({
      dialect: testDialects()[0]!,
      plugins: [gitlab()],
      connection: { tracker: 'gitlab', name: 'acme-gitlab', settings: { baseUrl: stub.url }, secrets: { token: 'glpat-test' } },
    });
    preloop = fixture.kernel.preloop;
    connectionId = fixture.connectionId;
    webhook = { url: fixture.webhookUrl, secret: fixture.webhookSecret };
    stub.setWebhook(webhook);
    await preloop.issues.sync.run(preloop.accountId, connectionId, ['acme/web']);
  });
  afterAll(async () => {
    await fixture?.close();
    await stub?.close();
  });

  const partial = () => fixture.events.map((event) => event.partial === true);
  const synced = () => nextIssueSynced(preloop);
  const stored = () => firstStoredIssue(preloop, connectionId);

  it('a Note Hook (no author in its issue) keeps the issue whole: the store reads it from GitLab', async () => {
    const imported = await stored();
    expect(imported.author).toBe('root');
    const client = await preloop.trackers.client(preloop.accountId, connectionId);
    const written = synced();
    await client.addComment({ project: 'acme/web', number: '1' }, 'Reproduced.');
    await written;
    expect(partial()).toEqual([true]);
    const after = await stored();
    expect(after).toMatchObject({ title: 'Login crash', body: 'Steps to reproduce.', labels: ['bug'], author: imported.author });
    expect(after.comments.map((comment) => comment.body)).toEqual(['Reproduced.']);
  });

  it('when GitLab cannot be reached, the partial issue is merged without emptying the stored author', async () => {
    const { body } = stub.deliveries.at(-1)!;
    stub.failNext(503);
    const written = synced();
    const response = await fetch(webhook.url, { method: 'POST', headers: gitlabHookHeaders('Note Hook', webhook.secret), body });
    expect(response.status).toBe(202);
    await written;
    expect(await stored()).toMatchObject({ title: 'Login crash', body: 'Steps to reproduce.', labels: ['bug'], author: 'root' });
  });
});
