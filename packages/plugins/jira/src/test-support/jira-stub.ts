/**
 * A local Jira for tests: Jira Cloud's REST API v3 (basic auth with email and
 * API token; rich text in Atlassian Document Format; `POST /search/jql` with
 * `nextPageToken`/`isLast`; `GET /project/search` with `startAt`/`isLast`) or
 * Jira Data Center's REST API v2 (bearer personal access token; wiki text;
 * `POST /search` with `startAt`/`total`), Jira's error bodies
 * (`errorMessages`, `errors`), a strict JQL subset, workflow transitions,
 * in-memory state, and signed webhook deliveries (`X-Hub-Signature`) shaped
 * like Jira's documented examples whenever something changes through the API.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compareByOrder, JqlError, type JqlSubject, matchesJql, parseJql } from './jql-evaluator.js';

/** A user of the stub. */
export interface StubJiraUser {
  accountId: string;
  name: string;
  displayName: string;
  emailAddress: string;
  timeZone: string;
}

/** A comment of the stub; `body` is ADF (Cloud) or text (Data Center), as written. */
export interface StubJiraComment {
  id: string;
  author: StubJiraUser;
  body: unknown;
  created: number;
  updated: number;
}

/** An issue of the stub. */
export interface StubJiraIssue {
  id: string;
  key: string;
  project: string;
  summary: string;
  /** ADF (Cloud) or wiki text (Data Center), or null. */
  description: unknown;
  status: 'To Do' | 'In Progress' | 'Done';
  labels: string[];
  assignee: StubJiraUser | null;
  reporter: StubJiraUser;
  created: number;
  updated: number;
  resolutiondate: number | null;
  comments: StubJiraComment[];
}

/** A workflow transition: its id, name and target status. */
export interface StubTransition {
  id: string;
  name: string;
  to: StubJiraIssue['status'];
}

/** Options of {@link startJiraStub}. */
export interface JiraStubOptions {
  /** Cloud (v3, basic auth) or Data Center (v2, bearer PAT). @default 'cloud' */
  deployment?: 'cloud' | 'datacenter';
  /** A context path before `/rest` (Data Center under `/jira`). @default '' */
  pathPrefix?: string;
  /** Where changes are delivered as webhooks, signed with this secret. @default none */
  webhook?: { url: string; secret: string } | null;
}

