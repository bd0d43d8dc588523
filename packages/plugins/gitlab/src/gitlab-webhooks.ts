import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { TrackerEventInput, TrackerEventType, TrackerWebhookDelivery, TrackerWebhooks } from '@preloop/core';
import {
  type GitLabIssueLike,
  type GitLabNoteLike,
  labelNames,
  toTrackerComment,
  toTrackerIssue,
  toTrackerPullRequest,
} from './gitlab-normalize.js';

/** The parts of a GitLab webhook body this plugin reads (Issue, Note and Merge Request Hooks). */
interface GitLabHookBody {
  object_kind?: string;
  user?: { username?: string };
  project?: { path_with_namespace?: string; web_url?: string };
  object_attributes?: Record<string, unknown> & { action?: string };
  assignees?: Array<{ username?: string }>;
  labels?: Array<{ title: string }>;
  changes?: Record<string, { previous?: unknown; current?: unknown } | undefined>;
  issue?: GitLabIssueLike;
  merge_request?: GitLabIssueLike;
}

/** Compares two strings in time independent of where they differ (both hashed to one length first). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected)) && expected.length > 0;
}

/** How far a signed delivery's `webhook-timestamp` may be from now, in seconds (Standard Webhooks' recommendation). */
export const gitlabSignatureToleranceSeconds = 300;

/**
 * The HMAC key of a GitLab signing token: `whsec_<base64>` is the base64-decoded
 * key (GitLab's format, from Standard Webhooks); any other secret is its own bytes.
 */
function signingKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

/**
 * The `webhook-signature` GitLab sends with a signing token: `v1,` and the
 * base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>`.
 *
 * @example
 * ```ts
 * const signature = signGitLabWebhook(idempotencyKey, Math.floor(Date.now() / 1000), body, 'whsec_…');
 * ```
 */
export function signGitLabWebhook(id: string, timestamp: number | string, rawBody: Uint8Array | string, secret: string): string {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody);
  return `v1,${createHmac('sha256', signingKey(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64')}`;
}

