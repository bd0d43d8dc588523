/**
 * The GitHub tracker client: the tracker contract over `@octokit/rest`, with a
 * personal access token or a GitHub App installation (installation tokens from
 * `@octokit/auth-app`, renewed before they expire), against github.com or a
 * GitHub Enterprise Server base URL.
 */

import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { PreloopError, type TrackerClient, type TrackerPage } from '@preloop/core';
import { toTrackerError } from './github-errors.js';
import {
  type GitHubIssueJson,
  type GitHubPullJson,
  toTrackerComment,
  toTrackerIssue,
  toTrackerProject,
  toTrackerPullRequest,
} from './github-mapping.js';
import type { GitHubSecrets, GitHubSettings } from './github-settings.js';

/** Options of {@link createGitHubClient}. */
export interface GitHubClientOptions {
  settings: GitHubSettings;
  secrets: GitHubSecrets;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The clock installation tokens are renewed by. @default Date.now */
  now?: () => number;
  /** Renew an installation token this long before it expires. @default 300000 (5 minutes) */
  renewBeforeMs?: number;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** `owner/repo` → its two parts; `TRACKER_INVALID_INPUT` naming the expected form otherwise. */
function splitRepo(project: string): { owner: string; repo: string } {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(project);
  if (!match)
    throw new PreloopError('TRACKER_INVALID_INPUT', `project: must be "owner/repo" (got "${project.slice(0, 100)}").`, { status: 400 });
  return { owner: match[1]!, repo: match[2]! };
}

function issueNumber(number: string): number {
  if (!/^\d{1,10}$/.test(number))
    throw new PreloopError('TRACKER_INVALID_INPUT', `number: must be a GitHub issue number (got "${number.slice(0, 40)}").`, {
      status: 400,
    });
  return Number(number);
}

function pageOf(cursor: string | undefined): number {
  const page = cursor === undefined ? 1 : Number(cursor);
  if (!Number.isInteger(page) || page < 1)
    throw new PreloopError('TRACKER_INVALID_INPUT', 'cursor: not one this tracker gave.', { status: 400 });
  return page;
}

const nextCursor = (page: number, headers: { link?: string }) => (/rel="next"/.test(headers.link ?? '') ? String(page + 1) : null);
const perPage = (limit: number | undefined, fallback: number) => Math.min(100, Math.max(1, Math.trunc(limit ?? fallback)));

/**
 * An auth-app cache that forgets an installation token `renewBeforeMs` before
 * its `expires_at` (auth-app's own cache keeps tokens 59 minutes whatever
 * GitHub said), so a call never goes out with a token about to expire.
 */
function renewingCache(now: () => number, renewBeforeMs: number) {
  const entries = new Map<string, string>();
  return {
    get(key: string): string {
      const value = entries.get(key);
      if (value === undefined) return undefined as unknown as string;
      const expiresAt = Date.parse(value.split('|')[2] ?? '');
      if (!Number.isFinite(expiresAt) || expiresAt - renewBeforeMs <= now()) {
        entries.delete(key);
        return undefined as unknown as string;
      }
      return value;
    },
    set(key: string, value: string) {
      entries.set(key, value);
    },
  };
}

/**
 * Creates a GitHub tracker client.
 *
 * @example
 * ```ts
 * const client = createGitHubClient({ settings: { baseUrl: 'https://api.github.com' }, secrets: { token: 'ghp_…' } });
 * const issue = await client.getIssue({ project: 'acme/api', number: '12' });
 * ```
 */
export function createGitHubClient(options: GitHubClientOptions): TrackerClient {
  const { settings, secrets } = options;
  const now = options.now ?? Date.now;
  const common = { baseUrl: settings.baseUrl.replace(/\/+$/, ''), log: silent, request: { fetch: options.fetch ?? globalThis.fetch } };
  const app = settings.appId !== undefined;
  if (app && (!secrets.privateKey || settings.installationId === undefined))
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      'A GitHub App connection needs settings.appId, settings.installationId and secrets.privateKey.',
    );
  if (!app && !secrets.token)
    throw new PreloopError('CONFIGURATION_ERROR', 'A GitHub connection needs secrets.token, or a GitHub App (settings.appId).');
  const octokit = app
    ? new Octokit({
        ...common,
        authStrategy: createAppAuth,
        auth: {
          appId: settings.appId!,
          installationId: settings.installationId!,
          privateKey: secrets.privateKey!,
          cache: renewingCache(now, options.renewBeforeMs ?? 300_000),
        },
      })
    : new Octokit({ ...common, auth: secrets.token });

