import { IssueNotes, Issues, MergeRequestNotes, MergeRequests, Projects, Users } from '@gitbeaker/rest';
import {
  PreloopError,
  type TrackerClient,
  type TrackerComment,
  type TrackerIssueRef,
  type TrackerPage,
  type TrackerPullRequests,
} from '@preloop/core';
import { createGitLabRequester } from './gitlab-requester.js';
import {
  type GitLabIssueLike,
  type GitLabNoteLike,
  toTrackerComment,
  toTrackerIssue,
  toTrackerProject,
  toTrackerPullRequest,
} from './gitlab-normalize.js';

/** What {@link createGitLabClient} takes. */
export interface GitLabClientOptions {
  /** The GitLab instance (gitlab.com or self-managed), without `/api/v4`. @default 'https://gitlab.com' */
  baseUrl?: string;
  /** A personal, project or group access token with the `api` scope. Never logged. */
  token: string;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Time allowed for one API call, in ms. @default 30000 */
  timeoutMs?: number;
}

/** A page answer of gitbeaker with `showExpanded: true`. */
interface Expanded<T> {
  data: T[];
  paginationInfo: { next: number | null };
}

const maxPerPage = 100;

function pageOf(cursor: string | undefined): number {
  if (cursor === undefined) return 1;
  const page = Number(cursor);
  if (!Number.isInteger(page) || page < 1)
    throw new PreloopError('TRACKER_INVALID_INPUT', `GitLab: cursor "${cursor}" is not a page number.`, { status: 400 });
  return page;
}

function perPageOf(limit: number | undefined, fallback: number): number {
  return Math.min(maxPerPage, Math.max(1, Math.floor(limit ?? fallback)));
}

