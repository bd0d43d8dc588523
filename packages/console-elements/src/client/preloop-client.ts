import type { ApprovalRoutes } from '@preloop/approvals/api';
import type { CoreRoutes } from '@preloop/core/api';
import type { FlowRoutes } from '@preloop/flows/api';
import type { GatewayRoutes } from '@preloop/gateway/api';
import type { PushRoutes } from '@preloop/plugin-push/api';
import type { McpRoutes } from '@preloop/mcp/api';
import type {
  AgentListParams,
  ApprovalListParams,
  AuditQuery,
  CreateApiKeyInput,
  CreateBudgetInput,
  CreateMcpServerInput,
  CreateModelInput,
  CreateUserInput,
  DecideApprovalInput,
  EnrollAgentInput,
  KillSwitchScope,
  ListParams,
  Page,
  ResolveExecutionInput,
  SessionListParams,
  SimulateInput,
  UpdateBudgetInput,
  UpdateMcpServerInput,
  UpdateModelInput,
  UpdateUserInput,
  UsageSummaryParams,
} from './api-types.js';
import { LiveEvents, type LiveEventsOptions } from './live-events.js';
import { PreloopApiError, toApiError } from './preloop-api-error.js';

/** Options of {@link PreloopClient}. */
export interface PreloopClientOptions {
  /**
   * The Preloop server's base URL (an origin, optionally with a path prefix), without `/api/v1`.
   * @default '' (the page's own origin)
   */
  baseUrl?: string;
  /**
   * A bearer token (an API key with `admin:read`/`admin:write`), or a function returning one
   * per request. Omit it to use the console session cookie set by `auth.login()`.
   */
  token?: string | null | (() => string | null | Promise<string | null>);
  /**
   * The whole `Authorization` header of each request, from its method and absolute URL; wins over `token`.
   * A paired device signs every request with it (`PreloopDevice <jwt>`, see `deviceAuthorization`).
   */
  authorization?: (method: string, url: string) => string | null | Promise<string | null>;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The credentials mode, for the session cookie. @default 'same-origin' */
  credentials?: RequestCredentials;
  /** Options of the live event stream. */
  live?: LiveEventsOptions;
}

/** Options of {@link PreloopClient.request}. */
export interface RequestOptions {
  /** A JSON body. */
  body?: unknown;
  /** Query parameters; undefined and null values are left out. */
  query?: object;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Return the response text instead of parsing JSON. */
  text?: boolean;
}

const apiPath = '/api/v1';

/**
 * Every admin API route the console calls, keyed `METHOD /path` below `/api/v1`:
 * the kernel's (`CoreRoutes`) and those of the approvals, MCP, gateway and flows
 * plugins (`ApprovalRoutes`, `McpRoutes`, `GatewayRoutes`, `FlowRoutes`), each published by
 * the types-only `/api` entry of the package that serves it (and the push plugin's device routes, `PushRoutes`). Two maps naming
 * the same key with different types fail this package's build.
 */
export interface AdminRoutes extends CoreRoutes, ApprovalRoutes, McpRoutes, GatewayRoutes, FlowRoutes, PushRoutes {}

/** An admin route's key, `METHOD /path` below `/api/v1` (for example `GET /users/:id`, `POST /approvals/:id/decide`). */
export type AdminRoute = keyof AdminRoutes;

/** A kernel route's key, `METHOD /path` below `/api/v1` (for example `GET /users/:id`). */
export type CoreRoute = keyof CoreRoutes;

/** A query as a route's schema reads it, where a `'true' | 'false'` parameter may also be given as a boolean. */
export type RouteQuery<Query> = {
  [Key in keyof Query]?: Query[Key] | (Exclude<Query[Key], undefined> extends 'true' | 'false' ? boolean : never);
};

/** What {@link PreloopClient.route} sends: the path's `:parameters`, and the body and query the route takes. */
export type RouteInput<Route extends AdminRoute> = {
  /** Values of the path's `:parameters`, by name. */
  params?: Record<string, string | number>;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Return the response text instead of parsing JSON. */
  text?: boolean;
} & (AdminRoutes[Route] extends { body: infer Body } ? { body?: Body } : unknown) &
  (AdminRoutes[Route] extends { query: infer Query } ? { query?: RouteQuery<Query> } : unknown);

