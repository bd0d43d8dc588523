/**
 * Webhook deliveries as GitHub sends them: the documented payload shapes of
 * `issues`, `issue_comment`, `pull_request` and `ping`, the headers
 * (`X-GitHub-Event`, `X-GitHub-Delivery`, `X-Hub-Signature-256`,
 * `X-Hub-Signature`, `User-Agent: GitHub-Hookshot/…`) and the HMAC signatures.
 */

import { createHmac, randomUUID } from 'node:crypto';

/** One delivery: the event name, its JSON body and the headers GitHub sends with it. */
export interface GitHubDelivery {
  event: string;
  id: string;
  body: string;
  headers: Record<string, string>;
}

/**
 * Builds a delivery of `event` with `payload`, signed with `secret` as GitHub
 * signs (HMAC-SHA256 of the exact body, `sha256=<hex>`; and the legacy SHA-1).
 * `secret: null` sends no signature headers.
 */
export function githubDelivery(event: string, payload: unknown, secret: string | null, id: string = randomUUID()): GitHubDelivery {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/5f1c6a1',
    'x-github-event': event,
    'x-github-delivery': id,
    'x-github-hook-id': '292887',
    'x-github-hook-installation-target-type': 'repository',
    'x-github-hook-installation-target-id': '1296269',
  };
  if (secret !== null) {
    headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    headers['x-hub-signature'] = `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
  }
  return { event, id, body, headers };
}

/** POSTs `delivery` to `url` as GitHub does; answers the receiver's status. */
export async function sendGitHubDelivery(url: string, delivery: GitHubDelivery): Promise<Response> {
  return fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
}

/** An `issues` payload (`opened`, `edited`, `closed`, `reopened`, `labeled`, `unlabeled`, `assigned`). */
export function issuesPayload(
  action: string,
  issue: unknown,
  repository: unknown,
  sender: unknown,
  extra: { label?: string; changes?: Record<string, { from: string }>; assignee?: unknown } = {},
) {
  return {
    action,
    issue,
    ...(extra.changes ? { changes: extra.changes } : {}),
    ...(extra.label ? { label: { id: 208045946, name: extra.label, color: 'f29513', default: false, description: null } } : {}),
    ...(extra.assignee ? { assignee: extra.assignee } : {}),
    repository,
    sender,
  };
}

/** An `issue_comment` payload (`created`, `edited`). */
export function issueCommentPayload(action: string, issue: unknown, comment: unknown, repository: unknown, sender: unknown) {
  return { action, issue, comment, repository, sender };
}

/** A `pull_request` payload (`opened`, `edited`, `closed` — with `merged: true` when merged — `reopened`). */
export function pullRequestPayload(action: string, pullRequest: { number: number }, repository: unknown, sender: unknown) {
  return { action, number: pullRequest.number, pull_request: pullRequest, repository, sender };
}

/** The `ping` payload GitHub sends when a webhook is created. */
export function pingPayload(repository: unknown, sender: unknown) {
  return {
    zen: 'Keep it logically awesome.',
    hook_id: 292887,
    hook: {
      type: 'Repository',
      id: 292887,
      name: 'web',
      active: true,
      events: ['issues', 'issue_comment', 'pull_request'],
      config: { content_type: 'json', insecure_ssl: '0', url: 'https://preloop.example.com/api/v1/trackers/webhooks/trk_1' },
    },
    repository,
    sender,
  };
}