/** The iid in `12`, `#12` or `!12`, and whether it names a merge request (`!`). */
function iidOf(ref: TrackerIssueRef): { iid: number; mergeRequest: boolean } {
  const match = /^([#!]?)(\d+)$/.exec(ref.number.trim());
  if (!match)
    throw new PreloopError(
      'TRACKER_INVALID_INPUT',
      `GitLab: "${ref.number}" is not an issue number (12) or a merge request number (!12).`,
      { status: 400 },
    );
  return { iid: Number(match[2]), mergeRequest: match[1] === '!' };
}

function page<T>(answer: Expanded<T>, items: T[] = answer.data): { items: T[]; nextCursor: string | null } {
  return { items, nextCursor: answer.paginationInfo.next ? String(answer.paginationInfo.next) : null };
}

/**
 * A tracker client for one GitLab connection, over `@gitbeaker/rest`: projects
 * by full path (`group/sub/app`), issues by iid, notes as comments (system notes
 * left out), merge requests (numbered `!7`). Errors are `TRACKER_*`
 * `PreloopError`s; the token never appears in one.
 *
 * @example
 * ```ts
 * const client = createGitLabClient({ baseUrl: 'https://gitlab.example.com', token: process.env.GITLAB_TOKEN! });
 * const issue = await client.getIssue({ project: 'group/app', number: '12' });
 * ```
 */
export function createGitLabClient(options: GitLabClientOptions): TrackerClient & { pullRequests: TrackerPullRequests } {
  const shared = {
    host: (options.baseUrl ?? 'https://gitlab.com').replace(/\/+$/, ''),
    token: options.token,
    requesterFn: createGitLabRequester(options.fetch),
    queryTimeout: options.timeoutMs ?? 30_000,
  };
  // One resource per API area used (the aggregate `Gitlab` class builds ~200).
  const issues = new Issues(shared) as any;
  const issueNotes = new IssueNotes(shared) as any;
  const mergeRequests = new MergeRequests(shared) as any;
  const mergeRequestNotes = new MergeRequestNotes(shared) as any;
  const projects = new Projects(shared) as any;
  const users = new Users(shared) as any;

  async function userIds(names: string[]): Promise<number[]> {
    return Promise.all(
      names.map(async (username) => {
        const [user] = (await users.all({ username })) as Array<{ id: number }>;
        if (!user) throw new PreloopError('TRACKER_INVALID_INPUT', `GitLab: no user "${username}".`, { status: 400 });
        return user.id;
      }),
    );
  }

  async function assigneeIds(names: string[] | undefined): Promise<{ assigneeIds?: number[] }> {
    if (names === undefined) return {};
    // An empty list unassigns everyone; GitLab reads [0] as "nobody".
    return { assigneeIds: names.length === 0 ? [0] : await userIds(names) };
  }

  async function pageUrlOf(ref: TrackerIssueRef, mergeRequest: boolean, iid: number): Promise<string> {
    const target = (await (mergeRequest
      ? mergeRequests.show(ref.project, iid)
      : issues.show(iid, { projectId: ref.project }))) as GitLabIssueLike;
    return target.web_url ?? '';
  }

  const pullRequests: TrackerPullRequests = {
    async get(ref) {
      const { iid } = iidOf(ref);
      return toTrackerPullRequest(await mergeRequests.show(ref.project, iid), ref.project);
    },
    async create(input) {
      const title = input.draft && !/^(draft:|\[draft\]|\(draft\))/i.test(input.title) ? `Draft: ${input.title}` : input.title;
      const created = await mergeRequests.create(input.project, input.sourceBranch, input.targetBranch, title, {
        ...(input.body === undefined ? {} : { description: input.body }),
      });
      return toTrackerPullRequest(created, input.project);
    },
    async list(query) {
      const answer = (await mergeRequests.all({
        projectId: query.project,
        state: 'all',
        ...(query.updatedSince === undefined ? {} : { updatedAfter: new Date(query.updatedSince).toISOString() }),
        orderBy: 'updated_at',
        sort: 'asc',
        page: pageOf(query.cursor),
        perPage: perPageOf(query.limit, 100),
        showExpanded: true,
      })) as Expanded<Parameters<typeof toTrackerPullRequest>[0]>;
      const { items, nextCursor } = page(answer);
      return { items: items.map((item) => toTrackerPullRequest(item, query.project)), nextCursor };
    },
    async update(ref, change) {
      const { iid } = iidOf(ref);
      const edited = await mergeRequests.edit(ref.project, iid, {
        ...(change.title === undefined ? {} : { title: change.title }),
        ...(change.body === undefined ? {} : { description: change.body }),
        ...(change.targetBranch === undefined ? {} : { targetBranch: change.targetBranch }),
        ...(change.state === undefined ? {} : { stateEvent: change.state === 'closed' ? 'close' : 'reopen' }),
      });
      return toTrackerPullRequest(edited, ref.project);
    },
  };

  return {
    async test() {
      const user = (await users.showCurrentUser()) as { username: string };
      return { identity: user.username };
    },

    async listProjects(query = {}) {
      const answer = (await projects.all({
        membership: true,
        simple: true,
        orderBy: 'path',
        sort: 'asc',
        page: pageOf(query.cursor),
        perPage: perPageOf(query.limit, 30),
        showExpanded: true,
      })) as Expanded<Parameters<typeof toTrackerProject>[0]>;
      const { items, nextCursor } = page(answer);
      return { items: items.map(toTrackerProject), nextCursor };
    },

    async getIssue(ref) {
      const { iid, mergeRequest } = iidOf(ref);
      if (mergeRequest)
        throw new PreloopError('TRACKER_INVALID_INPUT', `GitLab: ${ref.number} is a merge request; use get_pull_request.`, { status: 400 });
      return toTrackerIssue(await issues.show(iid, { projectId: ref.project }), ref.project);
    },

    async searchIssues(query) {
      const state = query.state ?? 'open';
      const answer = (await issues.all({
        ...(query.project ? { projectId: query.project } : { scope: 'all' }),
        ...(query.text ? { search: query.text } : {}),
        ...(state === 'all' ? {} : { state: state === 'open' ? 'opened' : 'closed' }),
        ...(query.labels?.length ? { labels: query.labels.join(',') } : {}),
        ...(query.assignee ? { assigneeUsername: query.assignee } : {}),
        orderBy: 'updated_at',
        sort: 'desc',
        page: pageOf(query.cursor),
        perPage: perPageOf(query.limit, 30),
        showExpanded: true,
      })) as Expanded<GitLabIssueLike>;
      const { items, nextCursor } = page(answer);
      return { items: items.map((issue) => toTrackerIssue(issue, query.project)), nextCursor };
    },

    async listIssues(query) {
      const answer = (await issues.all({
        projectId: query.project,
        ...(query.updatedSince === undefined ? {} : { updatedAfter: new Date(query.updatedSince).toISOString() }),
        orderBy: 'updated_at',
        sort: 'asc',
        page: pageOf(query.cursor),
        perPage: perPageOf(query.limit, 100),
        showExpanded: true,
      })) as Expanded<GitLabIssueLike>;
      const { items, nextCursor } = page(answer);
      return { items: items.map((issue) => toTrackerIssue(issue, query.project)), nextCursor };
    },

    async createIssue(input) {
      const created = await issues.create(input.project, input.title, {
        ...(input.body === undefined ? {} : { description: input.body }),
        ...(input.labels?.length ? { labels: input.labels.join(',') } : {}),
        ...(await assigneeIds(input.assignees?.length ? input.assignees : undefined)),
      });
      return toTrackerIssue(created, input.project);
    },

    async updateIssue(ref, change) {
      const { iid, mergeRequest } = iidOf(ref);
      if (mergeRequest)
        throw new PreloopError('TRACKER_INVALID_INPUT', `GitLab: ${ref.number} is a merge request; use update_pull_request.`, {
          status: 400,
        });
      const edited = await issues.edit(ref.project, iid, {
        ...(change.title === undefined ? {} : { title: change.title }),
        ...(change.body === undefined ? {} : { description: change.body }),
        ...(change.labels === undefined ? {} : { labels: change.labels.join(',') }),
        ...(await assigneeIds(change.assignees)),
        ...(change.state === undefined ? {} : { stateEvent: change.state === 'closed' ? 'close' : 'reopen' }),
      });
      return toTrackerIssue(edited, ref.project);
    },

    async listComments(ref, query = {}): Promise<TrackerPage<TrackerComment>> {
      const { iid, mergeRequest } = iidOf(ref);
      const notes = mergeRequest ? mergeRequestNotes : issueNotes;
      const answer = (await notes.all(ref.project, iid, {
        sort: 'asc',
        orderBy: 'created_at',
        page: pageOf(query.cursor),
        perPage: perPageOf(query.limit, 30),
        showExpanded: true,
      })) as Expanded<GitLabNoteLike>;
      const url = await pageUrlOf(ref, mergeRequest, iid);
      // System notes ("added label bug", "closed") are GitLab's activity log, not comments.
      const { items, nextCursor } = page(
        answer,
        answer.data.filter((note) => !note.system),
      );
      return { items: items.map((note) => toTrackerComment(note, url)), nextCursor };
    },

    async addComment(ref, body) {
      const { iid, mergeRequest } = iidOf(ref);
      const note = (await (mergeRequest ? mergeRequestNotes : issueNotes).create(ref.project, iid, body)) as GitLabNoteLike;
      return toTrackerComment(note, await pageUrlOf(ref, mergeRequest, iid));
    },

    async updateComment(ref, commentId, body) {
      const { iid, mergeRequest } = iidOf(ref);
      const noteId = Number(commentId);
      if (!Number.isInteger(noteId))
        throw new PreloopError('TRACKER_INVALID_INPUT', `GitLab: comment id "${commentId}" is not a note id.`, { status: 400 });
      const note = (await (mergeRequest ? mergeRequestNotes : issueNotes).edit(ref.project, iid, noteId, { body })) as GitLabNoteLike;
      return toTrackerComment(note, await pageUrlOf(ref, mergeRequest, iid));
    },

    pullRequests,
  };
}