/** A running stub. */
export interface JiraStub {
  /** The site address to give the client. */
  url: string;
  /** Cloud: `{ email, apiToken }` that authenticate; Data Center: `{ token }`. */
  credentials: { email: string; apiToken: string; token: string };
  users: StubJiraUser[];
  projects: Array<{ id: string; key: string; name: string }>;
  issues: StubJiraIssue[];
  /** The workflow: every transition is available from every other status. */
  transitions: StubTransition[];
  requests: Array<{ method: string; path: string; authorization: string | null; body: unknown }>;
  deliveries: Array<{ headers: Record<string, string>; body: string; status: number }>;
  addProject(key: string, name?: string): void;
  addIssue(fields: Partial<StubJiraIssue> & { project: string; summary: string }): StubJiraIssue;
  failNext(status: number, headers?: Record<string, string>, body?: unknown): void;
  /** An issue as REST API `version` shows it (webhooks use version 2's shape). */
  issueJson(issue: StubJiraIssue, version?: string): Record<string, any>;
  /** A comment as REST API `version` shows it. */
  commentJson(comment: StubJiraComment, issue: StubJiraIssue, version?: string): Record<string, any>;
  /** A user as the API shows it. */
  userJson(user: StubJiraUser): Record<string, any>;
  /** A webhook delivery of `body` as Jira sends it: headers (signed with `secret` in `X-Hub-Signature`) and the exact body. */
  webhookDelivery(body: Record<string, unknown>, secret: string): { headers: Record<string, string>; body: string };
  setWebhook(webhook: { url: string; secret: string } | null): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

const jiraError = (status: number, messages: string[], errors: Record<string, string> = {}) =>
  new HttpError(status, { errorMessages: messages, errors });
const categories = {
  'To Do': { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do', statusId: '10000' },
  'In Progress': { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress', statusId: '3' },
  Done: { id: 3, key: 'done', colorName: 'green', name: 'Done', statusId: '10001' },
} as const;

/** A Jira time: `2026-01-05T10:00:01.000+0000`. */
const jiraTime = (epoch: number) => new Date(epoch).toISOString().replace('Z', '+0000');

/** The stub's own minimal ADF reader (text of text nodes; paragraphs apart by a blank line). */
function adfText(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as { type?: string; text?: string; content?: unknown[] } | null;
  if (!node?.type) return '';
  if (node.type === 'text') return node.text ?? '';
  if (node.type === 'hardBreak') return '\n';
  const parts = (node.content ?? []).map(adfText);
  return node.type === 'doc' ? parts.join('\n\n') : parts.join('');
}

/** Jira Cloud refuses rich-text fields that are not an ADF document. */
function checkAdf(value: unknown, field: string): void {
  const problem = `Operation value must be an Atlassian Document (see the Atlassian Document Format)`;
  const node = value as { type?: unknown; version?: unknown; content?: unknown } | null;
  if (node === null || typeof node !== 'object' || node.type !== 'doc' || node.version !== 1 || !Array.isArray(node.content))
    throw jiraError(400, [], { [field]: problem });
  const visit = (child: { type?: unknown; text?: unknown; content?: unknown }) => {
    if (typeof child.type !== 'string') throw jiraError(400, [], { [field]: problem });
    if (child.type === 'text' && (typeof child.text !== 'string' || child.text === ''))
      throw jiraError(400, [], { [field]: 'INVALID_INPUT: text nodes must not be empty' });
    for (const grandchild of (child.content as unknown[] | undefined) ?? []) visit(grandchild as never);
  };
  for (const child of node.content as unknown[]) visit(child as never);
}

/** Starts a Jira stub on a loopback port. */
export async function startJiraStub(options: JiraStubOptions = {}): Promise<JiraStub> {
  const cloud = (options.deployment ?? 'cloud') === 'cloud';
  const version = cloud ? '3' : '2';
  const prefix = options.pathPrefix ?? '';
  const users: StubJiraUser[] = [
    {
      accountId: '5b10a2844c20165700ede21g',
      name: 'bot',
      displayName: 'Preloop Bot',
      emailAddress: 'bot@example.com',
      timeZone: 'Europe/Berlin',
    },
    {
      accountId: '5b10ac8d82e05b22cc7d4ef5',
      name: 'ada',
      displayName: 'Ada Lovelace',
      emailAddress: 'ada@example.com',
      timeZone: 'Europe/London',
    },
    {
      accountId: '712020:0e1b7c5a-2f4e-4d0f-9b1a-3c6d9e2f1a77',
      name: 'grace',
      displayName: 'Grace Hopper',
      emailAddress: 'grace@example.com',
      timeZone: 'America/New_York',
    },
  ];
  const bot = users[0]!;
  const credentials = { email: 'bot@example.com', apiToken: 'ATATT3xFfGF0-test-token', token: 'NjM2ODk5MTY0-dc-pat' };
  const projects: JiraStub['projects'] = [];
  const issues: StubJiraIssue[] = [];
  const transitions: StubTransition[] = [
    { id: '11', name: 'To Do', to: 'To Do' },
    { id: '21', name: 'In Progress', to: 'In Progress' },
    { id: '31', name: 'Done', to: 'Done' },
  ];
  const requests: JiraStub['requests'] = [];
  const deliveries: JiraStub['deliveries'] = [];
  const failures: HttpError[] = [];
  let webhook = options.webhook ?? null;
  let clock = Date.parse('2026-01-05T09:00:00Z');
  let nextId = 10_000;
  let webhookSerial = 0;
  const now = () => (clock += 60_000);
  let base = '';

  const api = (v: string) => `${base}/rest/api/${v}`;
  const userJson = (user: StubJiraUser) =>
    cloud
      ? {
          self: `${api(version)}/user?accountId=${user.accountId}`,
          accountId: user.accountId,
          accountType: 'atlassian',
          emailAddress: user.emailAddress,
          displayName: user.displayName,
          active: true,
          timeZone: user.timeZone,
          avatarUrls: {},
        }
      : {
          self: `${api(version)}/user?username=${user.name}`,
          key: `JIRAUSER${user.name.length}`,
          name: user.name,
          emailAddress: user.emailAddress,
          displayName: user.displayName,
          active: true,
          timeZone: user.timeZone,
          avatarUrls: {},
        };
  const loginOf = (user: StubJiraUser) => (cloud ? user.accountId : user.name);
  const projectJson = (project: JiraStub['projects'][number], v = version) => ({
    expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
    self: `${api(v)}/project/${project.id}`,
    id: project.id,
    key: project.key,
    name: project.name,
    avatarUrls: {},
    projectTypeKey: 'software',
    simplified: false,
    style: 'classic',
    isPrivate: false,
    properties: {},
  });
  const statusJson = (status: StubJiraIssue['status'], v = version) => {
    const category = categories[status];
    return {
      self: `${api(v)}/status/${category.statusId}`,
      description: '',
      iconUrl: `${base}/images/icons/statuses/generic.png`,
      name: status,
      id: category.statusId,
      statusCategory: {
        self: `${api(v)}/statuscategory/${category.id}`,
        id: category.id,
        key: category.key,
        colorName: category.colorName,
        name: category.name,
      },
    };
  };
  /** `description` as the version shows it: ADF on v3, text on v2 (webhooks are v2-shaped). */
  const descriptionAs = (value: unknown, v: string) => (value === null ? null : v === '3' ? value : adfText(value));
  const issueJson = (issue: StubJiraIssue, v = version, wanted?: string[]) => {
    const project = projects.find((candidate) => candidate.key === issue.project)!;
    const fields: Record<string, unknown> = {
      summary: issue.summary,
      description: descriptionAs(issue.description, v),
      status: statusJson(issue.status, v),
      labels: issue.labels,
      assignee: issue.assignee ? userJson(issue.assignee) : null,
      reporter: userJson(issue.reporter),
      creator: userJson(issue.reporter),
      created: jiraTime(issue.created),
      updated: jiraTime(issue.updated),
      resolutiondate: issue.resolutiondate === null ? null : jiraTime(issue.resolutiondate),
      resolution:
        issue.resolutiondate === null
          ? null
          : { self: `${api(v)}/resolution/10000`, id: '10000', description: 'Work has been completed on this issue.', name: 'Done' },
      statuscategorychangedate: jiraTime(issue.updated),
      project: {
        self: `${api(v)}/project/${project.id}`,
        id: project.id,
        key: project.key,
        name: project.name,
        projectTypeKey: 'software',
        simplified: false,
      },
      issuetype: {
        self: `${api(v)}/issuetype/10002`,
        id: '10002',
        description: 'A small, distinct piece of work.',
        name: 'Task',
        subtask: false,
        hierarchyLevel: 0,
      },
      priority: { self: `${api(v)}/priority/3`, iconUrl: `${base}/images/icons/priorities/medium.svg`, name: 'Medium', id: '3' },
    };
    const shown =
      wanted && !wanted.includes('*all') ? Object.fromEntries(Object.entries(fields).filter(([name]) => wanted.includes(name))) : fields;
    return {
      expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
      id: issue.id,
      self: `${api(v)}/issue/${issue.id}`,
      key: issue.key,
      fields: shown,
    };
  };
  const commentJson = (comment: StubJiraComment, issue: StubJiraIssue, v = version) => ({
    self: `${api(v)}/issue/${issue.id}/comment/${comment.id}`,
    id: comment.id,
    author: userJson(comment.author),
    body: descriptionAs(comment.body, v),
    updateAuthor: userJson(comment.author),
    created: jiraTime(comment.created),
    updated: jiraTime(comment.updated),
    jsdPublic: true,
  });
  const subjectOf = (issue: StubJiraIssue): JqlSubject => ({
    key: issue.key,
    project: issue.project,
    summary: issue.summary,
    text: [issue.summary, adfText(issue.description), ...issue.comments.map((comment) => adfText(comment.body))].join('\n'),
    statusCategory: categories[issue.status].name,
    status: issue.status,
    labels: issue.labels,
    assignee: issue.assignee ? loginOf(issue.assignee) : null,
    updated: issue.updated,
    created: issue.created,
  });

  function webhookDelivery(body: Record<string, unknown>, secret: string) {
    const text = JSON.stringify({ timestamp: clock, ...body });
    webhookSerial += 1;
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Atlassian Webhook HTTP Client',
      'x-atlassian-webhook-identifier': `${1_700_000_000_000 + webhookSerial}`,
      'x-atlassian-webhook-flow': 'Primary',
      'x-hub-signature': `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`,
    };
    return { headers, body: text };
  }

  async function deliver(body: Record<string, unknown>) {
    if (!webhook) return;
    const { headers, body: text } = webhookDelivery(body, webhook.secret);
    const response = await fetch(webhook.url, { method: 'POST', headers, body: text });
    await response.arrayBuffer();
    deliveries.push({ headers, body: text, status: response.status });
  }
  /** The webhook's comment-event `issue`: the few fields Jira puts there. */
  const hookIssueSummary = (issue: StubJiraIssue) => {
    const full = issueJson(issue, '2');
    const { summary, status, issuetype, project, assignee, priority } = full.fields as Record<string, unknown>;
    return { id: full.id, self: full.self, key: full.key, fields: { summary, status, issuetype, project, assignee, priority } };
  };

  function findIssue(keyOrId: string): StubJiraIssue {
    const issue = issues.find((candidate) => candidate.key === keyOrId.toUpperCase() || candidate.id === keyOrId);
    if (!issue) throw jiraError(404, ['Issue does not exist or you do not have permission to see it.']);
    return issue;
  }
  function userFrom(reference: unknown): StubJiraUser | null {
    if (reference === null) return null;
    const { accountId, name } = (reference ?? {}) as { accountId?: string | null; name?: string | null };
    const login = cloud ? accountId : name;
    if (login === null || login === undefined) return null;
    const user = users.find((candidate) => loginOf(candidate) === login);
    if (!user) throw jiraError(400, [], { assignee: `User '${login}' does not exist.` });
    return user;
  }
  function richText(value: unknown, field: string): unknown {
    if (value === null || value === undefined) return null;
    if (cloud) checkAdf(value, field);
    else if (typeof value !== 'string') throw jiraError(400, [], { [field]: 'Operation value must be a string' });
    return value;
  }
  function checkLabels(labels: unknown): string[] {
    if (!Array.isArray(labels)) throw jiraError(400, [], { labels: 'Labels must be a list.' });
    for (const label of labels)
      if (typeof label !== 'string' || /\s/.test(label))
        throw jiraError(400, [], { labels: `The label '${String(label)}' contains spaces which is invalid.` });
    return labels;
  }

  function search(jql: string, wanted: string[] | undefined) {
    try {
      const user = bot;
      const { where, orderBy } = parseJql(jql);
      return issues
        .filter((issue) => matchesJql(where, subjectOf(issue), user.timeZone))
        .sort((a, b) => compareByOrder(orderBy)(subjectOf(a), subjectOf(b)))
        .map((issue) => issueJson(issue, version, wanted));
    } catch (error) {
      if (error instanceof JqlError) throw jiraError(400, [error.message]);
      throw error;
    }
  }

  async function route(method: string, url: URL, body: Record<string, any>): Promise<{ status?: number; json?: unknown }> {
    const path = url.pathname.slice(prefix.length);
    const v1 = `/rest/api/${version}`;
    if (!path.startsWith(`${v1}/`)) throw new HttpError(404, cloud ? { errorMessages: ['No such API.'] } : 'Not Found');
    const rest = path.slice(v1.length);
    let match: RegExpExecArray | null;
    if (method === 'GET' && rest === '/myself')
      return { json: { ...userJson(bot), groups: { size: 1, items: [] }, applicationRoles: { size: 1, items: [] }, locale: 'en_US' } };
    if (method === 'GET' && rest === '/project/search' && cloud) {
      const startAt = Number(url.searchParams.get('startAt') ?? 0);
      const maxResults = Number(url.searchParams.get('maxResults') ?? 50);
      const sorted = [...projects].sort((a, b) => a.key.localeCompare(b.key));
      const values = sorted.slice(startAt, startAt + maxResults);
      const isLast = startAt + values.length >= sorted.length;
      return {
        json: {
          self: `${url.origin}${url.pathname}${url.search}`,
          ...(isLast ? {} : { nextPage: `${api(version)}/project/search?startAt=${startAt + values.length}&maxResults=${maxResults}` }),
          maxResults,
          startAt,
          total: sorted.length,
          isLast,
          values: values.map((project) => projectJson(project)),
        },
      };
    }
    if (method === 'GET' && rest === '/project' && !cloud) return { json: projects.map((project) => projectJson(project)) };
    if (method === 'POST' && rest === '/search/jql' && cloud) {
      const maxResults = Math.min(100, Number(body.maxResults ?? 50));
      const offset = body.nextPageToken
        ? Number(
            Buffer.from(String(body.nextPageToken), 'base64url')
              .toString('utf8')
              .replace(/^offset:/, ''),
          )
        : 0;
      if (!Number.isInteger(offset)) throw jiraError(400, ['The provided next page token is invalid or expired.']);
      const found = search(String(body.jql ?? ''), body.fields);
      const page = found.slice(offset, offset + maxResults);
      const isLast = offset + page.length >= found.length;
      return {
        json: {
          issues: page,
          ...(isLast ? {} : { nextPageToken: Buffer.from(`offset:${offset + page.length}`).toString('base64url') }),
          isLast,
        },
      };
    }
    if (method === 'POST' && rest === '/search' && !cloud) {
      const startAt = Number(body.startAt ?? 0);
      const maxResults = Math.min(100, Number(body.maxResults ?? 50));
      const found = search(String(body.jql ?? ''), body.fields);
      return {
        json: { expand: 'schema,names', startAt, maxResults, total: found.length, issues: found.slice(startAt, startAt + maxResults) },
      };
    }
    if (method === 'POST' && rest === '/issue') {
      const fields = (body.fields ?? {}) as Record<string, any>;
      const errors: Record<string, string> = {};
      const project = projects.find((candidate) => candidate.key === fields.project?.key || candidate.id === fields.project?.id);
      if (!project) errors.project = 'valid project is required';
      if (typeof fields.summary !== 'string' || fields.summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
      if (fields.issuetype?.name !== 'Task' && fields.issuetype?.id !== '10002') errors.issuetype = 'Specify a valid issue type';
      if (Object.keys(errors).length > 0) throw jiraError(400, [], errors);
      const created = now();
      const id = String((nextId += 1));
      const issue: StubJiraIssue = {
        id,
        key: `${project!.key}-${issues.filter((candidate) => candidate.project === project!.key).length + 1}`,
        project: project!.key,
        summary: fields.summary,
        description: richText(fields.description, 'description'),
        status: 'To Do',
        labels: fields.labels === undefined ? [] : checkLabels(fields.labels),
        assignee: fields.assignee === undefined ? null : userFrom(fields.assignee),
        reporter: bot,
        created,
        updated: created,
        resolutiondate: null,
        comments: [],
      };
      issues.push(issue);
      await deliver({
        webhookEvent: 'jira:issue_created',
        issue_event_type_name: 'issue_created',
        user: userJson(bot),
        issue: issueJson(issue, '2'),
      });
      return { status: 201, json: { id, key: issue.key, self: `${api(version)}/issue/${id}` } };
    }
    if ((match = /^\/issue\/([^/]+)(\/[a-z]+)?(?:\/(\d+))?$/.exec(rest))) {
      const issue = findIssue(decodeURIComponent(match[1]!));
      const sub = match[2];
      if (!sub && method === 'GET') {
        const wanted = url.searchParams.get('fields')?.split(',');
        return { json: issueJson(issue, version, wanted) };
      }
      if (!sub && method === 'PUT') {
        const fields = (body.fields ?? {}) as Record<string, any>;
        const items: Array<Record<string, unknown>> = [];
        if (fields.summary !== undefined) {
          if (typeof fields.summary !== 'string' || fields.summary.trim() === '')
            throw jiraError(400, [], { summary: 'You must specify a summary of the issue.' });
          items.push({
            field: 'summary',
            fieldtype: 'jira',
            fieldId: 'summary',
            from: null,
            fromString: issue.summary,
            to: null,
            toString: fields.summary,
          });
          issue.summary = fields.summary;
        }
        if (fields.description !== undefined) {
          const description = richText(fields.description, 'description');
          items.push({
            field: 'description',
            fieldtype: 'jira',
            fieldId: 'description',
            from: null,
            fromString: adfText(issue.description),
            to: null,
            toString: adfText(description),
          });
          issue.description = description;
        }
        if (fields.labels !== undefined) {
          const labels = checkLabels(fields.labels);
          items.push({
            field: 'labels',
            fieldtype: 'jira',
            fieldId: 'labels',
            from: null,
            fromString: issue.labels.join(' '),
            to: null,
            toString: labels.join(' '),
          });
          issue.labels = labels;
        }
        issue.updated = now();
        await deliver({
          webhookEvent: 'jira:issue_updated',
          issue_event_type_name: 'issue_updated',
          user: userJson(bot),
          issue: issueJson(issue, '2'),
          changelog: { id: String(nextId++), items },
        });
        return { status: 204 };
      }
      if (sub === '/assignee' && method === 'PUT') {
        const before = issue.assignee;
        issue.assignee = userFrom(body);
        issue.updated = now();
        const item = {
          field: 'assignee',
          fieldtype: 'jira',
          fieldId: 'assignee',
          from: before ? loginOf(before) : null,
          fromString: before?.displayName ?? null,
          to: issue.assignee ? loginOf(issue.assignee) : null,
          toString: issue.assignee?.displayName ?? null,
          ...(cloud ? { tmpFromAccountId: before?.accountId ?? null, tmpToAccountId: issue.assignee?.accountId ?? null } : {}),
        };
        await deliver({
          webhookEvent: 'jira:issue_updated',
          issue_event_type_name: 'issue_assigned',
          user: userJson(bot),
          issue: issueJson(issue, '2'),
          changelog: { id: String(nextId++), items: [item] },
        });
        return { status: 204 };
      }
      if (sub === '/transitions' && method === 'GET') {
        return {
          json: {
            expand: 'transitions',
            transitions: transitions
              .filter((transition) => transition.to !== issue.status)
              .map((transition) => ({
                id: transition.id,
                name: transition.name,
                to: statusJson(transition.to),
                hasScreen: false,
                isGlobal: true,
                isInitial: false,
                isAvailable: true,
                isConditional: false,
                isLooped: false,
              })),
          },
        };
      }
      if (sub === '/transitions' && method === 'POST') {
        const transition = transitions.find((candidate) => candidate.id === String(body.transition?.id) && candidate.to !== issue.status);
        if (!transition) throw jiraError(400, [`Transition id '${String(body.transition?.id)}' is not valid for this issue.`]);
        const from = issue.status;
        issue.status = transition.to;
        issue.updated = now();
        const items: Array<Record<string, unknown>> = [
          {
            field: 'status',
            fieldtype: 'jira',
            fieldId: 'status',
            from: categories[from].statusId,
            fromString: from,
            to: categories[issue.status].statusId,
            toString: issue.status,
          },
        ];
        if (issue.status === 'Done' && issue.resolutiondate === null) {
          issue.resolutiondate = issue.updated;
          items.push({
            field: 'resolution',
            fieldtype: 'jira',
            fieldId: 'resolution',
            from: null,
            fromString: null,
            to: '10000',
            toString: 'Done',
          });
        } else if (issue.status !== 'Done' && issue.resolutiondate !== null) {
          issue.resolutiondate = null;
          items.push({
            field: 'resolution',
            fieldtype: 'jira',
            fieldId: 'resolution',
            from: '10000',
            fromString: 'Done',
            to: null,
            toString: null,
          });
        }
        await deliver({
          webhookEvent: 'jira:issue_updated',
          issue_event_type_name: 'issue_generic',
          user: userJson(bot),
          issue: issueJson(issue, '2'),
          changelog: { id: String(nextId++), items },
        });
        return { status: 204 };
      }
      if (sub === '/comment' && !match[3]) {
        if (method === 'GET') {
          const startAt = Number(url.searchParams.get('startAt') ?? 0);
          const maxResults = Number(url.searchParams.get('maxResults') ?? 50);
          const sorted = [...issue.comments].sort((a, b) =>
            url.searchParams.get('orderBy') === '-created' ? b.created - a.created : a.created - b.created,
          );
          return {
            json: {
              startAt,
              maxResults,
              total: sorted.length,
              comments: sorted.slice(startAt, startAt + maxResults).map((comment) => commentJson(comment, issue)),
            },
          };
        }
        if (method === 'POST') {
          const text = richText(body.body, 'comment');
          if (text === null || adfText(text).trim() === '') throw jiraError(400, [], { comment: 'Comment body can not be empty!' });
          const created = now();
          const comment: StubJiraComment = { id: String((nextId += 1)), author: bot, body: text, created, updated: created };
          issue.comments.push(comment);
          await deliver({ webhookEvent: 'comment_created', comment: commentJson(comment, issue, '2'), issue: hookIssueSummary(issue) });
          return { status: 201, json: commentJson(comment, issue) };
        }
      }
      if (sub === '/comment' && match[3]) {
        const comment = issue.comments.find((candidate) => candidate.id === match![3]);
        if (!comment) throw jiraError(404, [`Can not find a comment for the id: ${match[3]}.`]);
        if (method === 'PUT') {
          comment.body = richText(body.body, 'comment');
          comment.updated = now();
          await deliver({ webhookEvent: 'comment_updated', comment: commentJson(comment, issue, '2'), issue: hookIssueSummary(issue) });
          return { json: commentJson(comment, issue) };
        }
      }
    }
    throw new HttpError(404, { errorMessages: [`null for uri: ${url.href}`], errors: {} });
  }

  function authorized(header: string | undefined): boolean {
    if (!header) return false;
    if (cloud) return header === `Basic ${Buffer.from(`${credentials.email}:${credentials.apiToken}`).toString('base64')}`;
    return header === `Bearer ${credentials.token}`;
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', base);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      if (json === undefined) {
        response.writeHead(status, headers).end();
        return;
      }
      const plain = typeof json === 'string';
      response.writeHead(status, { 'content-type': plain ? 'text/html;charset=UTF-8' : 'application/json;charset=UTF-8', ...headers });
      response.end(plain ? json : JSON.stringify(json));
    };
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      send(400, { errorMessages: ['Unexpected character in the request body.'], errors: {} });
      return;
    }
    requests.push({
      method: request.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      authorization: request.headers.authorization ?? null,
      body,
    });
    try {
      const failure = failures.shift();
      if (failure) throw failure;
      if (!authorized(request.headers.authorization))
        throw cloud
          ? new HttpError(401, 'Client must be authenticated to access this resource.')
          : jiraError(401, ['You are not authenticated. Authentication required to perform this operation.']);
      const answer = await route(request.method ?? 'GET', url, body);
      send(answer.status ?? 200, answer.json);
    } catch (error) {
      if (error instanceof HttpError) send(error.status, error.body, error.headers);
      else send(500, { errorMessages: ['Internal server error'], errors: {} });
    }
  }

