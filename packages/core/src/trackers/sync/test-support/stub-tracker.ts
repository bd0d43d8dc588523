import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Tracker, TrackerClient, TrackerComment, TrackerIssue } from '../../../contracts/tracker.js';
import { PreloopError } from '../../../errors.js';

/**
 * A minimal tracker for the issue store's tests: a local REST server (issues
 * per project, comments, page/`since` listing, injected 429/500 answers) and a
 * {@link Tracker} whose client speaks it over real HTTP, signing webhooks with
 * HMAC-SHA256 (`x-stub-signature: sha256=…`, `x-stub-delivery`). Test support
 * only; the real trackers are the GitHub, GitLab and Jira plugins.
 */
export interface StubTrackerServer {
  url: string;
  /** Issues by project key. */
  issues: Map<string, TrackerIssue[]>;
  comments: Map<string, TrackerComment[]>;
  /** Every request's method and path (with query). */
  requests: string[];
  /** The accepted tokens and the login each acts as (authors what it creates); `stub-token` is `stub-bot`. */
  tokens: Map<string, string>;
  /** The next `count` issue-list requests answer `status` (429 with `Retry-After: retryAfterSeconds`). */
  failNext(count: number, status: number, retryAfterSeconds?: number): void;
  /** Adds or replaces an issue (bumps `updatedAt` to `at`). */
  put(project: string, number: number, fields: Partial<TrackerIssue>, at: number): TrackerIssue;
  close(): Promise<void>;
}

const read = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
};

/**
 * Starts the stub server on a loopback port.
 *
 * @example
 * ```ts
 * const stub = await startStubTrackerServer();
 * stub.put('acme/web', 1, { title: 'Crash' }, 1000);
 * ```
 */
export async function startStubTrackerServer(): Promise<StubTrackerServer> {
  const issues = new Map<string, TrackerIssue[]>();
  const comments = new Map<string, TrackerComment[]>();
  const requests: string[] = [];
  const tokens = new Map([['stub-token', 'stub-bot']]);
  let failures: { count: number; status: number; retryAfter?: number } = { count: 0, status: 200 };
  let url = '';
  const put = (project: string, number: number, fields: Partial<TrackerIssue>, at: number): TrackerIssue => {
    const list = issues.get(project) ?? [];
    const existing = list.find((issue) => issue.number === String(number));
    const issue: TrackerIssue = {
      id: `${project}-${number}`,
      project,
      number: String(number),
      key: `${project}#${number}`,
      title: `Issue ${number}`,
      body: '',
      state: 'open',
      labels: [],
      assignees: [],
      author: 'octocat',
      url: `${url}/${project}/issues/${number}`,
      createdAt: at,
      closedAt: null,
      raw: { number },
      ...existing,
      ...fields,
      updatedAt: at,
    };
    issues.set(project, [...list.filter((item) => item !== existing), issue]);
    return issue;
  };
  const server: Server = createServer(async (request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const address = new URL(request.url ?? '/', 'http://stub');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    const login = tokens.get(request.headers.authorization?.replace(/^Bearer /, '') ?? '');
    if (!login) return send(401, { message: 'Bad credentials' });
    const parts = address.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'user') return send(200, { login });
    if (parts[0] === 'projects' && parts.length === 1)
      return send(
        200,
        [...issues.keys()].map((key) => ({ id: key, key, name: key, url: `${url}/${key}`, raw: {} })),
      );
    const [, project, , numberText, sub] = parts;
    if (parts[0] !== 'projects' || !project || parts[2] !== 'issues') return send(404, { message: 'Not Found' });
    const list = issues.get(project) ?? [];
    if (request.method === 'GET' && numberText === undefined) {
      if (failures.count > 0) {
        failures.count -= 1;
        return send(
          failures.status,
          { message: 'slow down' },
          failures.retryAfter !== undefined ? { 'retry-after': String(failures.retryAfter) } : {},
        );
      }
      const since = Number(address.searchParams.get('since') ?? 0);
      const page = Number(address.searchParams.get('page') ?? 1);
      const perPage = Number(address.searchParams.get('per_page') ?? 30);
      const matching = list.filter((issue) => issue.updatedAt >= since).sort((a, b) => a.updatedAt - b.updatedAt);
      const items = matching.slice((page - 1) * perPage, page * perPage);
      return send(200, items, page * perPage < matching.length ? { 'x-next-page': String(page + 1) } : {});
    }
    if (request.method === 'POST' && numberText === undefined) {
      const body = (await read(request)) as { title: string; body?: string; labels?: string[]; assignees?: string[] };
      const number = list.length + 1;
      return send(
        201,
        put(
          project,
          number,
          {
            title: body.title,
            body: body.body ?? '',
            labels: body.labels ?? [],
            assignees: body.assignees ?? [],
            author: login,
            createdAt: Date.now(),
          },
          Date.now(),
        ),
      );
    }
    const issue = list.find((item) => item.number === numberText);
    if (!issue) return send(404, { message: 'Not Found' });
    const key = `${project}#${numberText}`;
    if (sub === 'comments' && request.method === 'GET') return send(200, comments.get(key) ?? []);
    if (sub === 'comments' && request.method === 'POST') {
      const body = (await read(request)) as { body: string };
      const list = comments.get(key) ?? [];
      const now = Date.now();
      const comment: TrackerComment = {
        id: `c${list.length + 1}`,
        body: body.body,
        author: login,
        url: `${issue.url}#c${list.length + 1}`,
        createdAt: now,
        updatedAt: now,
        raw: {},
      };
      comments.set(key, [...list, comment]);
      return send(201, comment);
    }
    return send(200, issue);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    issues,
    comments,
    requests,
    tokens,
    failNext(count, status, retryAfterSeconds) {
      failures = { count, status, ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}) };
    },
    put,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Signs a stub webhook body as the stub tracker verifies it. */
