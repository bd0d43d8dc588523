/**
 * GitLab webhooks: `X-Gitlab-Token` verification (good, forged, missing), the
 * delivery id, and parsing of Issue, Note and Merge Request Hooks shaped like
 * GitLab's documented examples, as the local GitLab sends them over HTTP when
 * changes are made through the API.
 */
import type { TrackerClient, TrackerPullRequests, TrackerWebhookDelivery } from '@preloop/core';
import { startTrackerWebhookReceiver, type TrackerWebhookReceiver } from '@preloop/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gitlabTracker } from './gitlab-tracker.js';
import { gitlabWebhooks } from './gitlab-webhooks.js';
import { gitlabHookHeaders, issueHook, mergeRequestHook, noteHook } from './test-support/gitlab-hooks.js';
import { type GitLabStub, startGitLabStub } from './test-support/gitlab-stub.js';

const secret = 'whsec-gitlab-test';
let stub: GitLabStub;
let receiver: TrackerWebhookReceiver;
let client: TrackerClient & { pullRequests: TrackerPullRequests };

/** What the receiver got since the last call: each delivery verified, then parsed. */
function drain() {
  const deliveries = receiver.received.splice(0);
  for (const delivery of deliveries) expect(gitlabWebhooks.verify(delivery, secret)).toBe(true);
  return deliveries.flatMap((delivery) => gitlabWebhooks.parse(delivery));
}

function deliveryOf(body: unknown, headers: Record<string, string>): TrackerWebhookDelivery {
  return { headers: new Headers(headers), rawBody: new TextEncoder().encode(JSON.stringify(body)) };
}

beforeAll(async () => {
  receiver = await startTrackerWebhookReceiver();
  stub = await startGitLabStub({ webhook: { url: receiver.url, secret } });
  stub.addProject('acme/app');
  client = (await gitlabTracker().connect({ settings: { baseUrl: stub.url }, secrets: { token: 'glpat-test' } })) as typeof client;
});
afterAll(async () => {
  await stub.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.received.length = 0;
});

describe('GitLab webhook verification', () => {
  const body = { object_kind: 'issue' };

  it('accepts the secret token, refuses a forged or missing one', async () => {
    await client.createIssue({ project: 'acme/app', title: 'Signed' });
    const [delivery] = receiver.received;
    expect(delivery!.headers.get('x-gitlab-token')).toBe(secret);
    expect(gitlabWebhooks.verify(delivery!, secret)).toBe(true);
    expect(gitlabWebhooks.verify(delivery!, 'another-secret')).toBe(false);
    expect(gitlabWebhooks.verify(deliveryOf(body, gitlabHookHeaders('Issue Hook', 'forged')), secret)).toBe(false);
    expect(gitlabWebhooks.verify(deliveryOf(body, gitlabHookHeaders('Issue Hook', `${secret}x`)), secret)).toBe(false);
    expect(gitlabWebhooks.verify(deliveryOf(body, gitlabHookHeaders('Issue Hook', null)), secret)).toBe(false);
    expect(gitlabWebhooks.verify(deliveryOf(body, gitlabHookHeaders('Issue Hook', '')), '')).toBe(false);
  });

  it('with a signing token (whsec_…), GitLab signs the body: the signature is checked and then required', async () => {
    const signingToken = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    stub.setWebhook({ url: receiver.url, secret: signingToken });
    try {
      await client.createIssue({ project: 'acme/app', title: 'Signed body' });
      const [delivery] = receiver.received.splice(0);
      expect(delivery!.headers.get('webhook-signature')).toMatch(/^v1,/);
      expect(delivery!.headers.get('webhook-id')).toBe(delivery!.headers.get('idempotency-key'));
      expect(gitlabWebhooks.verify(delivery!, signingToken)).toBe(true);
      const text = new TextDecoder().decode(delivery!.rawBody);
      const forged = { headers: delivery!.headers, rawBody: new TextEncoder().encode(text.replace('Signed body', 'Forged body')) };
      expect(gitlabWebhooks.verify(forged, signingToken)).toBe(false);
      const unsigned = new Headers(delivery!.headers);
      unsigned.delete('webhook-signature');
      expect(gitlabWebhooks.verify({ headers: unsigned, rawBody: delivery!.rawBody }, signingToken)).toBe(false);
    } finally {
      stub.setWebhook({ url: receiver.url, secret });
    }
  });

  it('the delivery id is Idempotency-Key, else X-Gitlab-Event-UUID, else none', () => {
    const headers = gitlabHookHeaders('Issue Hook', secret);
    expect(gitlabWebhooks.deliveryId(deliveryOf(body, headers))).toBe(headers['idempotency-key']);
    const { 'idempotency-key': _, ...older } = headers;
    expect(gitlabWebhooks.deliveryId(deliveryOf(body, older))).toBe(headers['x-gitlab-event-uuid']);
    const { 'x-gitlab-event-uuid': __, ...none } = older;
    expect(gitlabWebhooks.deliveryId(deliveryOf(body, none))).toBeNull();
  });
});

