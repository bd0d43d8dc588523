/**
 * The GitHub stub as the tracker conformance suite's server: a token, a
 * repository, failures in GitHub's wire format, and the documented example
 * deliveries signed as GitHub signs them.
 */

import type { TrackerWebhookDelivery } from '@preloop/core';
import type { TrackerConformanceDelivery, TrackerConformanceFailure, TrackerTestServer } from '@preloop/core/testing';
import { startGitHubStub, type GitHubStub } from './github-stub.js';
import { githubDelivery, issueCommentPayload, issuesPayload, pingPayload, pullRequestPayload } from './github-stub-webhooks.js';

/** The conformance server over a GitHub stub (the stub is `stub`). */
export interface GitHubConformanceServer extends TrackerTestServer {
  stub: GitHubStub;
}

const token = 'ghp_conformanceToken0123456789abcdefABCD';

/**
 * A delivery of the stub as the kernel receives it (headers and exact bytes).
 *
 * @example
 * ```ts
 * toWebhookDelivery(githubDelivery('ping', payload, secret));
 * ```
 */
export function toWebhookDelivery(delivery: { headers: Record<string, string>; body: string }): TrackerWebhookDelivery {
  return { headers: new Headers(delivery.headers), rawBody: new TextEncoder().encode(delivery.body) };
}

/**
 * The documented example deliveries (`issues` opened, edited, closed, labeled;
 * `issue_comment` created; `pull_request` opened, closed+merged, closed; `ping`),
 * built from the stub's own JSON and signed with `secret`.
 */
export function githubExampleDeliveries(stub: GitHubStub, project: string, secret: string): TrackerConformanceDelivery[] {
  const { state } = stub;
  const repository = state.repositoryJson(state.repositories.get(project) ?? state.addRepository(project));
  const sender = { ...state.user('octocat'), type: 'User' };
  const issue = state.addIssue(project, {
    title: 'Spelling error in the README file',
    body: 'It looks like you accidently spelled commit as comit.',
  });
  const issueJson = state.issueJson(issue, stub.url);
  const closedJson = { ...issueJson, state: 'closed', closed_at: issueJson.updated_at };
  const labeledJson = { ...issueJson, labels: [{ id: 208045946, name: 'bug', color: 'f29513', default: true, description: null }] };
  const now = state.now();
  const comment = {
    id: state.id(),
    repo: project,
    issueNumber: issue.number,
    body: 'You are totally right! I will get this fixed right away.',
    user: 'octocat',
    createdAt: now,
    updatedAt: now,
  };
  const pull = state.addIssue(project, {
    title: 'Update the README with new information.',
    body: 'This is a pretty simple change.',
    pull: { head: 'changes', base: 'main', draft: false, mergedAt: null },
  });
  const pullJson = state.pullJson(pull, stub.url);
  const mergedJson = { ...pullJson, state: 'closed', merged: true, merged_at: pullJson.updated_at, closed_at: pullJson.updated_at };
  const closedPullJson = { ...pullJson, state: 'closed', closed_at: pullJson.updated_at };
  const number = String(issue.number);
  const pullNumber = String(pull.number);
  const sign = (event: string, payload: unknown) => toWebhookDelivery(githubDelivery(event, payload, secret));
  return [
    {
      name: 'issues.opened',
      delivery: sign('issues', issuesPayload('opened', issueJson, repository, sender)),
      events: [{ type: 'issue.opened', project, number }],
    },
    {
      name: 'issues.edited',
      delivery: sign('issues', issuesPayload('edited', issueJson, repository, sender, { changes: { title: { from: 'Spelling error' } } })),
      events: [{ type: 'issue.edited', project, number }],
    },
    {
      name: 'issues.closed',
      delivery: sign('issues', issuesPayload('closed', closedJson, repository, sender)),
      events: [{ type: 'issue.closed', project, number }],
    },
    {
      name: 'issues.labeled',
      delivery: sign('issues', issuesPayload('labeled', labeledJson, repository, sender, { label: 'bug' })),
      events: [{ type: 'issue.labeled', project, number }],
    },
    {
      name: 'issue_comment.created',
      delivery: sign('issue_comment', issueCommentPayload('created', issueJson, state.commentJson(comment, stub.url), repository, sender)),
      events: [{ type: 'comment.created', project, number }],
    },
    {
      name: 'pull_request.opened',
      delivery: sign('pull_request', pullRequestPayload('opened', pullJson, repository, sender)),
      events: [{ type: 'pull_request.opened', project, number: pullNumber }],
    },
    {
      name: 'pull_request.closed (merged)',
      delivery: sign('pull_request', pullRequestPayload('closed', mergedJson, repository, sender)),
      events: [{ type: 'pull_request.merged', project, number: pullNumber }],
    },
    {
      name: 'pull_request.closed',
      delivery: sign('pull_request', pullRequestPayload('closed', closedPullJson, repository, sender)),
      events: [{ type: 'pull_request.closed', project, number: pullNumber }],
    },
    { name: 'ping', delivery: sign('ping', pingPayload(repository, sender)), events: [] },
  ];
}

/**
 * Starts a GitHub stub ready for `trackerConformance`: a token of `octocat`,
 * the repositories `acme/api` (the project), `acme/web` and `acme/prod-api`.
 *
 * @example
 * ```ts
 * trackerConformance({ tracker: githubTracker, server: () => startGitHubConformanceServer() });
 * ```
 */
export async function startGitHubConformanceServer(options: { basePath?: string; app?: boolean } = {}): Promise<GitHubConformanceServer> {
  const stub = await startGitHubStub(options.basePath ? { basePath: options.basePath } : {});
  stub.addToken(token);
  for (const name of ['acme/api', 'acme/web', 'acme/prod-api']) stub.state.addRepository(name);
  const app = options.app ? stub.createApp() : null;
  const failures: Record<TrackerConformanceFailure, Parameters<GitHubStub['failNext']>[0]> = {
    forbidden: {
      status: 403,
      body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' },
    },
    'rate-limited': {
      status: 403,
      headers: {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 30),
      },
      body: { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/rate-limit' },
    },
    unavailable: { status: 503, body: { message: 'Service Unavailable' } },
  };
  return {
    stub,
    settings: app ? { baseUrl: stub.url, appId: app.appId, installationId: app.installationId } : { baseUrl: stub.url },
    secrets: app ? { privateKey: app.privateKey } : { token },
    project: 'acme/api',
    failNext: (failure) => stub.failNext(failures[failure]),
    webhookExamples: (secret) => githubExampleDeliveries(stub, 'acme/web', secret),
    withoutSignature(delivery) {
      const headers = new Headers(delivery.headers);
      headers.delete('x-hub-signature-256');
      headers.delete('x-hub-signature');
      return { headers, rawBody: delivery.rawBody };
    },
    close: () => stub.close(),
  };
}