function signedCorrectly(delivery: TrackerWebhookDelivery, signatures: string, secret: string): boolean {
  const id = delivery.headers.get('webhook-id');
  const timestamp = delivery.headers.get('webhook-timestamp');
  if (!id || !timestamp || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > gitlabSignatureToleranceSeconds) return false;
  const expected = Buffer.from(signGitLabWebhook(id, timestamp, delivery.rawBody, secret));
  // The header may list several space-separated signatures (during a signing token rotation).
  return signatures.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Changes of an Issue Hook that are not edits of their own (labels and assignees have their events; the rest is bookkeeping). */
const notEdits = new Set([
  'labels',
  'assignees',
  'updated_at',
  'updated_by_id',
  'last_edited_at',
  'last_edited_by_id',
  'total_time_spent',
  'time_change',
]);

function issueEvents(body: GitLabHookBody, project: string, actor: string | null): TrackerEventInput[] {
  const attributes = body.object_attributes as unknown as GitLabIssueLike & { action?: string };
  const issue = toTrackerIssue(
    { ...attributes, assignees: body.assignees ?? [], author: attributes.action === 'open' ? { username: actor ?? undefined } : null },
    project,
  );
  const event = (type: TrackerEventType, label: string | null = null): TrackerEventInput => ({
    type,
    project,
    issue,
    pullRequest: null,
    comment: null,
    label,
    actor,
    // Only an `open` hook names the author (the actor): the store reads the whole issue for the others.
    ...(issue.author === null ? { partial: true } : {}),
  });
  switch (attributes.action) {
    case 'open':
      return [event('issue.opened')];
    case 'close':
      return [event('issue.closed')];
    case 'reopen':
      return [event('issue.reopened')];
    case 'update': {
      const changes = body.changes ?? {};
      const events: TrackerEventInput[] = [];
      const labels = changes.labels;
      if (labels) {
        const before = new Set(labelNames(labels.previous as GitLabIssueLike['labels']));
        const after = new Set(labelNames(labels.current as GitLabIssueLike['labels']));
        for (const name of after) if (!before.has(name)) events.push(event('issue.labeled', name));
        for (const name of before) if (!after.has(name)) events.push(event('issue.unlabeled', name));
      }
      if (changes.assignees) events.push(event('issue.assigned'));
      if (Object.keys(changes).some((name) => !notEdits.has(name)) || events.length === 0) events.unshift(event('issue.edited'));
      return events;
    }
    default:
      return [];
  }
}

const mergeRequestActions: Record<string, TrackerEventType> = {
  open: 'pull_request.opened',
  update: 'pull_request.edited',
  close: 'pull_request.closed',
  reopen: 'pull_request.reopened',
  merge: 'pull_request.merged',
};

function mergeRequestEvents(body: GitLabHookBody, project: string, actor: string | null): TrackerEventInput[] {
  const attributes = body.object_attributes as unknown as GitLabIssueLike & { action?: string };
  const type = mergeRequestActions[attributes.action ?? ''];
  if (!type) return []; // approved, unapproved, approval…: not in the contract
  const pullRequest = toTrackerPullRequest(
    { ...attributes, assignees: body.assignees ?? [], author: type === 'pull_request.opened' ? { username: actor ?? undefined } : null },
    project,
  );
  return [
    {
      type,
      project,
      issue: null,
      pullRequest,
      comment: null,
      label: null,
      actor,
      ...(pullRequest.author === null ? { partial: true } : {}),
    },
  ];
}

function noteEvents(body: GitLabHookBody, project: string, actor: string | null): TrackerEventInput[] {
  const note = body.object_attributes as unknown as GitLabNoteLike & { noteable_type?: string; action?: string };
  if (note.system) return [];
  const type: TrackerEventType = note.action === 'update' ? 'comment.edited' : 'comment.created';
  const comment = toTrackerComment(note, '', actor);
  // The Note Hook's issue carries no URL of its own: it is the project's page plus the iid.
  const pageOf = (target: GitLabIssueLike, kind: string) =>
    target.url ?? target.web_url ?? `${body.project?.web_url ?? ''}/-/${kind}/${target.iid}`;
  if (note.noteable_type === 'Issue' && body.issue) {
    const issue = toTrackerIssue({ ...body.issue, author: null, url: pageOf(body.issue, 'issues') }, project);
    // A Note Hook's issue has no author: partial.
    return [{ type, project, issue, pullRequest: null, comment, label: null, actor, partial: true }];
  }
  if (note.noteable_type === 'MergeRequest' && body.merge_request) {
    const pullRequest = toTrackerPullRequest(
      { ...body.merge_request, author: null, url: pageOf(body.merge_request, 'merge_requests') },
      project,
    );
    return [{ type, project, issue: null, pullRequest, comment, label: null, actor, partial: true }];
  }
  return []; // notes on commits and snippets
}

function bodyOf(delivery: TrackerWebhookDelivery): GitLabHookBody {
  const parsed = JSON.parse(new TextDecoder().decode(delivery.rawBody)) as unknown;
  if (typeof parsed !== 'object' || parsed === null) throw new TypeError('GitLab webhook body is not a JSON object.');
  return parsed as GitLabHookBody;
}

/**
 * GitLab's webhooks. A delivery is authentic when its `X-Gitlab-Token` equals
 * the connection's webhook secret (compared in constant time) and, when it
 * carries GitLab's signature (`webhook-signature`, a signing token: Standard
 * Webhooks' HMAC-SHA256 over `webhook-id.webhook-timestamp.body`, within five
 * minutes), that signature matches. A secret in signing-token format
 * (`whsec_…`) requires the signature: the token alone does not cover the body.
 * The delivery id is `Idempotency-Key`
 * (GitLab 17.4+, the same across retries) or else `X-Gitlab-Event-UUID`;
 * Issue Hooks (open, update, close, reopen; label changes from
 * `changes.labels`), Note Hooks (comments on issues and merge requests, system
 * notes left out) and Merge Request Hooks (open, update, close, merge, reopen)
 * become tracker events. Confidential issue and note hooks read the same.
 *
 * @example
 * ```ts
 * const ok = gitlabWebhooks.verify({ headers, rawBody }, webhookSecret);
 * const events = ok ? gitlabWebhooks.parse({ headers, rawBody }) : [];
 * ```
 */
export const gitlabWebhooks: TrackerWebhooks = {
  verify(delivery, secret) {
    if (secret === '') return false;
    const token = delivery.headers.get('x-gitlab-token');
    const signature = delivery.headers.get('webhook-signature');
    if (token === null && signature === null) return false;
    if (token !== null && !sameSecret(token, secret)) return false;
    if (signature !== null) return signedCorrectly(delivery, signature, secret);
    return !secret.startsWith('whsec_');
  },
  deliveryId(delivery) {
    return delivery.headers.get('idempotency-key') || delivery.headers.get('x-gitlab-event-uuid') || null;
  },
  parse(delivery) {
    const body = bodyOf(delivery);
    const project = body.project?.path_with_namespace ?? '';
    const actor = body.user?.username ?? null;
    if (!body.object_attributes) return [];
    switch (body.object_kind) {
      case 'issue':
        return issueEvents(body, project, actor);
      case 'merge_request':
        return mergeRequestEvents(body, project, actor);
      case 'note':
        return noteEvents(body, project, actor);
      default:
        return []; // push, pipeline, wiki… hooks: not tracker events
    }
  },
};
