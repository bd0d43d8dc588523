import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { PreloopError, toErrorResponse } from '../errors.js';
import { toStoreUnavailableError } from '../storage/store-unavailable.js';
import { markUnmatched } from '../unmatched-response.js';
import { roleAtLeast, type Principal } from '../identity/principal.js';
import type { Preloop } from '../kernel/preloop.js';
import type { AdminRoute } from './define-route.js';
import { buildOpenApiDocument } from './openapi.js';
import { readJsonBody, readTextBody } from './read-body.js';
import { json } from './respond.js';
import { checkResponse } from './response-validation.js';
import { routeContract } from './route-contract.js';
import { assertSafeText } from './unsafe-text.js';
import { validate } from './validate.js';

/** Options of the admin API. */
export interface AdminApiOptions {
  /** Largest accepted request body, in bytes. @default 1048576 */
  bodyLimitBytes?: number;
  /**
   * The path prefix the host mounts Preloop under: the API answers at
   * `<basePath>/api/v1` (for example `/internal/preloop` → `/internal/preloop/api/v1`).
   * @default ''
   */
  basePath?: string;
  /**
   * Exact origins (`https://portal.example.com`) allowed to call the API from a
   * browser on another origin: CORS answers, credentials included, and cookie
   * writes from them pass the same-origin check. Every other origin gets no
   * CORS headers. @default []
   */
  trustedOrigins?: readonly string[];
  /**
   * Check every answer of a route that declares its `response` against its
   * contract (status, JSON body, media type): an answer the contract does not
   * describe becomes a 500 `RESPONSE_SCHEMA_MISMATCH` naming the route, the
   * status and the path of the mismatch, and is logged. For tests and
   * development: it reads each JSON body twice. Off, it costs nothing.
   * @default false
   */
  validateResponses?: boolean;
}

/** The admin API's base path. */
export const adminApiBasePath = '/api/v1';

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Builds the admin API: a web-standard handler serving `routes` under
 * `<basePath>/api/v1`, with authentication, role checks, body validation, JSON
 * errors, CORS for trusted origins and the OpenAPI document at
 * `<basePath>/api/v1/openapi.json`. An unknown path answers a 404 marked as
 * unmatched, so a Node mount hands it on to the host's routes.
 *
 * @example
 * ```ts
 * const api = createAdminApi(preloop, routes);
 * const response = await api(new Request('http://localhost/api/v1/auth/me'));
 * ```
 */
export function createAdminApi(
  preloop: Preloop,
  routes: readonly AdminRoute[],
  options: AdminApiOptions = {},
): (request: Request) => Promise<Response> {
  const bodyLimit = options.bodyLimitBytes ?? 1_048_576;
  const trustedOrigins = new Set(options.trustedOrigins ?? []);
  const app = new Hono().basePath(`${options.basePath ?? ''}${adminApiBasePath}`);
  if (trustedOrigins.size > 0) {
    app.use(
      '*',
      cors({
        origin: (origin) => (trustedOrigins.has(origin) ? origin : null),
        credentials: true,
        allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowHeaders: ['authorization', 'content-type', 'last-event-id'],
        exposeHeaders: ['retry-after'],
        maxAge: 600,
      }),
    );
  }
  for (const route of routes) {
    if (route.acceptForm && route.access !== 'public') {
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        `Route ${route.method} ${route.path}: acceptForm is only allowed on public routes (form posts are not CSRF-safe for cookie sessions).`,
      );
    }
    if (route.rawBody && (route.access !== 'public' || route.body)) {
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        `Route ${route.method} ${route.path}: rawBody is only allowed on public routes without a body schema (the handler reads and checks the body itself).`,
      );
    }
  }
  let openApi: unknown = null;
  app.get('/openapi.json', () => json((openApi ??= buildOpenApiDocument(routes))));

  for (const route of routes) {
    const contract = options.validateResponses && route.response !== undefined ? routeContract(route) : null;
    app.on(route.method, route.path, async (c) => {
      if (!contract) return answer(route, c.req.raw, c.req.param());
      const response = await answer(route, c.req.raw, c.req.param()).catch((error: unknown) => toApiErrorResponse(preloop, error));
      return checkResponse(route, contract, response).catch((error: unknown) => {
        preloop.logger.error('admin API: an answer does not match its route contract', {
          error: (error as Error).message,
          details: (error as PreloopError).details,
        });
        return toErrorResponse(error);
      });
    });
  }
  app.notFound((c) =>
    markUnmatched(toErrorResponse(new PreloopError('NOT_FOUND', `No admin API route ${c.req.method} ${new URL(c.req.url).pathname}.`))),
  );
  app.onError((error) => toApiErrorResponse(preloop, error));
  return async (request) => app.fetch(request);

  /** Runs one route: authentication, input checks, the handler; the handler's data becomes JSON with the route's status. */
  async function answer(route: AdminRoute, request: Request, params: Record<string, string>): Promise<Response> {
    const principal = await authorize(preloop, route, request, trustedOrigins);
    // Every string that reaches a route (path, query, body) is refused with 400 when it holds NUL or a lone surrogate.
    assertSafeText(params, 'path');
    if (route.params) validate(route.params, params, 'path');
    const rawQuery = Object.fromEntries(new URL(request.url).searchParams);
    assertSafeText(rawQuery, 'query');
    const rawBody = route.rawBody
      ? undefined
      : route.body
        ? await readRouteBody(route, request, bodyLimit)
        : unsafeMethods.has(route.method)
          ? await readJsonBody(request, bodyLimit)
          : undefined;
    assertSafeText(rawBody, 'body');
    const body = route.body ? validate(route.body, rawBody, 'body') : rawBody;
    const query = route.query ? validate(route.query, rawQuery, 'query') : undefined;
    const result = await route.handler({ request, params, body, query, principal, preloop });
    return result instanceof Response ? result : json(result ?? null, route.status ?? 200);
  }
}

