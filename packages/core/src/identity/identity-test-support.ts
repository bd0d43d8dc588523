import type { Preloop } from '../kernel/preloop.js';
import type { Role } from './principal.js';
import type { User } from './users.js';

/** A JSON response read whole: status, headers and parsed body. Test support only. */
export interface ApiResult {
  status: number;
  headers: Headers;
  body: any;
}

/** How a test request authenticates. */
export interface ApiCallOptions {
  body?: unknown;
  /** Sent as `Authorization: Bearer <bearer>`. */
  bearer?: string;
  /** Sent as the `Cookie` header. */
  cookie?: string;
  headers?: Record<string, string>;
  /** @default 'http://localhost' */
  origin?: string;
}

/**
 * Calls the admin API in-process and parses the JSON answer. Test support only.
 *
 * @example
 * ```ts
 * const { status, body } = await callApi(preloop, 'GET', '/users', { bearer: key });
 * ```
 */
export async function callApi(preloop: Preloop, method: string, path: string, options: ApiCallOptions = {}): Promise<ApiResult> {
  const headers = new Headers(options.headers);
  if (options.bearer) headers.set('authorization', `Bearer ${options.bearer}`);
  if (options.cookie) headers.set('cookie', options.cookie);
  if (options.body !== undefined) headers.set('content-type', 'application/json');
  const response = await preloop.api(
    new Request(`${options.origin ?? 'http://localhost'}/api/v1${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    }),
  );
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** A user made for a test, with an admin-API key acting for it. */
export interface SeededUser {
  user: User;
  password: string;
  /** A `plk_` key with admin:read and admin:write acting for the user. */
  key: string;
}

/**
 * Creates a user of `role` with a password and an admin API key. Test support only.
 *
 * @example
 * ```ts
 * const owner = await seedUser(preloop, 'owner');
 * ```
 */
export async function seedUser(
  preloop: Preloop,
  role: Role,
  email = `${role}-${Math.random().toString(36).slice(2)}@example.com`,
): Promise<SeededUser> {
  const password = `pw-${role}-correct-horse-battery`;
  const user = await preloop.identity.users.create(preloop.accountId, { email, name: `The ${role}`, role, password });
  const { key } = await preloop.identity.apiKeys.create(preloop.accountId, {
    name: `${role} key`,
    scopes: ['admin:read', 'admin:write', 'mcp', 'gateway'],
    userId: user.id,
  });
  return { user, password, key };
}

/**
 * Logs in through the API and returns the `Cookie` header value to send back. Test support only.
 *
 * @example
 * ```ts
 * const cookie = await loginCookie(preloop, owner.user.email, owner.password);
 * ```
 */
export async function loginCookie(preloop: Preloop, email: string, password: string): Promise<string> {
  const { status, headers } = await callApi(preloop, 'POST', '/auth/login', { body: { email, password } });
  if (status !== 200) throw new Error(`login failed with ${status}`);
  return headers.get('set-cookie')!.split(';')[0]!;
}

/**
 * A request to any endpoint carrying a bearer token. Test support only.
 *
 * @example
 * ```ts
 * await preloop.authenticate(bearerRequest(key));
 * ```
 */
export function bearerRequest(token: string, url = 'http://localhost/mcp'): Request {
  return new Request(url, { headers: { authorization: `Bearer ${token}` } });
}
