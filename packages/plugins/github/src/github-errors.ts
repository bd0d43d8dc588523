/**
 * GitHub's HTTP failures as the tracker contract's `PreloopError`s. Messages
 * carry GitHub's status and message, never the request's credential.
 */

import { PreloopError } from '@preloop/core';

interface RequestFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/**
 * How long to wait before retrying a rate-limited GitHub call: `retry-after`
 * (seconds), else `x-ratelimit-reset` (epoch seconds) minus now; null when
 * the answer is not a rate limit (a 403 with quota left is a real refusal).
 *
 * @example
 * ```ts
 * rateLimitWaitMs(429, { 'retry-after': '30' }, Date.now()); // 30000
 * ```
 */
export function rateLimitWaitMs(status: number, headers: Record<string, string | number | undefined>, now: number): number | null {
  const retryAfter = Number(headers['retry-after']);
  if ((status === 403 || status === 429) && Number.isFinite(retryAfter) && headers['retry-after'] !== undefined)
    return Math.max(0, retryAfter * 1000);
  const remaining = headers['x-ratelimit-remaining'];
  const reset = Number(headers['x-ratelimit-reset']);
  if ((status === 403 || status === 429) && String(remaining) === '0' && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  if (status === 429) return 60_000;
  return null;
}

function githubMessage(failure: RequestFailure): string {
  const data = failure.response?.data as { message?: unknown; errors?: { field?: string; code?: string; message?: string }[] } | undefined;
  const message = typeof data?.message === 'string' ? data.message : `HTTP ${failure.status ?? 'error'}`;
  const details = Array.isArray(data?.errors)
    ? data.errors.map((error) => error.message ?? [error.field, error.code].filter(Boolean).join(' ')).filter(Boolean)
    : [];
  return (details.length ? `${message}: ${details.join('; ')}` : message).slice(0, 500);
}

/**
 * Converts a failed GitHub call (an octokit `RequestError`, or a network
 * failure) to a tracker error: 404 → `TRACKER_NOT_FOUND`, 401 and 403 →
 * `TRACKER_FORBIDDEN`, rate limits → `TRACKER_RATE_LIMITED` (429, with
 * `details.retryAfterMs`), 400/422 → `TRACKER_INVALID_INPUT`, anything else →
 * `TRACKER_UNAVAILABLE` (502).
 *
 * @example
 * ```ts
 * try { await octokit.rest.issues.get(…); } catch (error) { throw toTrackerError(error, 'issue acme/api#1'); }
 * ```
 */
export function toTrackerError(error: unknown, what: string, now: number = Date.now()): PreloopError {
  if (error instanceof PreloopError) return error;
  const failure = error as RequestFailure;
  const status = typeof failure?.status === 'number' ? failure.status : 0;
  const headers = failure.response?.headers ?? {};
  const waitMs = rateLimitWaitMs(status, headers, now);
  if (waitMs !== null)
    return new PreloopError('TRACKER_RATE_LIMITED', `GitHub rate limit reached (${what}); retry in ${Math.ceil(waitMs / 1000)} s.`, {
      status: 429,
      details: { retryAfterMs: waitMs },
      cause: error,
    });
  const said = githubMessage(failure);
  if (status === 404) return new PreloopError('TRACKER_NOT_FOUND', `GitHub has no ${what} (404 ${said}).`, { status: 404, cause: error });
  if (status === 401)
    return new PreloopError('TRACKER_FORBIDDEN', `GitHub refused the connection's credential (401 ${said}).`, {
      status: 403,
      cause: error,
    });
  if (status === 403)
    return new PreloopError('TRACKER_FORBIDDEN', `GitHub refused access to ${what} (403 ${said}).`, { status: 403, cause: error });
  if (status === 400 || status === 422)
    return new PreloopError('TRACKER_INVALID_INPUT', `GitHub refused the request for ${what} (${status} ${said}).`, {
      status: 400,
      cause: error,
    });
  return new PreloopError(
    'TRACKER_UNAVAILABLE',
    status ? `GitHub failed on ${what} (${status} ${said}).` : `GitHub could not be reached for ${what}.`,
    { status: 502, cause: error },
  );
}
