import { PreloopError } from '@preloop/core';

/** How long to wait after a 429 that names no time, in ms. */
const defaultRetryAfterMs = 60_000;

/** What jira.js throws: an `HttpException` (status, Jira's body in `response`) whose cause is axios's error (with the response headers). */
interface JiraFailure {
  status?: number;
  message?: string;
  code?: string;
  response?: unknown;
  cause?: { response?: { headers?: Record<string, unknown>; data?: unknown; status?: number }; code?: string };
}

/** Jira's error body (`{ errorMessages: [...], errors: { field: message } }`) as one sentence. */
function messageOf(data: unknown): string | null {
  if (typeof data !== 'object' || data === null)
    return typeof data === 'string' && data.trim() !== '' && data.length < 300 ? data.trim() : null;
  const { errorMessages, errors, message } = data as { errorMessages?: unknown; errors?: unknown; message?: unknown };
  const parts = [
    ...(Array.isArray(errorMessages) ? errorMessages.map(String) : []),
    ...(typeof errors === 'object' && errors !== null
      ? Object.entries(errors).map(([field, problem]) => `${field}: ${String(problem)}`)
      : []),
  ];
  if (parts.length > 0) return parts.join('; ');
  return typeof message === 'string' ? message : null;
}

/**
 * How long Jira asks us to wait, in ms: `Retry-After` (seconds), else
 * `X-RateLimit-Reset` (an ISO time), else a minute.
 */
export function jiraRetryAfterMs(headers: Record<string, unknown>, now = Date.now()): number {
  const given = String(headers['retry-after'] ?? '').trim();
  if (given !== '' && Number.isFinite(Number(given))) return Math.max(0, Math.round(Number(given) * 1000));
  const reset = Date.parse(String(headers['x-ratelimit-reset'] ?? ''));
  if (!Number.isNaN(reset)) return Math.max(0, reset - now);
  return defaultRetryAfterMs;
}

/**
 * Turns what jira.js threw into the tracker contract's `PreloopError`:
 * 400/409/422 → `TRACKER_INVALID_INPUT`, 401/403 → `TRACKER_FORBIDDEN`, 404 →
 * `TRACKER_NOT_FOUND`, 429 → `TRACKER_RATE_LIMITED` (with `retryAfterMs`),
 * anything else (network included) → `TRACKER_UNAVAILABLE`. The message is
 * Jira's own (`errorMessages`, `errors`) and the operation; the credential,
 * which the underlying axios error carries in its request headers, is never
 * kept (no `cause`).
 *
 * @example
 * ```ts
 * try { await client.issues.getIssue({ issueIdOrKey: 'OPS-1' }); } catch (error) { throw toJiraError(error, 'GET issue OPS-1'); }
 * ```
 */
export function toJiraError(error: unknown, operation: string): PreloopError {
  if (error instanceof PreloopError) return error;
  const failure = (error ?? {}) as JiraFailure;
  const status =
    failure.cause?.response?.status ??
    (typeof failure.status === 'number' && failure.status >= 400 && failure.response !== undefined ? failure.status : undefined);
  if (status === undefined) {
    const timedOut = failure.code === 'ECONNABORTED' || failure.cause?.code === 'ECONNABORTED' || failure.code === 'ETIMEDOUT';
    return new PreloopError('TRACKER_UNAVAILABLE', `Jira: ${timedOut ? 'no answer in time' : 'unreachable'} (${operation})`, {
      status: 502,
    });
  }
  const headers = failure.cause?.response?.headers ?? {};
  const detail = messageOf(failure.cause?.response?.data) ?? `HTTP ${status}`;
  const message = `Jira: ${detail} (${operation})`;
  if (status === 429) {
    const retryAfterMs = jiraRetryAfterMs(headers);
    return new PreloopError('TRACKER_RATE_LIMITED', message, {
      status: 429,
      details: { retryAfterMs, retryAfterSeconds: retryAfterMs / 1000 },
    });
  }
  if (status === 404) return new PreloopError('TRACKER_NOT_FOUND', message, { status: 404 });
  if (status === 401)
    return new PreloopError(
      'TRACKER_FORBIDDEN',
      `Jira refused the credentials (401): check the email and API token, or the personal access token (${operation})`,
      { status: 403 },
    );
  if (status === 403) return new PreloopError('TRACKER_FORBIDDEN', message, { status: 403 });
  if (status === 400 || status === 409 || status === 422) return new PreloopError('TRACKER_INVALID_INPUT', message, { status: 400 });
  return new PreloopError('TRACKER_UNAVAILABLE', message, { status: 502 });
}
