/**
 * The GitLab stub as the tracker conformance suite's server: a project access
 * token, the projects `acme/api` (the suite's), `acme/web` and `acme/prod-api`,
 * failures in GitLab's wire format, and documented example hooks (Issue, Note,
 * Merge Request, and a Push Hook that maps to no event) with the secret token
 * and GitLab's signature.
 */
import type { TrackerWebhookDelivery } from '@preloop/core';
import type { TrackerConformanceDelivery, TrackerConformanceFailure, TrackerTestServer } from '@preloop/core/testing';
import { gitlabHookHeaders, issueHook, mergeRequestHook, noteHook } from './gitlab-hooks.js';
import { type GitLabStub, startGitLabStub } from './gitlab-stub.js';

/** The conformance server over a GitLab stub (the stub is `stub`). */
export interface GitLabConformanceServer extends TrackerTestServer {
  stub: GitLabStub;
}

const token = 'glpat-conformance-0123456789abcdef';

/** A signed delivery as the kernel receives it. */
function delivery(event: string, payload: unknown, secret: string): TrackerWebhookDelivery {
  const body = JSON.stringify(payload);
  const headers = gitlabHookHeaders(event, secret, 'https://gitlab.example.com', { signingToken: secret, body });
  return { headers: new Headers(headers), rawBody: new TextEncoder().encode(body) };
}

/**
 * The documented example hooks for `acme/web`, built from the stub's REST JSON
 * and signed with `secret`.
 */
export function gitlabExampleDeliveries(stub: GitLabStub, secret: string): TrackerConformanceDelivery[] {
  const project = stub.projects.find((candidate) => candidate.path_with_namespace === 'acme/web')!;
  const projectJson = stub.json.project(project);
  const user = stub.users[1]!;
  const issue = stub.addIssue(project, {
    title: 'New API: create/update/delete file',
    description: 'Create new API for manipulations with repository',
    labels: ['API'],
  });
  const issueJson = stub.json.issue(project, issue, 'issues');
  const closedJson = { ...issueJson, state: 'closed', closed_at: issueJson.updated_at };
  const mergeRequest = stub.addMergeRequest(project, {
    title: 'MS-Viewport',
    description: 'Adds a viewport meta tag.',
    source_branch: 'ms-viewport',
    target_branch: 'main',
  });
  const mergeRequestJson = stub.json.issue(project, mergeRequest, 'merge_requests');
  const mergedJson = { ...mergeRequestJson, state: 'merged', merged_at: mergeRequestJson.updated_at };
  const note = { id: 1241, body: 'Hello world', author: user, system: false, created_at: issue.created_at, updated_at: issue.created_at };
  const path = 'acme/web';
  const number = String(issue.iid);
  const mergeRequestNumber = `!${mergeRequest.iid}`;
  return [
    {
      name: 'Issue Hook (open)',
      delivery: delivery('Issue Hook', issueHook(issueJson, projectJson, user, 'open', {}), secret),
      events: [{ type: 'issue.opened', project: path, number }],
    },
    {
      name: 'Issue Hook (update: title)',
      delivery: delivery(
        'Issue Hook',
        issueHook(issueJson, projectJson, user, 'update', { title: { previous: 'New API', current: issueJson.title } }),
        secret,
      ),
      events: [{ type: 'issue.edited', project: path, number }],
    },
    {
      name: 'Issue Hook (update: label added)',
      delivery: delivery(
        'Issue Hook',
        issueHook({ ...issueJson, labels: ['API', 'bug'] }, projectJson, user, 'update', {
          labels: { previous: ['API'], current: ['API', 'bug'] },
        }),
        secret,
      ),
      events: [{ type: 'issue.labeled', project: path, number }],
    },
    {
      name: 'Issue Hook (close)',
      delivery: delivery('Issue Hook', issueHook(closedJson, projectJson, user, 'close', {}), secret),
      events: [{ type: 'issue.closed', project: path, number }],
    },
    {
      name: 'Note Hook (issue)',
      delivery: delivery(
        'Note Hook',
        noteHook(stub.json.note(note, issue, 'Issue'), issueJson, projectJson, user, 'Issue', 'create'),
        secret,
      ),
      events: [{ type: 'comment.created', project: path, number }],
    },
    {
      name: 'Merge Request Hook (open)',
      delivery: delivery('Merge Request Hook', mergeRequestHook(mergeRequestJson, projectJson, user, 'open', {}), secret),
      events: [{ type: 'pull_request.opened', project: path, number: mergeRequestNumber }],
    },
    {
      name: 'Merge Request Hook (merge)',
      delivery: delivery('Merge Request Hook', mergeRequestHook(mergedJson, projectJson, user, 'merge', {}), secret),
      events: [{ type: 'pull_request.merged', project: path, number: mergeRequestNumber }],
    },
    {
      name: 'Push Hook',
      delivery: delivery(
        'Push Hook',
        { object_kind: 'push', event_name: 'push', ref: 'refs/heads/main', user_username: user.username, project: projectJson },
        secret,
      ),
      events: [],
    },
  ];
}

/**
 * Starts a GitLab stub ready for `trackerConformance`.
 *
 * @example
 * ```ts
 * trackerConformance({ tracker: gitlabTracker, server: () => startGitLabConformanceServer() });
 * ```
 */
export async function startGitLabConformanceServer(options: { pathPrefix?: string } = {}): Promise<GitLabConformanceServer> {
  const stub = await startGitLabStub({ tokens: { [token]: 'root' }, ...(options.pathPrefix ? { pathPrefix: options.pathPrefix } : {}) });
  for (const path of ['acme/api', 'acme/web', 'acme/prod-api']) stub.addProject(path);
  const failures: Record<TrackerConformanceFailure, [number, Record<string, string>, unknown]> = {
    forbidden: [403, {}, { message: '403 Forbidden' }],
    'rate-limited': [429, { 'retry-after': '30' }, 'Retry later'],
    unavailable: [502, { 'content-type': 'text/html' }, '<html><body><h1>502 Bad Gateway</h1></body></html>'],
  };
  return {
    stub,
    settings: { baseUrl: stub.url },
    secrets: { token },
    project: 'acme/api',
    failNext: (failure) => stub.failNext(...failures[failure]),
    webhookExamples: (secret) => gitlabExampleDeliveries(stub, secret),
    withoutSignature(original) {
      const headers = new Headers(original.headers);
      for (const name of ['x-gitlab-token', 'webhook-signature', 'webhook-timestamp', 'webhook-id']) headers.delete(name);
      return { headers, rawBody: original.rawBody };
    },
    close: () => stub.close(),
  };
}
