import { PreloopError } from '@preloop/core';
import { createRequesterFn, getMatchingRateLimiter, type RequesterType } from '@gitbeaker/requester-utils';

/** How long to wait after a 429 that names no time, in ms. */
const defaultRetryAfterMs = 60_000;

/** What the request handler receives from gitbeaker's default options handler. */
interface HandlerOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: BodyInit;
  signal?: AbortSignal;
  prefixUrl?: string;
  searchParams?: string;
  asStream?: boolean;
  rateLimiters?: Record<string, unknown>;
}

/** The message of a GitLab error body: `{ message }` (a string, or field → problems), or `{ error }`. */
function messageOf(body: unknown, fallback: string): string {
  if (typeof body === 'object' && body !== null) {
    const { message, error, error_description: description } = body as Record<string, unknown>;
    const value = message ?? description ?? error;
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null)
      return Object.entries(value as Record<string, unknown>)
        .map(([field, problems]) => `${field} ${Array.isArray(problems) ? problems.join(', ') : String(problems)}`)
        .join('; ');
  }
  return fallback;
}

/**
 * How long GitLab asks us to wait, in ms: `Retry-After` (seconds or an HTTP
 * date), else `RateLimit-Reset` (epoch seconds), else a minute.
 */
export function retryAfterMsOf(headers: Headers, now = Date.now()): number {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = Number(headers.get('ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  return defaultRetryAfterMs;
}

/**
 * Turns a failed GitLab answer into the tracker contract's `PreloopError`:
 * 400/409/422 → `TRACKER_INVALID_INPUT`, 401/403 → `TRACKER_FORBIDDEN`, 404 →
 * `TRACKER_NOT_FOUND`, 429 → `TRACKER_RATE_LIMITED` (with `retryAfterMs`),
 * anything else → `TRACKER_UNAVAILABLE` (502: the upstream failed, not Preloop). The message names the request's
 * method and path and GitLab's message, never a credential.
 *
 * @example
 * ```ts
 * toGitLabError(404, new Headers(), { message: '404 Project Not Found' }, 'GET projects/a%2Fb');
 * // PreloopError TRACKER_NOT_FOUND: "GitLab: 404 Project Not Found (GET projects/a%2Fb)"
 * ```
 */
export function toGitLabError(status: number, headers: Headers, body: unknown, request: string): PreloopError {
  const message = `GitLab: ${messageOf(body, `HTTP ${status}`)} (${request})`;
  if (status === 429) {
    const retryAfterMs = retryAfterMsOf(headers);
    return new PreloopError('TRACKER_RATE_LIMITED', message, {
      status: 429,
      details: { retryAfterMs, retryAfterSeconds: retryAfterMs / 1000 },
    });
  }
  if (status === 404) return new PreloopError('TRACKER_NOT_FOUND', message, { status: 404 });
  if (status === 401)
    return new PreloopError('TRACKER_FORBIDDEN', `GitLab refused the token (401): check it is valid and has the api scope (${request})`, {
      status: 403,
    });
  if (status === 403) return new PreloopError('TRACKER_FORBIDDEN', message, { status: 403 });
  if (status === 400 || status === 409 || status === 422) return new PreloopError('TRACKER_INVALID_INPUT', message, { status: 400 });
  return new PreloopError('TRACKER_UNAVAILABLE', message, { status: 502 });
}

async function bodyOf(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const text = await response.text();
  if (type === 'application/json') return text === '' ? {} : JSON.parse(text);
  return text;
}

/**
 * A gitbeaker requester over the given `fetch`: one attempt per call (no
 * silent retries; a 429 surfaces as `TRACKER_RATE_LIMITED` with GitLab's
 * wait so the caller's backoff decides), errors mapped by {@link toGitLabError}.
 * gitbeaker's own requester retries 429s ten times within a quarter second
 * and then loses the status and `Retry-After`.
 *
 * @example
 * ```ts
 * const issues = new Issues({ host, token, requesterFn: createGitLabRequester(fetch) });
 * ```
 */
export function createGitLabRequester(fetchImpl: typeof fetch = globalThis.fetch): (options: any) => RequesterType {
  return createRequesterFn(
    (_service, options) => Promise.resolve(options),
    async (endpoint: string, options?: Record<string, unknown>) => {
      const { rateLimiters, prefixUrl, searchParams, method = 'GET', headers, body, signal } = (options ?? {}) as HandlerOptions;
      await getMatchingRateLimiter(endpoint, rateLimiters as never, method)();
      const base = prefixUrl?.endsWith('/') ? prefixUrl : `${prefixUrl}/`;
      const url = new URL(endpoint, base);
      url.search = searchParams ?? '';
      const request = `${method} ${url.pathname.replace(/^.*?\/api\/v4\//, '')}`;
      let response: Response;
      try {
        response = await fetchImpl(url, { method, headers, body, signal });
      } catch (error) {
        const timedOut = (error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError';
        throw new PreloopError('TRACKER_UNAVAILABLE', `GitLab: ${timedOut ? 'no answer in time' : 'unreachable'} (${request})`, {
          status: 502,
        });
      }
      const parsed = await bodyOf(response).catch(() => null);
      if (!response.ok) throw toGitLabError(response.status, response.headers, parsed, request);
      return { body: parsed as never, headers: Object.fromEntries(response.headers.entries()), status: response.status };
    },
  ) as never;
}
