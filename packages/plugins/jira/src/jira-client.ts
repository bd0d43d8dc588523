import { PreloopError, type TrackerClient, type TrackerIssue, type TrackerIssueRef, type TrackerPage } from '@preloop/core';
import { Version2Client, Version3Client } from 'jira.js';
import { textToAdf } from './jira-adf.js';
import { toJiraError } from './jira-errors.js';
import { listJql, searchJql } from './jira-jql.js';
import { type JiraCommentLike, type JiraIssueLike, toTrackerComment, toTrackerIssue, toTrackerProject } from './jira-normalize.js';

/** What {@link createJiraClient} takes. */
export interface JiraClientOptions {
  /** The site: `https://acme.atlassian.net` (Cloud) or the Data Center base URL (a context path allowed: `https://jira.example.com/jira`). */
  baseUrl: string;
  /** Cloud (REST API v3, email + API token) or Data Center (REST API v2, personal access token). @default 'cloud' */
  deployment?: 'cloud' | 'datacenter';
  /** Cloud: the Atlassian account's email. */
  email?: string;
  /** Cloud: an API token of that account. Never logged. */
  apiToken?: string;
  /** Data Center: a personal access token (sent as `Authorization: Bearer`). Never logged. */
  token?: string;
  /** The issue type new issues get. @default 'Task' */
  issueType?: string;
  /** The fetch to use (through axios's fetch adapter). @default Node's HTTP client */
  fetch?: typeof fetch;
  /** Time allowed for one API call, in ms. @default 30000 */
  timeoutMs?: number;
}

/** The issue fields every read asks for. */
const issueFields = [
  'summary',
  'description',
  'status',
  'labels',
  'assignee',
  'reporter',
  'creator',
  'created',
  'updated',
  'resolutiondate',
  'statuscategorychangedate',
  'project',
  'issuetype',
];

const maxResultsCap = 100;

function limitOf(limit: number | undefined, fallback: number): number {
  return Math.min(maxResultsCap, Math.max(1, Math.floor(limit ?? fallback)));
}

function offsetOf(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const offset = Number(cursor);
  if (!Number.isInteger(offset) || offset < 0)
    throw new PreloopError('TRACKER_INVALID_INPUT', `Jira: cursor "${cursor}" is not an offset.`, { status: 400 });
  return offset;
}

/**
 * The issue key a ref names: `OPS-12`, or `12` within project `OPS`. A key of
 * another project is refused, so a policy over `args.project` cannot be
 * stepped around by naming a different project's key.
 */
export function jiraIssueKey(ref: TrackerIssueRef): string {
  const number = ref.number.trim().toUpperCase();
  const key = /^\d+$/.test(number) ? `${ref.project.toUpperCase()}-${number}` : number;
  const match = /^([A-Z][A-Z0-9_]*)-\d+$/.exec(key);
  if (!match)
    throw new PreloopError('TRACKER_INVALID_INPUT', `Jira: "${ref.number}" is not an issue key such as ${ref.project || 'PROJ'}-12.`, {
      status: 400,
    });
  if (ref.project && match[1] !== ref.project.toUpperCase())
    throw new PreloopError('TRACKER_INVALID_INPUT', `Jira: issue ${key} is not in project ${ref.project}.`, { status: 400 });
  return key;
}

/**
 * A tracker client for one Jira connection, over `jira.js`: Cloud through
 * `Version3Client` (basic auth with email and API token; descriptions and
 * comments in Atlassian Document Format, converted to and from text), Data
 * Center through `Version2Client` (a personal access token as bearer; wiki
 * text). Issues by key, one assignee, state through workflow transitions,
 * search in JQL with escaped values. Jira has no pull requests.
 *
 * @example
 * ```ts
 * const client = createJiraClient({ baseUrl: 'https://acme.atlassian.net', email: 'bot@acme.com', apiToken: process.env.JIRA_API_TOKEN! });
 * const page = await client.searchIssues({ project: 'OPS', text: 'login' });
 * ```
 */