export function signStubWebhook(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function errorFor(status: number, retryAfter: string | null): PreloopError {
  if (status === 429)
    return new PreloopError('TRACKER_RATE_LIMITED', 'The stub tracker is rate limiting.', {
      status: 429,
      details: { retryAfterMs: retryAfter === null ? undefined : Number(retryAfter) * 1000 },
    });
  if (status === 404) return new PreloopError('TRACKER_NOT_FOUND', 'Not found in the stub tracker.', { status: 404 });
  if (status === 401 || status === 403)
    return new PreloopError('TRACKER_FORBIDDEN', 'The stub tracker refused the credential.', { status: 403 });
  return new PreloopError('TRACKER_UNAVAILABLE', `The stub tracker answered ${status}.`, { status: 502 });
}

/**
 * The stub tracker (id `stub`): settings `{ baseUrl, projects? }`, secret `{ token }`.
 *
 * @example
 * ```ts
 * const plugin = definePlugin({ id: 'stub-tracker', contributions: { trackers: [stubTracker()] } });
 * ```
 */
export function stubTracker(): Tracker<{ baseUrl: string; projects?: string[] }> {
  return {
    id: 'stub',
    version: 1,
    displayName: 'Stub tracker',
    settingsSchema: z.object({ baseUrl: z.string().url(), projects: z.array(z.string()).optional() }),
    secretsSchema: z.object({ token: z.string().min(1) }),
    pullRequests: false,
    connect({ settings, secrets, fetch: fetchImpl = fetch }): TrackerClient {
      const call = async <T>(method: string, path: string, body?: unknown): Promise<{ data: T; headers: Headers }> => {
        const response = await fetchImpl(`${settings.baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${secrets.token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        if (!response.ok) throw errorFor(response.status, response.headers.get('retry-after'));
        return { data: (await response.json()) as T, headers: response.headers };
      };
      const issuePath = (project: string, number?: string) =>
        `/projects/${encodeURIComponent(project)}/issues${number === undefined ? '' : `/${encodeURIComponent(number)}`}`;
      const unsupported = () =>
        Promise.reject(new PreloopError('TRACKER_INVALID_INPUT', 'Not supported by the stub tracker.', { status: 400 }));
      return {
        test: async () => ({ identity: (await call<{ login: string }>('GET', '/user')).data.login }),
        listProjects: async () => ({ items: (await call<never[]>('GET', '/projects')).data, nextCursor: null }),
        getIssue: async (ref) => (await call<TrackerIssue>('GET', issuePath(ref.project, ref.number))).data,
        searchIssues: unsupported,
        async listIssues(query) {
          const params = new URLSearchParams({ page: query.cursor ?? '1', per_page: String(query.limit ?? 100) });
          if (query.updatedSince !== undefined) params.set('since', String(query.updatedSince));
          const { data, headers } = await call<TrackerIssue[]>('GET', `${issuePath(query.project)}?${params}`);
          return { items: data, nextCursor: headers.get('x-next-page') };
        },
        createIssue: async (input) => (await call<TrackerIssue>('POST', issuePath(input.project), input)).data,
        updateIssue: unsupported,
        listComments: async (ref) => ({
          items: (await call<TrackerComment[]>('GET', `${issuePath(ref.project, ref.number)}/comments`)).data,
          nextCursor: null,
        }),
        addComment: async (ref, body) =>
          (await call<TrackerComment>('POST', `${issuePath(ref.project, ref.number)}/comments`, { body })).data,
        updateComment: unsupported,
      };
    },
    webhooks: {
      verify(delivery, secret) {
        const given = Buffer.from(delivery.headers.get('x-stub-signature') ?? '');
        const expected = Buffer.from(signStubWebhook(secret, Buffer.from(delivery.rawBody).toString('utf8')));
        return given.length === expected.length && timingSafeEqual(given, expected);
      },
      deliveryId: (delivery) => delivery.headers.get('x-stub-delivery'),
      parse(delivery) {
        const body = JSON.parse(Buffer.from(delivery.rawBody).toString('utf8'));
        return [
          {
            type: body.type,
            project: body.project,
            issue: body.issue ?? null,
            pullRequest: null,
            comment: body.comment ?? null,
            label: null,
            actor: null,
          },
        ];
      },
    },
  };
}