/** The JSON error answer of a thrown value; a database that cannot be reached is a 503 with Retry-After naming the store, not an opaque 500. */
function toApiErrorResponse(preloop: Preloop, error: unknown): Response {
  const unavailable = toStoreUnavailableError(error);
  if (unavailable) {
    preloop.logger.warn('admin API: store unavailable', { store: unavailable.store, reason: unavailable.message });
    return toErrorResponse(unavailable);
  }
  if (!(error instanceof PreloopError)) preloop.logger.error('admin API request failed', { error });
  return toErrorResponse(error);
}

/** Reads a route's body: JSON, or a form post where the route accepts one. */
async function readRouteBody(route: AdminRoute, request: Request, limit: number): Promise<unknown> {
  if (route.acceptForm && isFormPost(request)) return Object.fromEntries(new URLSearchParams(await readTextBody(request, limit)));
  return readJsonBody(request, limit);
}

/**
 * True when the request's body is a plain HTML form post.
 *
 * @example
 * ```ts
 * if (isFormPost(request)) return htmlPage();
 * ```
 */
export function isFormPost(request: Request): boolean {
  return (request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

async function authorize(
  preloop: Preloop,
  route: AdminRoute,
  request: Request,
  trustedOrigins: ReadonlySet<string>,
): Promise<Principal | null> {
  if (route.access === 'public') return null;
  const principal = await preloop.authenticate(request);
  if (!principal) {
    throw new PreloopError('UNAUTHENTICATED', 'Authentication required: send a session cookie or "Authorization: Bearer <API key>".');
  }
  const allowed = route.access.principals ?? ['user', 'api_key'];
  if (!allowed.includes(principal.type)) {
    throw new PreloopError('FORBIDDEN', `A ${principal.type.replace('_', ' ')} may not call ${route.method} ${route.path}.`);
  }
  const write = unsafeMethods.has(route.method);
  if (principal.type === 'api_key' && !route.access.principals) {
    const scope = write ? 'admin:write' : 'admin:read';
    if (!principal.scopes.includes(scope) && !(scope === 'admin:read' && principal.scopes.includes('admin:write'))) {
      throw new PreloopError('FORBIDDEN', `This API key lacks the "${scope}" scope.`);
    }
  }
  // A route that names its principals and no role decides in its handler (a key with no user, such as an agent's, has no role).
  const minimum = route.access.role ?? (route.access.principals ? null : 'viewer');
  if (minimum !== null && (principal.type === 'user' || principal.type === 'api_key') && !roleAtLeast(principal.role, minimum)) {
    throw new PreloopError('FORBIDDEN', `This action needs the ${minimum} role or higher; you are ${principal.role ?? 'without a role'}.`);
  }
  if (write && principal.type === 'user' && !request.headers.has('authorization')) checkSameOrigin(request, trustedOrigins);
  return principal;
}

/** Cookie-authenticated writes must come from the same origin or a trusted one (CSRF defence on top of SameSite cookies). */
function checkSameOrigin(request: Request, trustedOrigins: ReadonlySet<string>): void {
  const origin = request.headers.get('origin');
  if (origin !== null && trustedOrigins.has(origin)) return;
  const host = request.headers.get('host') ?? new URL(request.url).host;
  if (origin !== null && origin !== 'null' && new URL(origin).host === host) return;
  if (origin === null && request.headers.get('sec-fetch-site') !== 'cross-site') return;
  throw new PreloopError('FORBIDDEN', 'Cross-origin request refused: cookie-authenticated writes must come from the console origin.');
}
