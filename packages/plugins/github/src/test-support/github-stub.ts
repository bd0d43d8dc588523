/**
 * A local GitHub for tests: speaks GitHub's REST wire format (paths, JSON
 * shapes, `Link` pagination, error bodies, rate-limit headers, the GitHub App
 * installation-token endpoint that checks the app's RS256 JWT) over real HTTP
 * on loopback, keeps its state in memory, and sends signed webhook deliveries
 * to registered hooks when issues, comments and pull requests change — as
 * GitHub does. Serve it under `/api/v3` to play GitHub Enterprise Server.
 */

import { createPublicKey, generateKeyPairSync, randomBytes, verify as verifySignature, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitHubStubState, type StubIssue } from './github-stub-state.js';
import {
  githubDelivery,
  issueCommentPayload,
  issuesPayload,
  pullRequestPayload,
  sendGitHubDelivery,
  type GitHubDelivery,
} from './github-stub-webhooks.js';

/** A GitHub App registered with the stub. */
export interface StubApp {
  appId: number;
  installationId: number;
  /** PEM (PKCS#8) private key, as GitHub lets you download it. */
  privateKey: string;
}

/** A webhook the stub delivers to. */
export interface StubHook {
  url: string;
  secret: string;
  events: string[];
}

/** The answer the next matching request gets instead of its own. */
export interface StubFailure {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A running GitHub stub. */
export interface GitHubStub {
  /** The API base URL (`http://127.0.0.1:<port>` or `…/api/v3`), for octokit's `baseUrl`. */
  readonly url: string;
  readonly state: GitHubStubState;
  /** Every request the stub saw: method, path (with query) and `authorization`. */
  readonly requests: { method: string; path: string; authorization: string | null }[];
  /** What the stub delivered to hooks, with the receiver's status. */
  readonly deliveries: (GitHubDelivery & { status: number | null })[];
  /** Accepts `token` as a personal access token of `login`. */
  addToken(token: string, login?: string): void;
  /** Registers a GitHub App with an installation; tokens it issues live `tokenTtlMs`. */
  createApp(options?: { tokenTtlMs?: number }): StubApp;
  /** Tokens issued to app installations so far. */
  readonly installationTokens: { token: string; expiresAt: number }[];
  /** The next request whose path includes `pathIncludes` (any when omitted) gets `failure`. */
  failNext(failure: StubFailure, pathIncludes?: string): void;
  /** Delivers changes to `hook` from now on, as GitHub does. */
  addHook(hook: StubHook): void;
  /** Waits until every delivery sent so far was answered. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(body === undefined ? '' : JSON.stringify(body));
};
const docs = 'https://docs.github.com/rest';
const notFound = { message: 'Not Found', documentation_url: docs, status: '404' };

/**
 * Starts a GitHub stub on a free loopback port.
 *
 * @example
 * ```ts
 * const stub = await startGitHubStub();
 * stub.addToken('ghp_test');
 * stub.state.addRepository('acme/api');
 * const octokit = new Octokit({ baseUrl: stub.url, auth: 'ghp_test' });
 * ```
 */
export async function startGitHubStub(options: { basePath?: string; perPageMax?: number } = {}): Promise<GitHubStub> {
  const basePath = options.basePath ?? '';
  const tokens = new Map<string, string>();
  const apps = new Map<number, { publicKey: KeyObject; app: StubApp; tokenTtlMs: number }>();
  const installationTokens: { token: string; expiresAt: number; installationId: number }[] = [];
  const failures: { failure: StubFailure; pathIncludes?: string }[] = [];
  const hooks: StubHook[] = [];
  const deliveries: GitHubStub['deliveries'] = [];
  const pending = new Set<Promise<void>>();
  const requests: GitHubStub['requests'] = [];
  let origin = '';
  const state = new GitHubStubState('https://github.example.com');
  const apiUrl = () => `${origin}${basePath}`;

  const deliver = (event: string, payload: unknown) => {
    for (const hook of hooks) {
      if (!hook.events.includes(event) && !hook.events.includes('*')) continue;
      const delivery = githubDelivery(event, payload, hook.secret);
      const record = { ...delivery, status: null as number | null };
      deliveries.push(record);
      const sent = sendGitHubDelivery(hook.url, delivery)
        .then(async (response) => {
          record.status = response.status;
          await response.body?.cancel();
        })
        .catch(() => {
          record.status = 0;
        });
      pending.add(sent);
      void sent.finally(() => pending.delete(sent));
    }
  };
  const repositoryOf = (repo: string) => {
    const repository = state.repositories.get(repo);
    return repository ? state.repositoryJson(repository) : null;
  };

  /** The login a request acts as, or null (then it was answered 401). */
  const authenticate = (request: IncomingMessage, response: ServerResponse): string | null => {
    const header = request.headers.authorization ?? '';
    const token = header.replace(/^(token|bearer)\s+/i, '');
    const login = tokens.get(token);
    if (login) return login;
    const issued = installationTokens.find((candidate) => candidate.token === token);
    if (issued && issued.expiresAt > state.now()) return `app-installation-${issued.installationId}[bot]`;
    json(response, 401, { message: 'Bad credentials', documentation_url: docs, status: '401' });
    return null;
  };
  const appOfJwt = (request: IncomingMessage): StubApp | null => {
    const jwt = (request.headers.authorization ?? '').replace(/^bearer\s+/i, '');
    const [head, claims, signature] = jwt.split('.');
    if (!head || !claims || !signature) return null;
    try {
      const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string };
      const body = JSON.parse(Buffer.from(claims, 'base64url').toString()) as { iss?: unknown; exp?: number; iat?: number };
      const app = apps.get(Number(body.iss));
      if (header.alg !== 'RS256' || !app) return null;
      const ok = verifySignature('RSA-SHA256', Buffer.from(`${head}.${claims}`), app.publicKey, Buffer.from(signature, 'base64url'));
      const nowSeconds = state.now() / 1000;
      if (!ok || typeof body.exp !== 'number' || body.exp < nowSeconds || body.exp - (body.iat ?? 0) > 600) return null;
      return app.app;
    } catch {
      return null;
    }
  };
  const page = <T>(request: URL, response: ServerResponse, items: T[]): T[] => {
    const perPage = Math.min(Number(request.searchParams.get('per_page') ?? 30) || 30, options.perPageMax ?? 100);
    const current = Math.max(1, Number(request.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (number: number, rel: string) => {
      const target = new URL(request.href);
      target.searchParams.set('page', String(number));
      target.searchParams.set('per_page', String(perPage));
      return `<${origin}${target.pathname}${target.search}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (current < last) links.push(link(current + 1, 'next'), link(last, 'last'));
    if (current > 1) links.push(link(1, 'first'), link(current - 1, 'prev'));
    if (links.length) response.setHeader('link', links.join(', '));
    return items.slice((current - 1) * perPage, current * perPage);
  };
  const readBody = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const validationFailed = (response: ServerResponse, field: string, code = 'missing_field') =>
    json(response, 422, {
      message: 'Validation Failed',
      errors: [{ resource: 'Issue', field, code }],
      documentation_url: docs,
      status: '422',
    });
  const touch = (issue: StubIssue) => {
    issue.updatedAt = Math.max(state.now(), issue.updatedAt + 1);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://stub');
    requests.push({
      method: request.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      authorization: request.headers.authorization ?? null,
    });
    const failureIndex = failures.findIndex((candidate) => !candidate.pathIncludes || url.pathname.includes(candidate.pathIncludes));
    if (failureIndex >= 0) {
      const [{ failure }] = failures.splice(failureIndex, 1) as [{ failure: StubFailure }];
      return json(
        response,
        failure.status,
        failure.body ?? { message: `stub failure ${failure.status}`, documentation_url: docs },
        failure.headers,
      );
    }
    if (!url.pathname.startsWith(basePath)) return json(response, 404, notFound);
    const path = url.pathname.slice(basePath.length) || '/';
    const method = request.method ?? 'GET';
    let match: RegExpMatchArray | null;

    if (method === 'POST' && (match = path.match(/^\/app\/installations\/(\d+)\/access_tokens$/))) {
      const app = appOfJwt(request);
      if (!app) return json(response, 401, { message: 'A JSON web token could not be decoded', documentation_url: docs, status: '401' });
      if (app.installationId !== Number(match[1])) return json(response, 404, notFound);
      const expiresAt = state.now() + apps.get(app.appId)!.tokenTtlMs;
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      installationTokens.push({ token, expiresAt, installationId: app.installationId });
      return json(response, 201, {
        token,
        expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        permissions: { issues: 'write', pull_requests: 'write', metadata: 'read' },
        repository_selection: 'all',
      });
    }

    const login = authenticate(request, response);
    if (!login) return;

    if (method === 'GET' && path === '/user') return json(response, 200, { ...state.user(login), type: 'User', name: login });
    if (method === 'GET' && path === '/user/repos')
      return json(
        response,
        200,
        page(
          url,
          response,
          [...state.repositories.values()].map((repository) => state.repositoryJson(repository)),
        ),
      );
    if (method === 'GET' && path === '/installation/repositories') {
      const all = [...state.repositories.values()].map((repository) => state.repositoryJson(repository));
      return json(response, 200, { total_count: all.length, repository_selection: 'all', repositories: page(url, response, all) });
    }
    if (method === 'GET' && path === '/search/issues') {
      const q = url.searchParams.get('q') ?? '';
      const terms = q.split(/\s+/).filter(Boolean);
      const words: string[] = [];
      let found = [...state.issues];
      for (const term of terms) {
        const [key, ...rest] = term.split(':');
        const value = rest.join(':').replace(/^"|"$/g, '');
        if (key === 'repo' && rest.length) found = found.filter((issue) => issue.repo === value);
        else if (term === 'is:issue' || term === 'type:issue') found = found.filter((issue) => !issue.pull);
        else if (term === 'is:pr' || term === 'type:pr') found = found.filter((issue) => issue.pull);
        else if (term === 'is:open' || term === 'state:open') found = found.filter((issue) => issue.state === 'open');
        else if (term === 'is:closed' || term === 'state:closed') found = found.filter((issue) => issue.state === 'closed');
        else if (key === 'label' && rest.length) found = found.filter((issue) => issue.labels.includes(value));
        else if (key === 'assignee' && rest.length) found = found.filter((issue) => issue.assignees.includes(value));
        else if (key === 'org' || key === 'user') found = found.filter((issue) => issue.repo.startsWith(`${value}/`));
        else words.push(term.toLowerCase());
      }
      found = found.filter((issue) => words.every((word) => `${issue.title} ${issue.body ?? ''}`.toLowerCase().includes(word)));
      found.sort((a, b) => b.updatedAt - a.updatedAt);
      const items = page(url, response, found).map((issue) => ({ ...state.issueJson(issue, apiUrl()), score: 1 }));
      return json(response, 200, { total_count: found.length, incomplete_results: false, items });
    }

    if ((match = path.match(/^\/repos\/([^/]+\/[^/]+)(\/.*)?$/))) {
      const repo = match[1]!;
      const rest = match[2] ?? '';
      if (!state.repositories.has(repo)) return json(response, 404, notFound);
      const repository = repositoryOf(repo);
      const sender = { ...state.user(login), type: 'User' };
      if (method === 'GET' && rest === '') return json(response, 200, repository);

      if (method === 'GET' && rest === '/issues') {
        const wanted = url.searchParams.get('state') ?? 'open';
        const since = url.searchParams.get('since');
        const labels = url.searchParams.get('labels')?.split(',').filter(Boolean) ?? [];
        const assignee = url.searchParams.get('assignee');
        let found = state.issues.filter((issue) => issue.repo === repo && (wanted === 'all' || issue.state === wanted));
        if (since) found = found.filter((issue) => issue.updatedAt >= Date.parse(since));
        if (labels.length) found = found.filter((issue) => labels.every((label) => issue.labels.includes(label)));
        if (assignee) found = found.filter((issue) => issue.assignees.includes(assignee));
        const sortBy = url.searchParams.get('sort') === 'updated' ? 'updatedAt' : 'createdAt';
        const ascending = url.searchParams.get('direction') === 'asc';
        found.sort((a, b) => (ascending ? a[sortBy] - b[sortBy] || a.id - b.id : b[sortBy] - a[sortBy] || b.id - a.id));
        return json(
          response,
          200,
          page(url, response, found).map((issue) => state.issueJson(issue, apiUrl())),
        );
      }
      if (method === 'POST' && rest === '/issues') {
        const body = await readBody(request);
        if (typeof body.title !== 'string' || body.title === '') return validationFailed(response, 'title');
        const issue = state.addIssue(repo, {
          title: body.title,
          body: typeof body.body === 'string' ? body.body : null,
          labels: Array.isArray(body.labels) ? (body.labels as string[]) : [],
          assignees: Array.isArray(body.assignees) ? (body.assignees as string[]) : [],
          user: login,
        });
        const answer = state.issueJson(issue, apiUrl());
        deliver('issues', issuesPayload('opened', answer, repository, sender));
        return json(response, 201, answer);
      }
      if ((match = rest.match(/^\/issues\/comments\/(\d+)$/))) {
        const comment = state.comments.find((candidate) => candidate.repo === repo && candidate.id === Number(match![1]));
        if (!comment) return json(response, 404, notFound);
        if (method === 'GET') return json(response, 200, state.commentJson(comment, apiUrl()));
        if (method === 'PATCH') {
          const body = await readBody(request);
          if (typeof body.body !== 'string' || body.body === '') return validationFailed(response, 'body');
          comment.body = body.body;
          comment.updatedAt = Math.max(state.now(), comment.updatedAt + 1);
          const answer = state.commentJson(comment, apiUrl());
          const issue = state.findIssue(repo, comment.issueNumber)!;
          deliver('issue_comment', issueCommentPayload('edited', state.issueJson(issue, apiUrl()), answer, repository, sender));
          return json(response, 200, answer);
        }
      }
      if ((match = rest.match(/^\/issues\/(\d+)(\/comments)?$/))) {
        const issue = state.findIssue(repo, Number(match[1]));
        if (!issue) return json(response, 404, notFound);
        if (match[2]) {
          if (method === 'GET') {
            const found = state.comments.filter((comment) => comment.repo === repo && comment.issueNumber === issue.number);
            return json(
              response,
              200,
              page(url, response, found).map((comment) => state.commentJson(comment, apiUrl())),
            );
          }
          if (method === 'POST') {
            const body = await readBody(request);
            if (typeof body.body !== 'string' || body.body === '') return validationFailed(response, 'body');
            const now = state.now();
            const comment = {
              id: state.id(),
              repo,
              issueNumber: issue.number,
              body: body.body,
              user: login,
              createdAt: now,
              updatedAt: now,
            };
            state.comments.push(comment);
            touch(issue);
            const answer = state.commentJson(comment, apiUrl());
            deliver('issue_comment', issueCommentPayload('created', state.issueJson(issue, apiUrl()), answer, repository, sender));
            return json(response, 201, answer);
          }
        } else {
          if (method === 'GET') return json(response, 200, state.issueJson(issue, apiUrl()));
          if (method === 'PATCH') {
            const body = await readBody(request);
            const before = { title: issue.title, body: issue.body ?? '', state: issue.state, labels: [...issue.labels] };
            if (typeof body.title === 'string') issue.title = body.title;
            if (typeof body.body === 'string') issue.body = body.body;
            if (Array.isArray(body.labels)) issue.labels = body.labels as string[];
            if (Array.isArray(body.assignees)) issue.assignees = body.assignees as string[];
            if (body.state === 'open' || body.state === 'closed') {
              issue.state = body.state;
              issue.closedAt = body.state === 'closed' ? state.now() : null;
              issue.stateReason = body.state === 'closed' ? 'completed' : 'reopened';
            }
            touch(issue);
            const answer = state.issueJson(issue, apiUrl());
            if (issue.title !== before.title || (issue.body ?? '') !== before.body)
              deliver(
                'issues',
                issuesPayload('edited', answer, repository, sender, {
                  changes: issue.title !== before.title ? { title: { from: before.title } } : { body: { from: before.body } },
                }),
              );
            for (const label of issue.labels.filter((label) => !before.labels.includes(label)))
              deliver('issues', issuesPayload('labeled', answer, repository, sender, { label }));
            if (issue.state !== before.state)
              deliver('issues', issuesPayload(issue.state === 'closed' ? 'closed' : 'reopened', answer, repository, sender));
            return json(response, 200, answer);
          }
        }
      }
      if (method === 'GET' && rest === '/pulls') {
        // GitHub's pull request listing: state (default open), sort created|updated (default created), direction (default desc); no `since`.
        const wanted = url.searchParams.get('state') ?? 'open';
        const found = state.issues.filter((issue) => issue.repo === repo && issue.pull && (wanted === 'all' || issue.state === wanted));
        const sortBy = url.searchParams.get('sort') === 'updated' ? 'updatedAt' : 'createdAt';
        const ascending = url.searchParams.get('direction') === 'asc';
        found.sort((a, b) => (ascending ? a[sortBy] - b[sortBy] || a.id - b.id : b[sortBy] - a[sortBy] || b.id - a.id));
        return json(
          response,
          200,
          page(url, response, found).map((issue) => state.pullJson(issue, apiUrl())),
        );
      }
      if (method === 'POST' && rest === '/pulls') {
        const body = await readBody(request);
        if (typeof body.title !== 'string' || body.title === '') return validationFailed(response, 'title');
        if (typeof body.head !== 'string' || typeof body.base !== 'string') return validationFailed(response, 'head');
        const issue = state.addIssue(repo, {
          title: body.title,
          body: typeof body.body === 'string' ? body.body : null,
          user: login,
          pull: { head: body.head, base: body.base, draft: body.draft === true, mergedAt: null },
        });
        const answer = state.pullJson(issue, apiUrl());
        deliver('pull_request', pullRequestPayload('opened', answer, repository, sender));
        return json(response, 201, answer);
      }
      if ((match = rest.match(/^\/pulls\/(\d+)$/))) {
        const issue = state.findIssue(repo, Number(match[1]));
        if (!issue?.pull) return json(response, 404, notFound);
        if (method === 'GET') return json(response, 200, state.pullJson(issue, apiUrl()));
        if (method === 'PATCH') {
          const body = await readBody(request);
          const wasState = issue.state;
          if (typeof body.title === 'string') issue.title = body.title;
          if (typeof body.body === 'string') issue.body = body.body;
          if (typeof body.base === 'string') issue.pull.base = body.base;
          if (body.state === 'open' || body.state === 'closed') {
            issue.state = body.state;
            issue.closedAt = body.state === 'closed' ? state.now() : null;
          }
          touch(issue);
          const answer = state.pullJson(issue, apiUrl());
          deliver(
            'pull_request',
            pullRequestPayload(
              issue.state !== wasState ? (issue.state === 'closed' ? 'closed' : 'reopened') : 'edited',
              answer,
              repository,
              sender,
            ),
          );
          return json(response, 200, answer);
        }
      }
    }
    return json(response, 404, notFound);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => json(response, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}${basePath}`,
    state,
    requests,
    deliveries,
    installationTokens,
    addToken(token, login = 'octocat') {
      tokens.set(token, login);
    },
    createApp(appOptions = {}) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const app: StubApp = {
        appId: state.id(),
        installationId: state.id(),
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      };
      apps.set(app.appId, { publicKey: createPublicKey(privateKey), app, tokenTtlMs: appOptions.tokenTtlMs ?? 3_600_000 });
      return app;
    },
    failNext(failure, pathIncludes) {
      failures.push({ failure, ...(pathIncludes ? { pathIncludes } : {}) });
    },
    addHook(hook) {
      hooks.push(hook);
    },
    async settled() {
      while (pending.size) await Promise.all([...pending]);
    },
    async close() {
      await Promise.all([...pending]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