  const server: Server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`;

  return {
    get url() {
      return base;
    },
    credentials,
    users,
    projects,
    issues,
    transitions,
    requests,
    deliveries,
    addProject(key, name = `${key} project`) {
      projects.push({ id: String((nextId += 1)), key, name });
    },
    addIssue(fields) {
      const created = now();
      const issue: StubJiraIssue = {
        id: String((nextId += 1)),
        key: `${fields.project}-${issues.filter((candidate) => candidate.project === fields.project).length + 1}`,
        description: null,
        status: 'To Do',
        labels: [],
        assignee: null,
        reporter: bot,
        created,
        updated: created,
        resolutiondate: null,
        comments: [],
        ...fields,
      };
      issues.push(issue);
      return issue;
    },
    failNext(status, headers, body) {
      const defaults: Record<string, string> =
        status === 429
          ? {
              'retry-after': '5',
              'x-ratelimit-limit': '100',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': new Date(Date.now() + 5000).toISOString(),
            }
          : {};
      // A header given as '' is left out.
      const merged = Object.fromEntries(Object.entries({ ...defaults, ...headers }).filter(([, value]) => value !== ''));
      failures.push(
        new HttpError(status, body ?? { errorMessages: [status === 429 ? 'Rate limit exceeded.' : `Error ${status}`], errors: {} }, merged),
      );
    },
    issueJson: (issue, v = version) => issueJson(issue, v),
    commentJson: (comment, issue, v = version) => commentJson(comment, issue, v),
    userJson,
    webhookDelivery,
    setWebhook(value) {
      webhook = value;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
