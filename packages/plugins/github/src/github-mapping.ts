/**
 * GitHub's REST objects to the tracker contract's normalized shapes (the
 * original object is kept in `raw`).
 */

import type { TrackerComment, TrackerIssue, TrackerProject, TrackerPullRequest } from '@preloop/core';

/** The fields of GitHub's user object we read. */
interface GitHubUser {
  login?: string | null;
}

/** The fields of a GitHub issue (or of a pull request seen as an issue) that are mapped. */
export interface GitHubIssueJson {
  id: number;
  number: number;
  title: string;
  body?: string | null;
  state: string;
  labels?: (string | { name?: string | null })[];
  assignees?: GitHubUser[] | null;
  user?: GitHubUser | null;
  html_url: string;
  created_at: string;
  updated_at: string;
  closed_at?: string | null;
  pull_request?: unknown;
}

/** The fields of a GitHub pull request that are mapped. */
export interface GitHubPullJson extends GitHubIssueJson {
  draft?: boolean;
  merged?: boolean;
  merged_at?: string | null;
  head: { ref: string };
  base: { ref: string };
}

const time = (value: string | null | undefined): number | null => (value ? Date.parse(value) : null);

/** The `owner/repo` of an issue, from its API or web URL (`…/repos/owner/repo/issues/1` or `…/owner/repo/issues/1`). */
export function projectOf(issue: { repository_url?: string; html_url: string }): string {
  const fromApi = issue.repository_url?.match(/\/repos\/([^/]+\/[^/]+)$/);
  if (fromApi) return fromApi[1]!;
  const fromWeb = issue.html_url.match(/\/([^/]+\/[^/]+)\/(?:issues|pull)\/\d+/);
  return fromWeb ? fromWeb[1]! : '';
}

/**
 * A GitHub issue as a {@link TrackerIssue}.
 *
 * @example
 * ```ts
 * toTrackerIssue(await octokit.rest.issues.get({ owner, repo, issue_number: 1 }).then((r) => r.data), 'acme/api');
 * ```
 */
export function toTrackerIssue(issue: GitHubIssueJson, project: string): TrackerIssue {
  return {
    id: String(issue.id),
    project,
    number: String(issue.number),
    key: `${project}#${issue.number}`,
    title: issue.title,
    body: issue.body ?? '',
    state: issue.state === 'closed' ? 'closed' : 'open',
    labels: (issue.labels ?? []).map((label) => (typeof label === 'string' ? label : (label.name ?? ''))).filter(Boolean),
    assignees: (issue.assignees ?? []).map((user) => user.login ?? '').filter(Boolean),
    author: issue.user?.login ?? null,
    url: issue.html_url,
    createdAt: Date.parse(issue.created_at),
    updatedAt: Date.parse(issue.updated_at),
    closedAt: time(issue.closed_at),
    raw: issue,
  };
}

/**
 * A GitHub pull request as a {@link TrackerPullRequest} (`merged` when it was merged).
 *
 * @example
 * ```ts
 * toTrackerPullRequest(pull, 'acme/api').state; // 'open' | 'closed' | 'merged'
 * ```
 */
export function toTrackerPullRequest(pull: GitHubPullJson, project: string): TrackerPullRequest {
  const issue = toTrackerIssue(pull, project);
  const mergedAt = time(pull.merged_at);
  return {
    ...issue,
    state: mergedAt !== null || pull.merged === true ? 'merged' : issue.state,
    sourceBranch: pull.head.ref,
    targetBranch: pull.base.ref,
    draft: pull.draft === true,
    mergedAt,
  };
}

/**
 * A GitHub issue comment as a {@link TrackerComment}.
 *
 * @example
 * ```ts
 * toTrackerComment(comment).body;
 * ```
 */
export function toTrackerComment(comment: {
  id: number;
  body?: string | null;
  user?: GitHubUser | null;
  html_url: string;
  created_at: string;
  updated_at: string;
}): TrackerComment {
  return {
    id: String(comment.id),
    body: comment.body ?? '',
    author: comment.user?.login ?? null,
    url: comment.html_url,
    createdAt: Date.parse(comment.created_at),
    updatedAt: Date.parse(comment.updated_at),
    raw: comment,
  };
}

/**
 * A GitHub repository as a {@link TrackerProject} (`key` = `owner/repo`).
 *
 * @example
 * ```ts
 * toTrackerProject(repository).key; // 'acme/api'
 * ```
 */
export function toTrackerProject(repository: { id: number; full_name: string; name: string; html_url: string }): TrackerProject {
  return { id: String(repository.id), key: repository.full_name, name: repository.name, url: repository.html_url, raw: repository };
}
