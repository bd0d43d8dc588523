import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TrackerEventInput, TrackerEventType, TrackerWebhookDelivery, TrackerWebhooks } from '@preloop/core';
import {
  type JiraCommentLike,
  type JiraIssueLike,
  type JiraUser,
  jiraLogin,
  siteOf,
  toTrackerComment,
  toTrackerIssue,
} from './jira-normalize.js';

/** One change of a `jira:issue_updated` changelog. */
interface JiraChangelogItem {
  field?: string;
  fieldId?: string;
  from?: string | null;
  fromString?: string | null;
  to?: string | null;
  toString?: string | null;
}

/** The parts of a Jira webhook body this plugin reads. */
interface JiraHookBody {
  webhookEvent?: string;
  issue_event_type_name?: string;
  user?: JiraUser;
  issue?: JiraIssueLike;
  comment?: JiraCommentLike;
  changelog?: { items?: JiraChangelogItem[] };
}

/**
 * The `X-Hub-Signature` value Jira sends for a body and a secret:
 * `sha256=` and the hex HMAC-SHA256 of the exact bytes.
 *
 * @example
 * ```ts
 * const headers = { 'x-hub-signature': signJiraWebhook(body, secret) };
 * ```
 */
export function signJiraWebhook(rawBody: Uint8Array | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

function labelSet(value: string | null | undefined): Set<string> {
  return new Set((value ?? '').split(/\s+/).filter(Boolean));
}

/** Fields whose change is not an edit of its own (they have their events, or come with a status change). */
const notEdits = new Set(['labels', 'assignee', 'status', 'resolution', 'resolutiondate', 'statuscategorychangedate']);

function updateEvents(
  body: JiraHookBody,
  event: (type: TrackerEventType, label?: string | null) => TrackerEventInput,
): TrackerEventInput[] {
  const items = body.changelog?.items ?? [];
  const events: TrackerEventInput[] = [];
  const field = (item: JiraChangelogItem) => (item.fieldId ?? item.field ?? '').toLowerCase();
  if (items.some((item) => !notEdits.has(field(item)))) events.push(event('issue.edited'));
  for (const item of items) {
    if (field(item) !== 'labels') continue;
    const before = labelSet(item.fromString);
    const after = labelSet(item.toString);
    for (const label of after) if (!before.has(label)) events.push(event('issue.labeled', label));
    for (const label of before) if (!after.has(label)) events.push(event('issue.unlabeled', label));
  }
  if (items.some((item) => field(item) === 'assignee')) events.push(event('issue.assigned'));
  if (items.some((item) => field(item) === 'status')) {
    const done = body.issue?.fields?.status?.statusCategory?.key === 'done';
    // Out of done: the resolution is cleared (Jira's reopen), or the event says so.
    const reopened =
      body.issue_event_type_name === 'issue_reopened' || items.some((item) => field(item) === 'resolution' && !item.to && !item.toString);
    events.push(event(done ? 'issue.closed' : reopened ? 'issue.reopened' : 'issue.edited'));
  }
  // One edited event at most.
  return events.filter(
    (candidate, index) => candidate.type !== 'issue.edited' || events.findIndex((other) => other.type === 'issue.edited') === index,
  );
}

function bodyOf(delivery: TrackerWebhookDelivery): JiraHookBody {
  const parsed = JSON.parse(new TextDecoder().decode(delivery.rawBody)) as unknown;
  if (typeof parsed !== 'object' || parsed === null) throw new TypeError('Jira webhook body is not a JSON object.');
  return parsed as JiraHookBody;
}

/**
 * Jira's webhooks (admin webhooks with a secret, Cloud; Data Center 10+):
 * `X-Hub-Signature` must be `sha256=` and the HMAC-SHA256 of the raw body
 * under the webhook's secret (compared in constant time); the delivery id is
 * `X-Atlassian-Webhook-Identifier` (the same across retries);
 * `jira:issue_created` is `issue.opened`, `jira:issue_updated` reads its
 * changelog (edited, labeled/unlabeled, assigned, closed when the new status is
 * in the done category, reopened when the resolution is cleared),
 * `comment_created` / `comment_updated` are `comment.created` /
 * `comment.edited` (their `issue` has only the fields Jira puts there: no
 * description).
 *
 * @example
 * ```ts
 * const events = jiraWebhooks.verify(delivery, secret) ? jiraWebhooks.parse(delivery) : [];
 * ```
 */
export const jiraWebhooks: TrackerWebhooks = {
  verify(delivery, secret) {
    const given = delivery.headers.get('x-hub-signature') ?? '';
    if (secret === '' || !given.startsWith('sha256=')) return false;
    const expected = Buffer.from(signJiraWebhook(delivery.rawBody, secret));
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  },
  deliveryId(delivery) {
    return delivery.headers.get('x-atlassian-webhook-identifier') || null;
  },
  parse(delivery) {
    const body = bodyOf(delivery);
    if (!body.issue) return [];
    const issue = toTrackerIssue(body.issue, siteOf(body.issue.self));
    const actor = jiraLogin(body.user) ?? jiraLogin(body.comment?.updateAuthor) ?? jiraLogin(body.comment?.author);
    const event = (
      type: TrackerEventType,
      label: string | null = null,
      comment: TrackerEventInput['comment'] = null,
    ): TrackerEventInput => ({
      type,
      project: issue.project,
      issue,
      pullRequest: null,
      comment,
      label,
      actor,
      // Comment events carry a few fields of the issue (no description, labels or reporter): the store reads the whole issue.
      ...(comment ? { partial: true } : {}),
    });
    switch (body.webhookEvent) {
      case 'jira:issue_created':
        return [event('issue.opened')];
      case 'jira:issue_updated':
        return updateEvents(body, event);
      case 'comment_created':
      case 'comment_updated':
        if (!body.comment) return [];
        return [
          event(
            body.webhookEvent === 'comment_created' ? 'comment.created' : 'comment.edited',
            null,
            toTrackerComment(body.comment, issue.key, siteOf(body.issue.self)),
          ),
        ];
      default:
        return []; // deletions, worklogs, sprints…: not tracker events
    }
  },
};
