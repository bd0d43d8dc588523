import type { TrackerComment, TrackerIssue, TrackerProject, TrackerPullRequest } from '@preloop/core';

/** A GitLab user as the REST API and webhooks show one. */
interface GitLabUser {
  id?: number;
  username?: string;
}

/** The fields of a GitLab issue or merge request this plugin reads (REST API or webhook `object_attributes`). */
export interface GitLabIssueLike {
  id: number;
  iid: number;
  title: string;
  description?: string | null;
  state: string;
  created_at: string;
  updated_at: string;
  closed_at?: string | null;
  merged_at?: string | null;
  /** REST: label names; webhooks: label objects with a `title`. */
  labels?: Array<string | { title: string }>;
  assignees?: GitLabUser[];
  author?: GitLabUser | null;
  web_url?: string;
  /** Webhooks name the page `url`. */
  url?: string;
  references?: { full?: string };
  source_branch?: string;
  target_branch?: string;
  draft?: boolean;
  work_in_progress?: boolean;
}

/** The fields of a GitLab note (REST API or webhook `object_attributes`). */
export interface GitLabNoteLike {
  id: number;
  /** REST names the text `body`, webhooks `note`. */
  body?: string;
  note?: string;
  author?: GitLabUser | null;
  created_at: string;
  updated_at?: string;
  system?: boolean;
  url?: string;
}

/**
 * Epoch ms from a GitLab time: ISO 8601 (`2013-12-03T17:15:43Z`,
 * `…T17:15:43.000+01:00`) or the older webhook form `2017-09-15 16:50:55 UTC`.
 */
export function fromGitLabTime(value: string | null | undefined): number | null {
  if (!value) return null;
  const iso = value
    .replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/, '$1T$2Z')
    .replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{4})$/, '$1T$2$3');
  const time = Date.parse(iso);
  return Number.isNaN(time) ? null : time;
}

/** Label names from REST strings or webhook label objects. */
export function labelNames(labels: GitLabIssueLike['labels']): string[] {
  return (labels ?? []).map((label) => (typeof label === 'string' ? label : label.title));
}

function usernames(users: GitLabUser[] | undefined): string[] {
  return (users ?? []).flatMap((user) => (user.username ? [user.username] : []));
}

/**
 * A GitLab issue as the contract's issue. `project` is the project's full path
 * (taken from `references.full` when not given).
 *
 * @example
 * ```ts
 * toTrackerIssue(await issues.show(12, { projectId: 'group/app' }), 'group/app').key; // 'group/app#12'
 * ```
 */
export function toTrackerIssue(issue: GitLabIssueLike, project?: string): TrackerIssue {
  const path = project ?? issue.references?.full?.replace(/[#!]\d+$/, '') ?? '';
  const closed = issue.state === 'closed';
  return {
    id: String(issue.id),
    project: path,
    number: String(issue.iid),
    key: `${path}#${issue.iid}`,
    title: issue.title,
    body: issue.description ?? '',
    state: closed ? 'closed' : 'open',
    labels: labelNames(issue.labels),
    assignees: usernames(issue.assignees),
    author: issue.author?.username ?? null,
    url: issue.web_url ?? issue.url ?? '',
    createdAt: fromGitLabTime(issue.created_at) ?? 0,
    updatedAt: fromGitLabTime(issue.updated_at) ?? 0,
    closedAt: closed ? (fromGitLabTime(issue.closed_at) ?? fromGitLabTime(issue.updated_at)) : null,
    raw: issue,
  };
}

/**
 * A GitLab merge request as the contract's pull request. Its `number` is
 * `!<iid>` (GitLab's own notation): merge requests and issues are numbered
 * separately, so `!12` tells the comment methods it is merge request 12.
 *
 * @example
 * ```ts
 * toTrackerPullRequest(mergeRequest, 'group/app').key; // 'group/app!7'
 * ```
 */
export function toTrackerPullRequest(mergeRequest: GitLabIssueLike, project?: string): TrackerPullRequest {
  const issue = toTrackerIssue(mergeRequest, project);
  const state = mergeRequest.state === 'merged' ? 'merged' : mergeRequest.state === 'closed' ? 'closed' : 'open';
  return {
    ...issue,
    number: `!${mergeRequest.iid}`,
    key: `${issue.project}!${mergeRequest.iid}`,
    state,
    closedAt:
      state === 'open' ? null : (fromGitLabTime(mergeRequest.closed_at) ?? fromGitLabTime(mergeRequest.merged_at) ?? issue.updatedAt),
    sourceBranch: mergeRequest.source_branch ?? '',
    targetBranch: mergeRequest.target_branch ?? '',
    draft: Boolean(mergeRequest.draft ?? mergeRequest.work_in_progress),
    mergedAt: fromGitLabTime(mergeRequest.merged_at),
  };
}

/**
 * A GitLab note as the contract's comment; `pageUrl` is the issue's or merge
 * request's page (REST notes carry no URL of their own).
 *
 * @example
 * ```ts
 * toTrackerComment(note, issue.url).url; // 'https://gitlab.example.com/group/app/-/issues/12#note_301'
 * ```
 */
export function toTrackerComment(note: GitLabNoteLike, pageUrl: string, author?: string | null): TrackerComment {
  const createdAt = fromGitLabTime(note.created_at) ?? 0;
  return {
    id: String(note.id),
    body: note.body ?? note.note ?? '',
    author: note.author?.username ?? author ?? null,
    url: note.url ?? (pageUrl ? `${pageUrl}#note_${note.id}` : ''),
    createdAt,
    updatedAt: fromGitLabTime(note.updated_at) ?? createdAt,
    raw: note,
  };
}

/** A GitLab project as the contract's project (`key` = its full path). */
export function toTrackerProject(project: { id: number; name: string; path_with_namespace: string; web_url: string }): TrackerProject {
  return { id: String(project.id), key: project.path_with_namespace, name: project.name, url: project.web_url, raw: project };
}
