import type { TrackerComment, TrackerIssue, TrackerProject } from '@preloop/core';
import { adfToText } from './jira-adf.js';

/** A Jira user: Cloud names users by `accountId`, Data Center by `name` (the username). */
export interface JiraUser {
  accountId?: string;
  name?: string;
  key?: string;
  displayName?: string;
}

/** The fields of a Jira issue this plugin reads (REST API v2 or v3, or a webhook's `issue`). */
export interface JiraIssueLike {
  id: string;
  key: string;
  self?: string;
  fields?: {
    summary?: string;
    /** v3: an ADF document; v2 and webhooks: wiki text. */
    description?: unknown;
    status?: { name?: string; statusCategory?: { key?: string } };
    labels?: string[];
    assignee?: JiraUser | null;
    reporter?: JiraUser | null;
    creator?: JiraUser | null;
    created?: string;
    updated?: string;
    resolutiondate?: string | null;
    statuscategorychangedate?: string | null;
    project?: { id?: string; key?: string; name?: string };
  };
}

/** The fields of a Jira comment (REST API or webhook). */
export interface JiraCommentLike {
  id: string;
  self?: string;
  author?: JiraUser | null;
  updateAuthor?: JiraUser | null;
  body?: unknown;
  created?: string;
  updated?: string;
}

/** Epoch ms from a Jira time (`2026-01-05T10:00:01.000+0000`); null when absent or unreadable. */
export function fromJiraTime(value: string | null | undefined): number | null {
  if (!value) return null;
  const time = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(time) ? null : time;
}

/** The login of a Jira user: the account id on Cloud, the username on Data Center. */
export function jiraLogin(user: JiraUser | null | undefined): string | null {
  return user?.accountId ?? user?.name ?? null;
}

/** The site's address from a REST `self` link (`https://acme.atlassian.net/rest/api/3/issue/10001` → `https://acme.atlassian.net`). */
export function siteOf(self: string | undefined, fallback = ''): string {
  return self?.replace(/\/rest\/api\/.*$/, '') ?? fallback;
}

/**
 * A Jira issue as the contract's issue: `number` and `key` are the issue key
 * (`OPS-12`), the description's document converted to text, closed when its
 * status is in the done category, the assignee's account id (username on Data
 * Center) as the only assignee.
 *
 * @example
 * ```ts
 * toTrackerIssue(await client.issues.getIssue({ issueIdOrKey: 'OPS-12' }), 'https://acme.atlassian.net').state; // 'open'
 * ```
 */
export function toTrackerIssue(issue: JiraIssueLike, site?: string): TrackerIssue {
  const fields = issue.fields ?? {};
  const base = site ?? siteOf(issue.self);
  const closed = fields.status?.statusCategory?.key === 'done';
  const updatedAt = fromJiraTime(fields.updated) ?? 0;
  const assignee = jiraLogin(fields.assignee);
  return {
    id: issue.id,
    project: fields.project?.key ?? issue.key.replace(/-\d+$/, ''),
    number: issue.key,
    key: issue.key,
    title: fields.summary ?? '',
    body: adfToText(fields.description),
    state: closed ? 'closed' : 'open',
    labels: fields.labels ?? [],
    assignees: assignee ? [assignee] : [],
    author: jiraLogin(fields.reporter ?? fields.creator),
    url: `${base}/browse/${issue.key}`,
    createdAt: fromJiraTime(fields.created) ?? updatedAt,
    updatedAt,
    closedAt: closed ? (fromJiraTime(fields.resolutiondate) ?? fromJiraTime(fields.statuscategorychangedate) ?? updatedAt) : null,
    raw: issue,
  };
}

/** A Jira comment as the contract's comment (its body's document converted to text). */
export function toTrackerComment(comment: JiraCommentLike, issueKey: string, site?: string): TrackerComment {
  const createdAt = fromJiraTime(comment.created) ?? 0;
  return {
    id: comment.id,
    body: adfToText(comment.body),
    author: jiraLogin(comment.author),
    url: `${site ?? siteOf(comment.self)}/browse/${issueKey}?focusedCommentId=${comment.id}`,
    createdAt,
    updatedAt: fromJiraTime(comment.updated) ?? createdAt,
    raw: comment,
  };
}

/** A Jira project as the contract's project (`key` = the project key, `OPS`). */
export function toTrackerProject(project: { id: string; key: string; name: string; self?: string }, site?: string): TrackerProject {
  return {
    id: project.id,
    key: project.key,
    name: project.name,
    url: `${site ?? siteOf(project.self)}/browse/${project.key}`,
    raw: project,
  };
}