/** The success answer of an admin route, as its response schema types it. */
export type RouteResponse<Route extends AdminRoute> = AdminRoutes[Route]['response'];

/**
 * A typed client over the Preloop admin API (`/api/v1`), usable on its own or
 * provided to the elements through `@lit/context`. Every method returns the
 * API's JSON and throws a {@link PreloopApiError} on an error answer.
 *
 * @example
 * ```ts
 * const client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * await client.auth.login('ada@example.com', password);
 * const { items } = await client.agents.list({ state: 'active' });
 * client.live.on('approval-created', () => refresh());
 * ```
 */
export class PreloopClient {
  /** The base URL given (no trailing slash). */
  readonly baseUrl: string;
  /** The admin API's root, `<baseUrl>/api/v1`. */
  readonly apiUrl: string;
  private readonly options: PreloopClientOptions;
  private liveEvents: LiveEvents | null = null;

  constructor(options: PreloopClientOptions = {}) {
    this.options = options;
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.apiUrl = `${this.baseUrl}${apiPath}`;
  }

  /** The live event stream (`GET /events`), shared by everything using this client. */
  get live(): LiveEvents {
    return (this.liveEvents ??= new LiveEvents(async (signal, lastEventId) => {
      const url = `${this.apiUrl}/events`;
      const headers = await this.headers('GET', url);
      headers.set('accept', 'text/event-stream');
      if (lastEventId) headers.set('last-event-id', lastEventId);
      return this.fetchImpl(url, {
        headers,
        signal,
        credentials: this.options.credentials ?? 'same-origin',
        cache: 'no-store',
      });
    }, this.options.live));
  }

  /**
   * Opens a server-sent event stream of the admin API (`path` below `/api/v1`, for example an
   * execution's log) with this client's credentials; resolves with the response once its headers
   * arrived, and throws a {@link PreloopApiError} on an error answer.
   *
   * @example
   * ```ts
   * const response = await client.openStream(`/executions/${id}/logs`, { signal });
   * ```
   */
  async openStream(path: string, options: { signal?: AbortSignal } = {}): Promise<Response> {
    const url = `${this.apiUrl}${path}`;
    const headers = await this.headers('GET', url);
    headers.set('accept', 'text/event-stream');
    const response = await this.fetchImpl(url, {
      headers,
      signal: options.signal,
      credentials: this.options.credentials ?? 'same-origin',
      cache: 'no-store',
    });
    if (!response.ok) throw await toApiError(response);
    return response;
  }

  /**
   * Calls any admin API route: `path` is below `/api/v1`.
   *
   * @example
   * ```ts
   * const report = await client.request<AuditVerifyReport>('POST', '/audit/verify');
   * ```
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(`${this.apiUrl}${path}`, globalThis.location?.href ?? 'http://localhost');
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
    }
    const headers = await this.headers(method, url.href);
    const init: RequestInit = { method, headers, credentials: this.options.credentials ?? 'same-origin', signal: options.signal };
    if (options.body !== undefined) {
      headers.set('content-type', 'application/json');
      init.body = JSON.stringify(options.body);
    } else if (method !== 'GET' && method !== 'HEAD') {
      headers.set('content-type', 'application/json');
      init.body = '{}';
    }
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl ? url.href : `${url.pathname}${url.search}`, init);
    } catch (error) {
      if ((error as Error)?.name === 'AbortError') throw error;
      throw new PreloopApiError(
        'NETWORK_ERROR',
        `Could not reach Preloop at ${this.baseUrl || 'this origin'}: ${(error as Error).message}`,
        0,
        undefined,
        { cause: error },
      );
    }
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) return undefined as T;
    if (options.text) return (await response.text()) as T;
    const type = response.headers.get('content-type') ?? '';
    return (type.includes('json') ? await response.json() : await response.text()) as T;
  }

  /**
   * Calls an admin route by its key; the body, query and answer are typed by
   * the route's schemas ({@link AdminRoutes}: the kernel's and the plugins').
   *
   * @example
   * ```ts
   * const user = await client.route('GET /users/:id', { params: { id: 'usr_1' } });
   * const page = await client.route('GET /agents', { query: { state: 'active' } });
   * const vote = await client.route('POST /approvals/:id/decide', { params: { id: 'apr_1' }, body: { decision: 'approve' } });
   * ```
   */
  route<Route extends AdminRoute>(route: Route, input: RouteInput<Route> = {} as RouteInput<Route>): Promise<RouteResponse<Route>> {
    const [method, template] = route.split(' ') as [string, string];
    const path = template.replace(/:(\w+)/g, (_, name: string) => {
      const value = input.params?.[name];
      if (value === undefined || value === '') throw new TypeError(`${route}: the path parameter "${name}" is missing`);
      return encodeURIComponent(String(value));
    });
    const { body, query } = input as { body?: unknown; query?: object };
    return this.request<RouteResponse<Route>>(method, path, { body, query, signal: input.signal, text: input.text });
  }

