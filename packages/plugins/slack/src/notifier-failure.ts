import { NotifierError } from '@preloop/core';
import { ErrorCode, type WebAPICallError } from '@slack/web-api';

/** Slack API errors that another attempt may fix; every other error Slack names is permanent. */
const transientSlackErrors = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/**
 * Classifies a failed Slack Web API call for the engine: `ratelimited` (HTTP
 * 429) is retryable after Slack's `Retry-After`; a network error, a timeout, an
 * HTTP 5xx and Slack's own transient errors are retryable; any other error
 * Slack names (`invalid_auth`, `token_revoked`, `channel_not_found`,
 * `users_not_found`, `invalid_blocks`…) is permanent. The message names the
 * method and Slack's error code, never the token.
 *
 * @example
 * ```ts
 * try { await client.chat.postMessage(message); } catch (error) { throw toSlackFailure('chat.postMessage', error); }
 * ```
 */
export function toSlackFailure(method: string, error: unknown): NotifierError {
  if (error instanceof NotifierError) return error;
  const coded = error as Partial<WebAPICallError> & { code?: string };
  switch (coded.code) {
    case ErrorCode.RateLimitedError: {
      const seconds = (error as { retryAfter?: number }).retryAfter;
      return new NotifierError(`slack: ${method} was rate limited (retry after ${seconds ?? '?'} s)`, {
        retryAfterMs: typeof seconds === 'number' ? seconds * 1000 : null,
      });
    }
    case ErrorCode.PlatformError: {
      const code = String((error as { data?: { error?: unknown } }).data?.error ?? 'unknown_error').slice(0, 100);
      return new NotifierError(`slack: ${method} failed: ${code}`, { retryable: transientSlackErrors.has(code) });
    }
    case ErrorCode.HTTPError: {
      const status = (error as { statusCode?: number }).statusCode ?? 0;
      return new NotifierError(`slack: ${method} answered HTTP ${status}`, {
        retryable: status >= 500 || status === 408 || status === 429 || status === 0,
      });
    }
    default:
      return new NotifierError(`slack: ${method} failed: ${error instanceof Error ? error.message.slice(0, 300) : 'request error'}`, {
        cause: error,
      });
  }
}

/**
 * Classifies the answer of an incoming webhook (Slack or Mattermost): 2xx is
 * null (accepted); 429 is retryable after its `Retry-After`; 408 and 5xx are
 * retryable; any other status (400 bad payload, 403/404 a removed or disabled
 * webhook) is permanent.
 *
 * @example
 * ```ts
 * const failure = webhookAnswerFailure('mattermost', response);
 * if (failure) throw failure;
 * ```
 */
export function webhookAnswerFailure(channel: string, response: Response): NotifierError | null {
  const { status } = response;
  if (status >= 200 && status < 300) return null;
  if (status === 429) {
    const seconds = Number(response.headers.get('retry-after'));
    return new NotifierError(`${channel}: the webhook rate limited the message (HTTP 429)`, {
      retryAfterMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null,
    });
  }
  return new NotifierError(`${channel}: the webhook answered HTTP ${status}`, { retryable: status >= 500 || status === 408 });
}

/**
 * Runs `work` unless `signal` aborts first: then it rejects with a retryable
 * failure (the attempt timed out or the server is closing).
 *
 * @example
 * ```ts
 * const result = await untilAborted(client.chat.postMessage(message), context.signal, 'slack: chat.postMessage');
 * ```
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new NotifierError(`${what} was aborted`, { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new NotifierError(`${what} was aborted`, { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
