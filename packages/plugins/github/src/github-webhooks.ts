/**
 * GitHub webhook deliveries: `X-Hub-Signature-256` verification (HMAC-SHA256
 * of the exact body, constant-time, with `@octokit/webhooks-methods`), the
 * `X-GitHub-Delivery` id, and the `issues`, `issue_comment` and
 * `pull_request` events as normalized tracker events.
 */

import { verify } from '@octokit/webhooks-methods';
import type { TrackerEventInput, TrackerEventType, TrackerWebhookDelivery, TrackerWebhooks } from '@preloop/core';
import { PreloopError } from '@preloop/core';
import { type GitHubIssueJson, type GitHubPullJson, toTrackerComment, toTrackerIssue, toTrackerPullRequest } from './github-mapping.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const issueActions: Record<string, TrackerEventType> = {
  opened: 'issue.opened',
  edited: 'issue.edited',
  closed: 'issue.closed',
  reopened: 'issue.reopened',
  labeled: 'issue.labeled',
  unlabeled: 'issue.unlabeled',
  assigned: 'issue.assigned',
};
const commentActions: Record<string, TrackerEventType> = { created: 'comment.created', edited: 'comment.edited' };
const pullActions: Record<string, TrackerEventType> = {
  opened: 'pull_request.opened',
  edited: 'pull_request.edited',
  reopened: 'pull_request.reopened',
};

interface GitHubPayload {
  action?: string;
  issue?: GitHubIssueJson;
  pull_request?: GitHubPullJson & { merged?: boolean };
  comment?: Parameters<typeof toTrackerComment>[0];
  label?: { name?: string };
  repository?: { full_name?: string };
  sender?: { login?: string };
}

/**
 * True when `delivery` carries a valid `X-Hub-Signature-256` for `secret`.
 * A missing header, a body that is not UTF-8 or a wrong signature is false.
 *
 * @example
 * ```ts
 * await verifyGitHubDelivery({ headers, rawBody }, webhookSecret); // true or false
 * ```
 */
export async function verifyGitHubDelivery(delivery: TrackerWebhookDelivery, secret: string): Promise<boolean> {
  const signature = delivery.headers.get('x-hub-signature-256');
  if (!signature || !secret || delivery.rawBody.byteLength === 0) return false;
  let body: string;
  try {
    body = strictUtf8.decode(delivery.rawBody);
  } catch {
    return false;
  }
  return verify(secret, body, signature);
}

/**
 * The tracker events a verified GitHub delivery carries (none for `ping` and
 * events that are not mapped). `VALIDATION_ERROR` when the body is not JSON.
 *
 * @example
 * ```ts
 * parseGitHubDelivery({ headers, rawBody }); // [{ type: 'issue.opened', project: 'acme/api', issue: {…}, … }]
 * ```
 */
export function parseGitHubDelivery(delivery: TrackerWebhookDelivery): TrackerEventInput[] {
  const event = delivery.headers.get('x-github-event') ?? '';
  let payload: GitHubPayload;
  try {
    payload = JSON.parse(strictUtf8.decode(delivery.rawBody)) as GitHubPayload;
  } catch (cause) {
    throw new PreloopError('VALIDATION_ERROR', 'The GitHub delivery is not JSON (content type must be application/json).', { cause });
  }
  const project = payload.repository?.full_name ?? '';
  const action = payload.action ?? '';
  const base = { project, issue: null, pullRequest: null, comment: null, label: null, actor: payload.sender?.login ?? null };
  if (event === 'issues' && payload.issue && issueActions[action])
    return [{ ...base, type: issueActions[action], issue: toTrackerIssue(payload.issue, project), label: payload.label?.name ?? null }];
  if (event === 'issue_comment' && payload.issue && payload.comment && commentActions[action])
    return [
      { ...base, type: commentActions[action], issue: toTrackerIssue(payload.issue, project), comment: toTrackerComment(payload.comment) },
    ];
  if (event === 'pull_request' && payload.pull_request) {
    const type = action === 'closed' ? (payload.pull_request.merged ? 'pull_request.merged' : 'pull_request.closed') : pullActions[action];
    if (type) return [{ ...base, type, pullRequest: toTrackerPullRequest(payload.pull_request, project) }];
  }
  return [];
}

/**
 * GitHub's webhooks for the tracker contract.
 *
 * @example
 * ```ts
 * const tracker = { …, webhooks: githubWebhooks };
 * ```
 */
export const githubWebhooks: TrackerWebhooks = {
  verify: verifyGitHubDelivery,
  deliveryId: (delivery) => delivery.headers.get('x-github-delivery'),
  parse: parseGitHubDelivery,
};