  /** Console login, logout and who am I. */
  readonly auth = {
    /** Logs in with email and password; the server sets the `preloop_session` cookie. */
    login: (email: string, password: string) =>
      this.route('POST /auth/login', { body: { email, password } }).then((result) => {
        this.liveEvents?.resume();
        return result;
      }),
    /** Ends the console session. */
    logout: () => this.route('POST /auth/logout').then(() => this.liveEvents?.close()),
    /** The calling principal and its user; a 401 when not logged in. */
    me: () => this.route('GET /auth/me'),
    /** Changes your own password (the current one is checked); your other console sessions end, this one stays. */
    changePassword: (currentPassword: string, newPassword: string) =>
      this.route('POST /auth/password', { body: { currentPassword, newPassword } }),
  };

  /** Liveness and the kill switch. */
  readonly system = {
    /** `GET /health`. */
    health: () => this.route('GET /health'),
    /** The kill switch state. */
    killSwitch: () => this.route('GET /kill-switch'),
    /** Stops the given scopes (every scope when omitted) account-wide, on every instance; the reason is shown and audited. Already stopped scopes stay stopped. */
    activateKillSwitch: (reason: string, scopes?: readonly KillSwitchScope[]) =>
      this.route('POST /kill-switch/activate', { body: { reason, ...(scopes ? { scopes: [...scopes] } : {}) } }),
    /** Resumes the given scopes (all when omitted). */
    deactivateKillSwitch: (scopes?: readonly KillSwitchScope[]) =>
      this.route('POST /kill-switch/deactivate', { body: scopes ? { scopes: [...scopes] } : {} }),
  };

  /** Console users. */
  readonly users = {
    list: (params: RouteQuery<CoreRoutes['GET /users']['query']> = {}) => this.route('GET /users', { query: params }),
    get: (id: string) => this.route('GET /users/:id', { params: { id } }),
    create: (input: CreateUserInput) => this.route('POST /users', { body: input }),
    update: (id: string, patch: UpdateUserInput) => this.route('PATCH /users/:id', { params: { id }, body: patch }),
    delete: (id: string) => this.route('DELETE /users/:id', { params: { id } }),
    /** Resets another user's password (admin or higher): to `password`, or to a generated one returned once; their console sessions end. */
    resetPassword: (id: string, password?: string) =>
      this.route('POST /users/:id/password', { params: { id }, body: password ? { password } : {} }),
  };

  /** Teams and their members. */
  readonly teams = {
    list: (params: ListParams = {}) => this.route('GET /teams', { query: params }),
    create: (name: string, memberIds?: string[]) => this.route('POST /teams', { body: { name, ...(memberIds ? { memberIds } : {}) } }),
    rename: (id: string, name: string) => this.route('PATCH /teams/:id', { params: { id }, body: { name } }),
    setMembers: (id: string, userIds: string[]) => this.route('PUT /teams/:id/members', { params: { id }, body: { userIds } }),
    delete: (id: string) => this.route('DELETE /teams/:id', { params: { id } }),
  };

