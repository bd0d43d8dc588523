/**
 * A local GitLab for tests: the REST API v4 endpoints the GitLab tracker uses
 * (`/api/v4/...`), with GitLab's pagination headers (`X-Total`, `X-Next-Page`,
 * `Link`…), its error bodies (`{ "message": "404 Project Not Found" }`), token
 * checks (`PRIVATE-TOKEN` or `Authorization: Bearer`), in-memory state, and
 * webhook deliveries shaped like GitLab's documented examples, sent with
 * `X-Gitlab-Token` when a change happens through the API (as GitLab does).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gitlabHookHeaders, issueHook, mergeRequestHook, noteHook, type StubHookChanges } from './gitlab-hooks.js';

/** A user of the stub. */
export interface StubUser {
  id: number;
  username: string;
  name: string;
}

/** A note of the stub. */
export interface StubNote {
  id: number;
  body: string;
  author: StubUser;
  system: boolean;
  created_at: string;
  updated_at: string;
}

/** An issue or merge request of the stub (merge requests add branches and `draft`). */
export interface StubIssue {
  id: number;
  iid: number;
  title: string;
  description: string;
  state: 'opened' | 'closed' | 'merged';
  labels: string[];
  assignees: StubUser[];
  author: StubUser;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  merged_at?: string | null;
  source_branch?: string;
  target_branch?: string;
  notes: StubNote[];
}

/** A project of the stub. */
export interface StubProject {
  id: number;
  name: string;
  path_with_namespace: string;
  issues: StubIssue[];
  mergeRequests: StubIssue[];
}

/** Options of {@link startGitLabStub}. */
export interface GitLabStubOptions {
  /** Accepted tokens and who each acts as. @default { 'glpat-test': root } */
  tokens?: Record<string, string>;
  /** Where changes made through the API are delivered as webhooks, with this secret. @default none */
  webhook?: { url: string; secret: string } | null;
  /** A path before `/api/v4` (a self-managed instance under a sub-path). @default '' */
  pathPrefix?: string;
}