export function createJiraClient(options: JiraClientOptions): TrackerClient {
  const cloud = (options.deployment ?? 'cloud') === 'cloud';
  const site = options.baseUrl.replace(/\/+$/, '');
  if (cloud && (!options.email || !options.apiToken))
    throw new PreloopError('CONFIGURATION_ERROR', 'Jira Cloud needs the secrets "email" and "apiToken" (an API token of that account).');
  if (!cloud && !options.token)
    throw new PreloopError('CONFIGURATION_ERROR', 'Jira Data Center needs the secret "token" (a personal access token).');
  const config = {
    host: site,
    authentication: cloud ? { basic: { email: options.email!, apiToken: options.apiToken! } } : { oauth2: { accessToken: options.token! } },
    baseRequestConfig: {
      timeout: options.timeoutMs ?? 30_000,
      ...(options.fetch ? { adapter: 'fetch', env: { fetch: options.fetch } } : {}),
    },
  };
  // The two clients differ only in paths and in the rich-text format: one loose view of both.
  const api: any = cloud ? new Version3Client(config as never) : new Version2Client(config as never);
  const richText = (text: string) => (cloud ? textToAdf(text) : text);
  const userRef = (login: string) => (cloud ? { accountId: login } : { name: login });
  let timeZone: string | null = null;

  // jira.js answers are read loosely (`any`): the normalizers name the fields they use.
  async function call(operation: string, run: () => Promise<any>): Promise<any> {
    try {
      return await run();
    } catch (error) {
      throw toJiraError(error, operation);
    }
  }

  async function userTimeZone(): Promise<string> {
    if (timeZone === null) {
      const me = await call('GET myself', () => api.myself.getCurrentUser());
      timeZone = typeof me.timeZone === 'string' && me.timeZone !== '' ? me.timeZone : 'UTC';
    }
    return timeZone!;
  }

  async function search(jql: string, cursor: string | undefined, limit: number): Promise<TrackerPage<TrackerIssue>> {
    if (cloud) {
      const answer = await call('POST search/jql', () =>
        api.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({
          jql,
          maxResults: limit,
          fields: issueFields,
          ...(cursor ? { nextPageToken: cursor } : {}),
        }),
      );
      const issues = (answer.issues ?? []) as JiraIssueLike[];
      return {
        items: issues.map((issue) => toTrackerIssue(issue, site)),
        nextCursor: answer.isLast === false && answer.nextPageToken ? answer.nextPageToken : null,
      };
    }
    const startAt = offsetOf(cursor);
    const answer = await call('POST search', () =>
      api.issueSearch.searchForIssuesUsingJqlPost({ jql, startAt, maxResults: limit, fields: issueFields }),
    );
    const issues = (answer.issues ?? []) as JiraIssueLike[];
    const next = startAt + issues.length;
    return {
      items: issues.map((issue) => toTrackerIssue(issue, site)),
      nextCursor: issues.length > 0 && next < Number(answer.total ?? 0) ? String(next) : null,
    };
  }

  async function getIssue(key: string): Promise<TrackerIssue> {
    return toTrackerIssue(await call(`GET issue ${key}`, () => api.issues.getIssue({ issueIdOrKey: key, fields: issueFields })), site);
  }

  function assigneeOf(assignees: string[]): string | null {
    if (assignees.length > 1)
      throw new PreloopError('TRACKER_INVALID_INPUT', 'Jira: an issue has one assignee; give at most one.', { status: 400 });
    return assignees[0] ?? null;
  }

  async function transition(key: string, to: 'open' | 'closed'): Promise<void> {
    const { transitions = [] } = await call(`GET issue ${key} transitions`, () => api.issues.getTransitions({ issueIdOrKey: key }));
    const categoryOf = (candidate: { to?: { statusCategory?: { key?: string } } }) => candidate.to?.statusCategory?.key;
    const chosen =
      to === 'closed'
        ? transitions.find((candidate: object) => categoryOf(candidate) === 'done')
        : (transitions.find((candidate: object) => categoryOf(candidate) === 'new') ??
          transitions.find((candidate: object) => categoryOf(candidate) === 'indeterminate'));
    if (!chosen)
      throw new PreloopError(
        'TRACKER_INVALID_INPUT',
        `Jira: the workflow of ${key} has no transition to a ${to === 'closed' ? 'done' : 'to do'} status from here (available: ${transitions.map((candidate: { name: string }) => candidate.name).join(', ') || 'none'}).`,
        { status: 400 },
      );
    await call(`POST issue ${key} transitions`, () => api.issues.doTransition({ issueIdOrKey: key, transition: { id: chosen.id } }));
  }

  return {
    async test() {
      const me = await call('GET myself', () => api.myself.getCurrentUser());
      if (typeof me.timeZone === 'string' && me.timeZone !== '') timeZone = me.timeZone;
      return { identity: String(me.emailAddress ?? me.name ?? me.accountId ?? me.displayName) };
    },

    async listProjects(query = {}) {
      const startAt = offsetOf(query.cursor);
      const limit = limitOf(query.limit, 50);
      if (cloud) {
        const answer = await call('GET project/search', () => api.projects.searchProjects({ startAt, maxResults: limit, orderBy: 'key' }));
        const values = answer.values ?? [];
        return {
          items: values.map((project: never) => toTrackerProject(project, site)),
          nextCursor: answer.isLast === false ? String(startAt + values.length) : null,
        };
      }
      // Data Center has no paged project search: the whole list, paged here.
      const all = (await call('GET project', () => api.sendRequest({ url: '/rest/api/2/project', method: 'GET' }))) as Array<{
        id: string;
        key: string;
        name: string;
      }>;
      const values = all.slice(startAt, startAt + limit);
      return {
        items: values.map((project) => toTrackerProject(project, site)),
        nextCursor: startAt + limit < all.length ? String(startAt + limit) : null,
      };
    },

    async getIssue(ref) {
      return getIssue(jiraIssueKey(ref));
    },

    async searchIssues(query) {
      return search(searchJql(query), query.cursor, limitOf(query.limit, 30));
    },

    async listIssues(query) {
      const since = query.updatedSince;
      const jql = listJql(query.project, since, since === undefined ? 'UTC' : await userTimeZone());
      const page = await search(jql, query.cursor, limitOf(query.limit, 100));
      // JQL compares to the minute: drop what changed in that minute before the exact time.
      return since === undefined ? page : { ...page, items: page.items.filter((issue) => issue.updatedAt >= since) };
    },

    async createIssue(input) {
      const assignee = assigneeOf(input.assignees ?? []);
      const created = await call(`POST issue in ${input.project}`, () =>
        api.issues.createIssue({
          fields: {
            project: { key: input.project },
            summary: input.title,
            issuetype: { name: options.issueType ?? 'Task' },
            ...(input.body ? { description: richText(input.body) } : {}),
            ...(input.labels?.length ? { labels: input.labels } : {}),
            ...(assignee ? { assignee: userRef(assignee) } : {}),
          },
        }),
      );
      return getIssue(created.key);
    },

    async updateIssue(ref, change) {
      const key = jiraIssueKey(ref);
      const fields = {
        ...(change.title === undefined ? {} : { summary: change.title }),
        ...(change.body === undefined ? {} : { description: change.body === '' ? null : richText(change.body) }),
        ...(change.labels === undefined ? {} : { labels: change.labels }),
      };
      if (Object.keys(fields).length > 0) await call(`PUT issue ${key}`, () => api.issues.editIssue({ issueIdOrKey: key, fields }));
      if (change.assignees !== undefined) {
        const assignee = assigneeOf(change.assignees);
        const body = cloud ? { accountId: assignee } : { name: assignee };
        await call(`PUT issue ${key} assignee`, () => api.issues.assignIssue({ issueIdOrKey: key, ...body }));
      }
      if (change.state !== undefined) {
        const current = await getIssue(key);
        if (current.state !== change.state) await transition(key, change.state);
      }
      return getIssue(key);
    },

    async listComments(ref, query = {}) {
      const key = jiraIssueKey(ref);
      const startAt = offsetOf(query.cursor);
      const answer = await call(`GET issue ${key} comments`, () =>
        api.issueComments.getComments({ issueIdOrKey: key, startAt, maxResults: limitOf(query.limit, 30), orderBy: 'created' }),
      );
      const comments = (answer.comments ?? []) as JiraCommentLike[];
      const next = startAt + comments.length;
      return {
        items: comments.map((comment) => toTrackerComment(comment, key, site)),
        nextCursor: comments.length > 0 && next < Number(answer.total ?? 0) ? String(next) : null,
      };
    },

    async addComment(ref, body) {
      const key = jiraIssueKey(ref);
      const comment = await call(`POST issue ${key} comment`, () =>
        api.issueComments.addComment({ issueIdOrKey: key, comment: richText(body) }),
      );
      return toTrackerComment(comment, key, site);
    },

    async updateComment(ref, commentId, body) {
      const key = jiraIssueKey(ref);
      if (!/^\d+$/.test(commentId))
        throw new PreloopError('TRACKER_INVALID_INPUT', `Jira: comment id "${commentId}" is not a comment id.`, { status: 400 });
      const comment = await call(`PUT issue ${key} comment ${commentId}`, () =>
        cloud
          ? api.issueComments.updateComment({ issueIdOrKey: key, id: commentId, body: richText(body) })
          : api.issueComments.updateComment({ issueIdOrKey: key, id: commentId, comment: body }),
      );
      return toTrackerComment(comment, key, site);
    },
  };
}