  /** API keys (the key itself is returned once, by `create`). */
  readonly apiKeys = {
    list: (params: RouteQuery<CoreRoutes['GET /api-keys']['query']> = {}) => this.route('GET /api-keys', { query: params }),
    create: (input: CreateApiKeyInput) => this.route('POST /api-keys', { body: input }),
    revoke: (id: string) => this.route('DELETE /api-keys/:id', { params: { id } }),
  };

  /** Managed agents and their lifecycle. */
  readonly agents = {
    list: (params: AgentListParams = {}) => this.route('GET /agents', { query: params }),
    get: (id: string) => this.route('GET /agents/:id', { params: { id } }),
    enroll: (input: EnrollAgentInput) => this.route('POST /agents', { body: input }),
    suspend: (id: string, reason?: string) => this.route('POST /agents/:id/suspend', { params: { id }, body: reason ? { reason } : {} }),
    resume: (id: string) => this.route('POST /agents/:id/resume', { params: { id } }),
    decommission: (id: string, reason?: string) =>
      this.route('POST /agents/:id/decommission', { params: { id }, body: reason ? { reason } : {} }),
  };

  /** Runtime sessions, their activity and captured gateway interactions. */
  readonly sessions = {
    list: (params: SessionListParams = {}) => this.route('GET /runtime-sessions', { query: params }),
    get: (id: string) => this.route('GET /runtime-sessions/:id', { params: { id } }),
    activity: (id: string, params: ListParams = {}) => this.route('GET /runtime-sessions/:id/activity', { params: { id }, query: params }),
    /** The gateway's captured model calls of the session (needs `@preloop/gateway`). */
    gatewayEvents: (id: string, params: RouteQuery<GatewayRoutes['GET /runtime-sessions/:id/gateway-events']['query']> = {}) =>
      this.route('GET /runtime-sessions/:id/gateway-events', { params: { id }, query: params }),
    end: (id: string, reason?: string) => this.route('POST /runtime-sessions/:id/end', { params: { id }, body: reason ? { reason } : {} }),
  };

  /** The tamper-evident audit trail. */
  readonly audit = {
    list: (query: AuditQuery = {}) => this.route('GET /audit', { query }),
    get: (id: string) => this.route('GET /audit/:id', { params: { id } }),
    /** Verifies the account's hash chain (admin); the verification is itself audited. */
    verify: () => this.route('POST /audit/verify'),
  };

  /** Policy versions, validation, diff, simulation and rollback. */
  readonly policy = {
    active: () => this.route('GET /policy'),
    versions: () => this.route('GET /policy/versions'),
    version: (version: number) => this.route('GET /policy/versions/:version', { params: { version } }),
    validate: (document: string | Record<string, unknown>) => this.route('POST /policy/validate', { body: { document } }),
    apply: (document: string | Record<string, unknown>, comment?: string) =>
      this.route('POST /policy', { body: { document, ...(comment ? { comment } : {}) } }),
    /** A unified diff from version `from` (default: the active one) to a version or a proposed document. */
    diff: (to: number | string, from?: number) => this.route('POST /policy/diff', { body: { to, ...(from ? { from } : {}) } }),
    simulate: (input: SimulateInput) => this.route('POST /policy/simulate', { body: input }),
    rollback: (version: number) => this.route('POST /policy/rollback', { body: { version } }),
    export: (format: 'yaml' | 'json' = 'yaml', version?: number) =>
      this.route('GET /policy/export', { query: { format, version }, text: true }) as Promise<string>,
  };

  /** Approval requests (needs `@preloop/approvals`). */
  readonly approvals = {
    /** Requests, newest first; each says whether you may decide it (`viewer`). */
    list: (params: ApprovalListParams = {}) => this.route('GET /approvals', { query: params }),
    /** Whether the workflows can approve what agents ask (for example: the only admin cannot approve their own agents). */
    readiness: () => this.route('GET /approvals/readiness'),
    /** One request with its votes and timeline. */
    get: (id: string) => this.route('GET /approvals/:id', { params: { id } }),
    /** Votes approve or deny (approver role or higher); one vote per approver. */
    decide: (id: string, input: DecideApprovalInput) => this.route('POST /approvals/:id/decide', { params: { id }, body: input }),
    cancel: (id: string, reason?: string) => this.route('POST /approvals/:id/cancel', { params: { id }, body: reason ? { reason } : {} }),
    /** Resolves a request whose execution outcome is unknown (`execution_unknown`; admin or higher). */
    resolveExecution: (id: string, input: ResolveExecutionInput) =>
      this.route('POST /approvals/:id/resolve-execution', { params: { id }, body: input }),
  };