/** A running stub. */
export interface GitLabStub {
  /** The instance address to give the client (`http://127.0.0.1:port` plus the prefix). */
  url: string;
  users: StubUser[];
  projects: StubProject[];
  /** Every request received: method, path with query, the token header given. */
  requests: Array<{ method: string; path: string; token: string | null }>;
  /** Adds a project (path `group/name`). */
  addProject(path: string): StubProject;
  /** Adds an issue directly (no webhook). */
  addIssue(project: StubProject, fields: Partial<StubIssue> & { title: string }): StubIssue;
  /** Answers the next request with this error status (and headers); 429s get `Retry-After`/`RateLimit-*` unless given. */
  failNext(status: number, headers?: Record<string, string>, body?: unknown): void;
  /** Where webhooks go (null: nowhere). */
  setWebhook(webhook: { url: string; secret: string } | null): void;
  /** The REST JSON of the stub's objects (what webhook examples are built from). */
  json: {
    project(project: StubProject): Record<string, any>;
    issue(project: StubProject, issue: StubIssue, kind: 'issues' | 'merge_requests'): Record<string, any>;
    note(note: StubNote, issue: StubIssue, noteableType: 'Issue' | 'MergeRequest'): Record<string, any>;
    user(user: StubUser): Record<string, any>;
  };
  /** Adds a merge request directly (no webhook). */
  addMergeRequest(
    project: StubProject,
    fields: Partial<StubIssue> & { title: string; source_branch: string; target_branch: string },
  ): StubIssue;
  /** Webhooks sent so far (headers and exact body). */
  deliveries: Array<{ headers: Record<string, string>; body: string; status: number }>;
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

const notFound = (what: string) => new HttpError(404, { message: `404 ${what} Not Found` });

/** Starts a GitLab stub on a loopback port. */
export async function startGitLabStub(options: GitLabStubOptions = {}): Promise<GitLabStub> {
  const root: StubUser = { id: 1, username: 'root', name: 'Administrator' };
  const users: StubUser[] = [root, { id: 2, username: 'ada', name: 'Ada Lovelace' }, { id: 3, username: 'grace', name: 'Grace Hopper' }];
  const tokens = options.tokens ?? { 'glpat-test': 'root' };
  const prefix = options.pathPrefix ?? '';
  let webhook = options.webhook ?? null;
  let clock = Date.parse('2026-01-05T10:00:00Z');
  let nextId = 100;
  const now = () => new Date((clock += 1000)).toISOString();
  /** A new open issue or merge request, numbered after the last one of `list`, added to it. */
  const openItem = (list: StubIssue[], fields: Partial<StubIssue> & { title: string }, author: StubUser = root): StubIssue => {
    const created = now();
    const item: StubIssue = {
      id: (nextId += 1),
      iid: list.length + 1,
      description: '',
      state: 'opened',
      labels: [],
      assignees: [],
      author,
      created_at: created,
      updated_at: created,
      closed_at: null,
      notes: [],
      ...fields,
    };
    list.push(item);
    return item;
  };
  const projects: StubProject[] = [];
  const requests: GitLabStub['requests'] = [];
  const deliveries: GitLabStub['deliveries'] = [];
  const failures: HttpError[] = [];
  let base = '';

  const webUrl = (project: StubProject) => `${base}/${project.path_with_namespace}`;
  const userJson = (user: StubUser) => ({
    id: user.id,
    username: user.username,
    name: user.name,
    state: 'active',
    avatar_url: null,
    web_url: `${base}/${user.username}`,
  });
  const projectJson = (project: StubProject) => ({
    id: project.id,
    name: project.name,
    path: project.path_with_namespace.split('/').pop(),
    path_with_namespace: project.path_with_namespace,
    name_with_namespace: project.path_with_namespace.split('/').join(' / '),
    web_url: webUrl(project),
    default_branch: 'main',
  });
  const issueJson = (project: StubProject, issue: StubIssue, kind: 'issues' | 'merge_requests') => ({
    id: issue.id,
    iid: issue.iid,
    project_id: project.id,
    title: issue.title,
    description: issue.description,
    state: issue.state,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    labels: issue.labels,
    assignees: issue.assignees.map(userJson),
    assignee: issue.assignees[0] ? userJson(issue.assignees[0]) : null,
    author: userJson(issue.author),
    user_notes_count: issue.notes.filter((note) => !note.system).length,
    web_url: `${webUrl(project)}/-/${kind}/${issue.iid}`,
    references: {
      short: `${kind === 'issues' ? '#' : '!'}${issue.iid}`,
      full: `${project.path_with_namespace}${kind === 'issues' ? '#' : '!'}${issue.iid}`,
    },
    ...(kind === 'merge_requests'
      ? {
          source_branch: issue.source_branch,
          target_branch: issue.target_branch,
          merged_at: issue.merged_at ?? null,
          draft: /^(draft:|\[draft\]|\(draft\))/i.test(issue.title),
          work_in_progress: /^(draft:|\[draft\]|\(draft\))/i.test(issue.title),
          merge_status: 'can_be_merged',
        }
      : { type: 'ISSUE', confidential: false }),
  });
  const noteJson = (note: StubNote, issue: StubIssue, noteableType: 'Issue' | 'MergeRequest') => ({
    id: note.id,
    type: null,
    body: note.body,
    author: userJson(note.author),
    created_at: note.created_at,
    updated_at: note.updated_at,
    system: note.system,
    noteable_id: issue.id,
    noteable_type: noteableType,
    noteable_iid: issue.iid,
    resolvable: false,
    confidential: false,
    internal: false,
  });

  function findProject(id: string): StubProject {
    const decoded = decodeURIComponent(id);
    const project = projects.find((candidate) => String(candidate.id) === decoded || candidate.path_with_namespace === decoded);
    if (!project) throw notFound('Project');
    return project;
  }

  function paginate<T>(url: URL, items: T[]): { items: T[]; headers: Record<string, string> } {
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 20) || 20));
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    const link = (target: number) => {
      const next = new URL(url);
      next.searchParams.set('page', String(target));
      next.searchParams.set('per_page', String(perPage));
      return `${base}${next.pathname.slice(prefix.length)}${next.search}`;
    };
    const rels = [
      ...(page > 1 ? [`<${link(page - 1)}>; rel="prev"`] : []),
      ...(page < totalPages ? [`<${link(page + 1)}>; rel="next"`] : []),
      `<${link(1)}>; rel="first"`,
      `<${link(totalPages)}>; rel="last"`,
    ];
    return {
      items: items.slice((page - 1) * perPage, page * perPage),
      headers: {
        'x-total': String(items.length),
        'x-total-pages': String(totalPages),
        'x-per-page': String(perPage),
        'x-page': String(page),
        'x-next-page': page < totalPages ? String(page + 1) : '',
        'x-prev-page': page > 1 ? String(page - 1) : '',
        link: rels.join(', '),
      },
    };
  }

  function filterIssues(url: URL, pool: Array<{ project: StubProject; issue: StubIssue }>) {
    const query = url.searchParams;
    const search = query.get('search')?.toLowerCase();
    const state = query.get('state');
    const labels = query.get('labels')?.split(',').filter(Boolean) ?? [];
    const assignee = query.get('assignee_username') ?? query.get('assignee_username[]');
    const after = query.get('updated_after');
    let result = pool.filter(({ issue }) => {
      if (search && !`${issue.title}\n${issue.description}`.toLowerCase().includes(search)) return false;
      if (state && state !== 'all' && issue.state !== state) return false;
      if (labels.some((label) => !issue.labels.includes(label))) return false;
      if (assignee && !issue.assignees.some((user) => user.username === assignee)) return false;
      if (after && Date.parse(issue.updated_at) < Date.parse(after)) return false;
      return true;
    });
    const orderBy = query.get('order_by') === 'updated_at' ? 'updated_at' : 'created_at';
    const direction = query.get('sort') === 'asc' ? 1 : -1;
    result = result.sort((a, b) => direction * (Date.parse(a.issue[orderBy]) - Date.parse(b.issue[orderBy]) || a.issue.id - b.issue.id));
    return result;
  }

  function userByName(username: string) {
    return users.find((user) => user.username === username);
  }

  function assigneesFrom(ids: unknown): StubUser[] {
    if (!Array.isArray(ids)) throw new HttpError(400, { error: 'assignee_ids is invalid' });
    return ids
      .filter((id) => id !== 0)
      .map((id) => {
        const user = users.find((candidate) => candidate.id === id);
        if (!user) throw new HttpError(400, { message: { assignee_ids: ['is invalid'] } });
        return user;
      });
  }

  async function deliver(event: string, body: unknown) {
    if (!webhook) return;
    const text = JSON.stringify(body);
    // A `whsec_` secret is also set as the hook's signing token: GitLab then signs the body.
    const signing = webhook.secret.startsWith('whsec_') ? { signingToken: webhook.secret, body: text } : undefined;
    const headers = gitlabHookHeaders(event, webhook.secret, base, signing);
    const response = await fetch(webhook.url, { method: 'POST', headers, body: text });
    await response.arrayBuffer();
    deliveries.push({ headers, body: text, status: response.status });
  }

  function editIssue(issue: StubIssue, body: Record<string, unknown>, changes: StubHookChanges): string | null {
    let action: string | null = null;
    for (const field of ['title', 'description'] as const)
      if (typeof body[field] === 'string' && body[field] !== issue[field]) {
        changes[field] = { previous: issue[field], current: body[field] };
        issue[field] = body[field] as string;
      }
    if (body.target_branch !== undefined) issue.target_branch = String(body.target_branch);
    if (typeof body.labels === 'string') {
      const labels = body.labels
        .split(',')
        .map((label) => label.trim())
        .filter(Boolean);
      changes.labels = { previous: issue.labels, current: labels };
      issue.labels = labels;
    }
    if (body.assignee_ids !== undefined) {
      const assignees = assigneesFrom(body.assignee_ids);
      changes.assignees = { previous: issue.assignees, current: assignees };
      issue.assignees = assignees;
    }
    if (body.state_event === 'close' && issue.state === 'opened') {
      issue.state = 'closed';
      action = 'close';
    } else if (body.state_event === 'reopen' && issue.state === 'closed') {
      issue.state = 'opened';
      action = 'reopen';
    } else if (body.state_event !== undefined && body.state_event !== 'close' && body.state_event !== 'reopen')
      throw new HttpError(400, { error: 'state_event does not have a valid value' });
    issue.updated_at = now();
    if (action === 'close') issue.closed_at = issue.updated_at;
    if (action === 'reopen') issue.closed_at = null;
    changes.updated_at = { previous: null, current: issue.updated_at };
    return action ?? 'update';
  }

  async function route(
    method: string,
    url: URL,
    user: StubUser,
    body: Record<string, unknown>,
  ): Promise<{ status?: number; json: unknown; headers?: Record<string, string> }> {
    const path = url.pathname.slice(prefix.length);
    let match: RegExpExecArray | null;
    if (method === 'GET' && path === '/api/v4/user') return { json: { ...userJson(user), email: `${user.username}@example.com` } };
    if (method === 'GET' && path === '/api/v4/users') {
      const username = url.searchParams.get('username');
      return { json: users.filter((candidate) => !username || candidate.username === username).map(userJson) };
    }
    if (method === 'GET' && path === '/api/v4/projects') {
      const page = paginate(
        url,
        [...projects].sort((a, b) => a.path_with_namespace.localeCompare(b.path_with_namespace)),
      );
      return { json: page.items.map(projectJson), headers: page.headers };
    }
    if (method === 'GET' && path === '/api/v4/issues') {
      const page = paginate(
        url,
        filterIssues(
          url,
          projects.flatMap((project) => project.issues.map((issue) => ({ project, issue }))),
        ),
      );
      return { json: page.items.map(({ project, issue }) => issueJson(project, issue, 'issues')), headers: page.headers };
    }
    if ((match = /^\/api\/v4\/projects\/([^/]+)$/.exec(path)) && method === 'GET') return { json: projectJson(findProject(match[1]!)) };
    if ((match = /^\/api\/v4\/projects\/([^/]+)\/(issues|merge_requests)(?:\/(\d+))?(\/notes(?:\/(\d+))?)?$/.exec(path))) {
      const project = findProject(match[1]!);
      const kind = match[2] as 'issues' | 'merge_requests';
      const list = kind === 'issues' ? project.issues : project.mergeRequests;
      const hookKind = kind === 'issues' ? 'Issue' : 'MergeRequest';
      if (!match[3]) {
        if (method === 'GET') {
          const page = paginate(
            url,
            filterIssues(
              url,
              list.map((issue) => ({ project, issue })),
            ),
          );
          return { json: page.items.map(({ issue }) => issueJson(project, issue, kind)), headers: page.headers };
        }
        if (method === 'POST') {
          if (typeof body.title !== 'string' || body.title.trim() === '') throw new HttpError(400, { error: 'title is missing' });
          if (kind === 'merge_requests' && (typeof body.source_branch !== 'string' || typeof body.target_branch !== 'string'))
            throw new HttpError(400, { error: 'source_branch is missing, target_branch is missing' });
          if (kind === 'merge_requests' && list.some((mr) => mr.state === 'opened' && mr.source_branch === body.source_branch))
            throw new HttpError(409, {
              message: [
                `Another open merge request already exists for this source branch: !${list.find((mr) => mr.source_branch === body.source_branch)!.iid}`,
              ],
            });
          const issue = openItem(
            list,
            {
              title: body.title,
              description: typeof body.description === 'string' ? body.description : '',
              labels: typeof body.labels === 'string' ? body.labels.split(',').filter(Boolean) : [],
              assignees: body.assignee_ids === undefined ? [] : assigneesFrom(body.assignee_ids),
              ...(kind === 'merge_requests'
                ? { source_branch: String(body.source_branch), target_branch: String(body.target_branch), merged_at: null }
                : {}),
            },
            user,
          );
          const json = issueJson(project, issue, kind);
          await deliver(
            kind === 'issues' ? 'Issue Hook' : 'Merge Request Hook',
            kind === 'issues'
              ? issueHook(json, projectJson(project), user, 'open', {})
              : mergeRequestHook(json, projectJson(project), user, 'open', {}),
          );
          return { status: 201, json };
        }
      }
      const issue = list.find((candidate) => candidate.iid === Number(match![3]));
      if (!issue) throw notFound(kind === 'issues' ? 'Issue' : 'Merge Request');
      if (!match[4]) {
        if (method === 'GET') return { json: issueJson(project, issue, kind) };
        if (method === 'PUT') {
          const changes: StubHookChanges = {};
          const action = editIssue(issue, body, changes);
          const json = issueJson(project, issue, kind);
          await deliver(
            kind === 'issues' ? 'Issue Hook' : 'Merge Request Hook',
            kind === 'issues'
              ? issueHook(json, projectJson(project), user, action!, changes)
              : mergeRequestHook(json, projectJson(project), user, action!, changes),
          );
          return { json };
        }
      }
      if (match[4] && !match[5]) {
        if (method === 'GET') {
          const direction = url.searchParams.get('sort') === 'asc' ? 1 : -1;
          const sorted = [...issue.notes].sort((a, b) => direction * (Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id));
          const page = paginate(url, sorted);
          return { json: page.items.map((note) => noteJson(note, issue, hookKind)), headers: page.headers };
        }
        if (method === 'POST') {
          if (typeof body.body !== 'string' || body.body.trim() === '') throw new HttpError(400, { error: 'body is missing' });
          const created = now();
          const note: StubNote = {
            id: (nextId += 1),
            body: body.body,
            author: user,
            system: false,
            created_at: created,
            updated_at: created,
          };
          issue.notes.push(note);
          const json = noteJson(note, issue, hookKind);
          await deliver('Note Hook', noteHook(json, issueJson(project, issue, kind), projectJson(project), user, hookKind, 'create'));
          return { status: 201, json };
        }
      }
      if (match[5]) {
        const note = issue.notes.find((candidate) => candidate.id === Number(match![5]));
        if (!note) throw notFound('Note');
        if (method === 'GET') return { json: noteJson(note, issue, hookKind) };
        if (method === 'PUT') {
          if (note.author.id !== user.id) throw new HttpError(403, { message: '403 Forbidden' });
          if (typeof body.body === 'string') note.body = body.body;
          note.updated_at = now();
          const json = noteJson(note, issue, hookKind);
          await deliver('Note Hook', noteHook(json, issueJson(project, issue, kind), projectJson(project), user, hookKind, 'update'));
          return { json };
        }
      }
    }
    throw new HttpError(404, { error: '404 Not Found' });
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', base);
    const token =
      (request.headers['private-token'] as string | undefined) ?? request.headers.authorization?.replace(/^Bearer /, '') ?? null;
    requests.push({ method: request.method ?? 'GET', path: `${url.pathname}${url.search}`, token });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      const text = typeof json === 'string' ? json : JSON.stringify(json);
      response.writeHead(status, { 'content-type': typeof json === 'string' ? 'text/plain' : 'application/json', ...headers });
      response.end(text);
    };
    try {
      const failure = failures.shift();
      if (failure) throw failure;
      const username = token === null ? undefined : tokens[token];
      const user = username === undefined ? undefined : userByName(username);
      if (!user) throw new HttpError(401, { message: '401 Unauthorized' });
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      if (text) {
        if (!(request.headers['content-type'] ?? '').includes('application/json'))
          throw new HttpError(415, { error: 'Unsupported Media Type' });
        body = JSON.parse(text) as Record<string, unknown>;
      }
      const answer = await route(request.method ?? 'GET', url, user, body);
      send(answer.status ?? 200, answer.json, answer.headers);
    } catch (error) {
      if (error instanceof HttpError) send(error.status, error.body, error.headers);
      else send(500, { message: '500 Internal Server Error' });
    }
  }

  const server: Server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`;

  return {
    url: base,
    users,
    projects,
    requests,
    deliveries,
    addProject(path) {
      const project: StubProject = {
        id: (nextId += 1),
        name: path.split('/').pop()!,
        path_with_namespace: path,
        issues: [],
        mergeRequests: [],
      };
      projects.push(project);
      return project;
    },
    addIssue(project, fields) {
      return openItem(project.issues, fields);
    },
    json: { project: projectJson, issue: issueJson, note: noteJson, user: userJson },
    addMergeRequest(project, fields) {
      return openItem(project.mergeRequests, { merged_at: null, ...fields });
    },
    failNext(status, headers, body) {
      const defaults: Record<string, string> =
        status === 429
          ? {
              'retry-after': '7',
              'ratelimit-limit': '600',
              'ratelimit-remaining': '0',
              'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 7),
            }
          : {};
      failures.push(
        new HttpError(status, body ?? (status === 429 ? 'Retry later' : { message: `${status} Error` }), { ...defaults, ...headers }),
      );
    },
    setWebhook(value) {
      webhook = value;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