describe('GitLab webhook parsing', () => {
  it('Issue Hook: open, update (title, labels added and removed, assignees), close, reopen', async () => {
    const created = await client.createIssue({ project: 'acme/app', title: 'Crash on save', labels: ['bug'] });
    expect(drain()).toMatchObject([
      {
        type: 'issue.opened',
        project: 'acme/app',
        actor: 'root',
        issue: { key: `acme/app#${created.number}`, title: 'Crash on save', labels: ['bug'], author: 'root', state: 'open' },
      },
    ]);
    const ref = { project: 'acme/app', number: created.number };
    await client.updateIssue(ref, { title: 'Crash on save (Windows)' });
    expect(drain()).toMatchObject([{ type: 'issue.edited', issue: { title: 'Crash on save (Windows)' }, label: null }]);
    await client.updateIssue(ref, { labels: ['p1', 'windows'] });
    const labelled = drain();
    expect(labelled.map((event) => [event.type, event.label])).toEqual([
      ['issue.labeled', 'p1'],
      ['issue.labeled', 'windows'],
      ['issue.unlabeled', 'bug'],
    ]);
    expect(labelled[0]!.issue!.labels).toEqual(['p1', 'windows']);
    await client.updateIssue(ref, { assignees: ['ada'] });
    expect(drain()).toMatchObject([{ type: 'issue.assigned', issue: { assignees: ['ada'] } }]);
    await client.updateIssue(ref, { state: 'closed' });
    const [closed] = drain();
    expect(closed).toMatchObject({ type: 'issue.closed', issue: { state: 'closed' } });
    expect(closed!.issue!.closedAt).toBeGreaterThan(0);
    await client.updateIssue(ref, { state: 'open' });
    expect(drain()).toMatchObject([{ type: 'issue.reopened', issue: { state: 'open', closedAt: null } }]);
  });

  it('Note Hook: a comment created and edited on an issue, and one on a merge request', async () => {
    const issue = await client.createIssue({ project: 'acme/app', title: 'Needs a comment' });
    drain();
    const comment = await client.addComment({ project: 'acme/app', number: issue.number }, 'First!');
    const [created] = drain();
    expect(created).toMatchObject({
      type: 'comment.created',
      project: 'acme/app',
      actor: 'root',
      comment: { id: comment.id, body: 'First!', author: 'root', url: comment.url },
      issue: { number: issue.number, title: 'Needs a comment', url: issue.url },
      pullRequest: null,
    });
    await client.updateComment({ project: 'acme/app', number: issue.number }, comment.id, 'First, edited');
    expect(drain()).toMatchObject([{ type: 'comment.edited', comment: { id: comment.id, body: 'First, edited' } }]);
    const mergeRequest = await client.pullRequests.create({
      project: 'acme/app',
      title: 'Add search',
      sourceBranch: 'search',
      targetBranch: 'main',
    });
    drain();
    await client.addComment({ project: 'acme/app', number: mergeRequest.number }, 'Looks good');
    expect(drain()).toMatchObject([
      {
        type: 'comment.created',
        issue: null,
        pullRequest: { number: mergeRequest.number, key: mergeRequest.key, sourceBranch: 'search' },
        comment: { body: 'Looks good' },
      },
    ]);
  });

  it('Merge Request Hook: open, update, close, reopen, merge; approvals carry no event', async () => {
    const created = await client.pullRequests.create({
      project: 'acme/app',
      title: 'Draft: Faster builds',
      sourceBranch: 'faster',
      targetBranch: 'main',
    });
    expect(drain()).toMatchObject([
      {
        type: 'pull_request.opened',
        issue: null,
        pullRequest: { number: created.number, draft: true, state: 'open', targetBranch: 'main', author: 'root' },
      },
    ]);
    const ref = { project: 'acme/app', number: created.number };
    await client.pullRequests.update(ref, { title: 'Faster builds' });
    expect(drain()).toMatchObject([{ type: 'pull_request.edited', pullRequest: { title: 'Faster builds', draft: false } }]);
    await client.pullRequests.update(ref, { state: 'closed' });
    expect(drain()).toMatchObject([{ type: 'pull_request.closed', pullRequest: { state: 'closed' } }]);
    await client.pullRequests.update(ref, { state: 'open' });
    expect(drain()).toMatchObject([{ type: 'pull_request.reopened', pullRequest: { state: 'open' } }]);
    // Merging happens in GitLab's UI: the hook as GitLab documents it.
    const merged = {
      ...((await client.pullRequests.get(ref)).raw as Record<string, unknown>),
      state: 'merged',
      merged_at: '2026-02-03T09:00:00.000Z',
    };
    const user = { id: 2, username: 'ada', name: 'Ada Lovelace' };
    const project = { id: 1, name: 'app', path_with_namespace: 'acme/app', web_url: `${stub.url}/acme/app` };
    const events = gitlabWebhooks.parse(
      deliveryOf(mergeRequestHook(merged, project, user, 'merge', {}), gitlabHookHeaders('Merge Request Hook', secret)),
    );
    expect(events).toMatchObject([{ type: 'pull_request.merged', actor: 'ada', pullRequest: { state: 'merged', key: created.key } }]);
    expect(
      gitlabWebhooks.parse(
        deliveryOf(mergeRequestHook(merged, project, user, 'approved', {}), gitlabHookHeaders('Merge Request Hook', secret)),
      ),
    ).toEqual([]);
  });

  it('older hooks (no action on notes, times as "2017-09-15 16:50:55 UTC"), system notes, notes on commits and other hooks', () => {
    const project = { id: 1, name: 'app', path_with_namespace: 'acme/app', web_url: 'https://gitlab.example.com/acme/app' };
    const user = { id: 1, username: 'root', name: 'Administrator' };
    const issue = {
      id: 301,
      iid: 23,
      title: 'New API: create/update/delete file',
      description: 'Create new API for manipulations with repository',
      state: 'opened',
      created_at: '2013-12-03 17:15:43 UTC',
      updated_at: '2013-12-03 17:15:43 UTC',
      closed_at: null,
      labels: ['API'],
      assignees: [],
      author: user,
      web_url: 'https://gitlab.example.com/acme/app/-/issues/23',
    };
    const [opened] = gitlabWebhooks.parse(deliveryOf(issueHook(issue, project, user, 'open', {}), gitlabHookHeaders('Issue Hook', secret)));
    expect(opened!.issue).toMatchObject({ createdAt: Date.UTC(2013, 11, 3, 17, 15, 43), labels: ['API'], url: issue.web_url });
    const note = {
      id: 1241,
      body: 'Hello world',
      author: user,
      system: false,
      created_at: '2015-05-17 17:06:40 UTC',
      updated_at: '2015-05-17 17:06:40 UTC',
    };
    const { action: _, ...oldNote } = noteHook(note, issue, project, user, 'Issue', 'create').object_attributes;
    const older = { ...noteHook(note, issue, project, user, 'Issue', 'create'), object_attributes: oldNote };
    expect(gitlabWebhooks.parse(deliveryOf(older, gitlabHookHeaders('Note Hook', secret)))).toMatchObject([
      {
        type: 'comment.created',
        comment: { body: 'Hello world', url: `${issue.web_url}#note_1241` },
        issue: { number: '23', url: issue.web_url },
      },
    ]);
    const system = noteHook({ ...note, system: true }, issue, project, user, 'Issue', 'create');
    expect(gitlabWebhooks.parse(deliveryOf(system, gitlabHookHeaders('Note Hook', secret)))).toEqual([]);
    const onCommit = { ...older, object_attributes: { ...oldNote, noteable_type: 'Commit' }, issue: undefined, commit: { id: 'cfe32cf6' } };
    expect(gitlabWebhooks.parse(deliveryOf(onCommit, gitlabHookHeaders('Note Hook', secret)))).toEqual([]);
    expect(
      gitlabWebhooks.parse(deliveryOf({ object_kind: 'push', ref: 'refs/heads/main' }, gitlabHookHeaders('Push Hook', secret))),
    ).toEqual([]);
    expect(() => gitlabWebhooks.parse(deliveryOf('not an object', gitlabHookHeaders('Issue Hook', secret)))).toThrow(/not a JSON object/);
  });
});