  /** Model aliases and usage (needs `@preloop/gateway`). */
  readonly models = {
    list: () => this.route('GET /models'),
    create: (input: CreateModelInput) => this.route('POST /models', { body: input }),
    update: (alias: string, patch: UpdateModelInput) => this.route('PATCH /models/:alias', { params: { alias }, body: patch }),
    delete: (alias: string) => this.route('DELETE /models/:alias', { params: { alias } }),
    /** Usage and spend grouped by model, agent, key, session or day (default: the last 30 days). */
    usage: (params: UsageSummaryParams) => this.route('GET /usage/summary', { query: params }),
  };

  /** Spending limits on the gateway's model calls, per account, agent, API key or model (needs `@preloop/gateway`). */
  readonly budgets = {
    list: () => this.route('GET /budgets'),
    /** Spend against every budget in its current period. */
    status: () => this.route('GET /budgets/status'),
    create: (input: CreateBudgetInput) => this.route('POST /budgets', { body: input }),
    update: (id: string, patch: UpdateBudgetInput) => this.route('PATCH /budgets/:id', { params: { id }, body: patch }),
    delete: (id: string) => this.route('DELETE /budgets/:id', { params: { id } }),
  };

  /** Upstream MCP servers and the tool catalog (needs `@preloop/mcp`). */
  readonly mcp = {
    servers: () => this.route('GET /mcp-servers'),
    /** Registers an upstream server (a stdio server needs the owner role); scan it to discover its tools. */
    createServer: (input: CreateMcpServerInput) => this.route('POST /mcp-servers', { body: input }),
    /** Changes a server; `headers` and `env` replace the stored ones. */
    updateServer: (id: string, patch: UpdateMcpServerInput) => this.route('PATCH /mcp-servers/:id', { params: { id }, body: patch }),
    /** Removes a server, its tools and its stored credentials. */
    deleteServer: (id: string) => this.route('DELETE /mcp-servers/:id', { params: { id } }),
    /** Discovers a server's tools: new ones are pinned (trust on first use), changed ones quarantined. */
    scan: (id: string) => this.route('POST /mcp-servers/:id/scan', { params: { id } }),
    tools: () => this.route('GET /tools'),
    /** An upstream tool's live and pinned definitions and their diff. */
    tool: (name: string) => this.route('GET /tools/:name', { params: { name } }),
    /** Call statistics of one tool: counts by outcome, approvals, latency. */
    toolStats: (name: string) => this.route('GET /tools/:name/stats', { params: { name } }),
    /** Approves (pins) the live definition you reviewed, named by its hash. */
    approvePin: (name: string, hash: string, comment?: string) =>
      this.route('POST /tools/:name/approve-pin', { params: { name }, body: { hash, ...(comment ? { comment } : {}) } }),
  };

  private get fetchImpl(): typeof fetch {
    return this.options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  private async headers(method: string, url: string): Promise<Headers> {
    const headers = new Headers({ accept: 'application/json' });
    if (this.options.authorization) {
      const value = await this.options.authorization(method, new URL(url, globalThis.location?.href ?? 'http://localhost').href);
      if (value) headers.set('authorization', value);
      return headers;
    }
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    if (token) headers.set('authorization', `Bearer ${token}`);
    return headers;
  }
}

/**
 * Lists every item of a paginated route, following cursors up to `max` items.
 *
 * @example
 * ```ts
 * const users = await collectPages((cursor) => client.users.list({ cursor, limit: 200 }));
 * ```
 */
export async function collectPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  max = 1000,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (!page.nextCursor) return { items, truncated: false };
    if (items.length >= max) return { items: items.slice(0, max), truncated: true };
    cursor = page.nextCursor;
  }
}