  const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toTrackerError(error, what, now());
    }
  };
  const issueOf = (data: GitHubIssueJson, project: string) => toTrackerIssue(data, project);

  return {
    async test() {
      if (!app) {
        const { data } = await call('the authenticated user', () => octokit.rest.users.getAuthenticated());
        return { identity: data.login };
      }
      const { data } = await call('the installation', () => octokit.rest.apps.listReposAccessibleToInstallation({ per_page: 1 }));
      return { identity: `GitHub App ${settings.appId} (installation ${settings.installationId}, ${data.total_count} repositories)` };
    },
    async listProjects(query = {}) {
      const page = pageOf(query.cursor);
      const per_page = perPage(query.limit, 30);
      if (app) {
        const { data, headers } = await call('repositories', () => octokit.rest.apps.listReposAccessibleToInstallation({ per_page, page }));
        return { items: data.repositories.map(toTrackerProject), nextCursor: nextCursor(page, headers) };
      }
      const { data, headers } = await call('repositories', () =>
        octokit.rest.repos.listForAuthenticatedUser({ per_page, page, sort: 'full_name' }),
      );
      return { items: data.map(toTrackerProject), nextCursor: nextCursor(page, headers) };
    },
    async getIssue(ref) {
      const { owner, repo } = splitRepo(ref.project);
      const what = `issue ${ref.project}#${ref.number}`;
      const { data } = await call(what, () => octokit.rest.issues.get({ owner, repo, issue_number: issueNumber(ref.number) }));
      if (data.pull_request) throw new PreloopError('TRACKER_NOT_FOUND', `GitHub has no ${what} (it is a pull request).`, { status: 404 });
      return issueOf(data as GitHubIssueJson, ref.project);
    },
    async searchIssues(query) {
      const page = pageOf(query.cursor);
      const terms = ['is:issue'];
      if (query.project) {
        splitRepo(query.project);
        terms.push(`repo:${query.project}`);
      } else if (settings.owner) terms.push(`user:${settings.owner}`);
      const state = query.state ?? 'open';
      if (state !== 'all') terms.push(`is:${state}`);
      for (const label of query.labels ?? []) terms.push(`label:"${label.replace(/"/g, '')}"`);
      if (query.assignee) terms.push(`assignee:${query.assignee.replace(/\s/g, '')}`);
      if (query.text) terms.push(query.text.replace(/\b(repo|user|org):\S*/gi, ''));
      const { data, headers } = await call('issues', () =>
        octokit.rest.search.issuesAndPullRequests({
          q: terms.join(' '),
          per_page: perPage(query.limit, 30),
          page,
          sort: 'updated',
          order: 'desc',
        }),
      );
      return {
        items: data.items.filter((item) => !item.pull_request).map((item) => issueOf(item as GitHubIssueJson, projectOfItem(item))),
        nextCursor: nextCursor(page, headers),
      };
    },
    async listIssues(query) {
      const { owner, repo } = splitRepo(query.project);
      const page = pageOf(query.cursor);
      const { data, headers } = await call(`issues of ${query.project}`, () =>
        octokit.rest.issues.listForRepo({
          owner,
          repo,
          state: 'all',
          sort: 'updated',
          direction: 'asc',
          per_page: perPage(query.limit, 100),
          page,
          ...(query.updatedSince !== undefined ? { since: new Date(query.updatedSince).toISOString() } : {}),
        }),
      );
      return {
        items: data.filter((item) => !item.pull_request).map((item) => issueOf(item as GitHubIssueJson, query.project)),
        nextCursor: nextCursor(page, headers),
      };
    },
    async createIssue(input) {
      const { owner, repo } = splitRepo(input.project);
      const { data } = await call(`a new issue in ${input.project}`, () =>
        octokit.rest.issues.create({
          owner,
          repo,
          title: input.title,
          ...(input.body !== undefined ? { body: input.body } : {}),
          ...(input.labels ? { labels: input.labels } : {}),
          ...(input.assignees ? { assignees: input.assignees } : {}),
        }),
      );
      return issueOf(data as GitHubIssueJson, input.project);
    },
    async updateIssue(ref, change) {
      const { owner, repo } = splitRepo(ref.project);
      const issue_number = issueNumber(ref.number);
      const { data } = await call(`issue ${ref.project}#${ref.number}`, () =>
        octokit.rest.issues.update({ owner, repo, issue_number, ...change }),
      );
      return issueOf(data as GitHubIssueJson, ref.project);
    },
    async listComments(ref, query = {}) {
      const { owner, repo } = splitRepo(ref.project);
      const page = pageOf(query.cursor);
      const { data, headers } = await call(`comments of ${ref.project}#${ref.number}`, () =>
        octokit.rest.issues.listComments({ owner, repo, issue_number: issueNumber(ref.number), per_page: perPage(query.limit, 30), page }),
      );
      return { items: data.map(toTrackerComment), nextCursor: nextCursor(page, headers) } satisfies TrackerPage<unknown>;
    },
    async addComment(ref, body) {
      const { owner, repo } = splitRepo(ref.project);
      const { data } = await call(`issue ${ref.project}#${ref.number}`, () =>
        octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber(ref.number), body }),
      );
      return toTrackerComment(data);
    },
    async updateComment(ref, commentId, body) {
      const { owner, repo } = splitRepo(ref.project);
      if (!/^\d{1,20}$/.test(commentId))
        throw new PreloopError('TRACKER_INVALID_INPUT', 'commentId: must be a GitHub comment id.', { status: 400 });
      const { data } = await call(`comment ${commentId} in ${ref.project}`, () =>
        octokit.rest.issues.updateComment({ owner, repo, comment_id: Number(commentId), body }),
      );
      return toTrackerComment(data);
    },
    pullRequests: {
      async get(ref) {
        const { owner, repo } = splitRepo(ref.project);
        const { data } = await call(`pull request ${ref.project}#${ref.number}`, () =>
          octokit.rest.pulls.get({ owner, repo, pull_number: issueNumber(ref.number) }),
        );
        return toTrackerPullRequest(data as GitHubPullJson, ref.project);
      },
      async create(input) {
        const { owner, repo } = splitRepo(input.project);
        const { data } = await call(`a new pull request in ${input.project}`, () =>
          octokit.rest.pulls.create({
            owner,
            repo,
            title: input.title,
            head: input.sourceBranch,
            base: input.targetBranch,
            ...(input.body !== undefined ? { body: input.body } : {}),
            ...(input.draft !== undefined ? { draft: input.draft } : {}),
          }),
        );
        return toTrackerPullRequest(data as GitHubPullJson, input.project);
      },
      async list(query) {
        const { owner, repo } = splitRepo(query.project);
        const page = pageOf(query.cursor);
        // GitHub's pull request listing has no `since`: read newest update first and stop at the first one older than it.
        const { data, headers } = await call(`pull requests of ${query.project}`, () =>
          octokit.rest.pulls.list({
            owner,
            repo,
            state: 'all',
            sort: 'updated',
            direction: 'desc',
            per_page: perPage(query.limit, 100),
            page,
          }),
        );
        const items = data.map((item) => toTrackerPullRequest(item as GitHubPullJson, query.project));
        const since = query.updatedSince;
        if (since === undefined) return { items, nextCursor: nextCursor(page, headers) };
        const recent = items.filter((item) => item.updatedAt >= since);
        return { items: recent, nextCursor: recent.length < items.length ? null : nextCursor(page, headers) };
      },
      async update(ref, change) {
        const { owner, repo } = splitRepo(ref.project);
        const { targetBranch, ...rest } = change;
        const { data } = await call(`pull request ${ref.project}#${ref.number}`, () =>
          octokit.rest.pulls.update({
            owner,
            repo,
            pull_number: issueNumber(ref.number),
            ...rest,
            ...(targetBranch ? { base: targetBranch } : {}),
          }),
        );
        return toTrackerPullRequest(data as GitHubPullJson, ref.project);
      },
    },
  };
}

function projectOfItem(item: { repository_url: string; html_url: string }): string {
  const match = item.repository_url.match(/\/repos\/([^/]+\/[^/]+)$/);
  return match ? match[1]! : '';
}
