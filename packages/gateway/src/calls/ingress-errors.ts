/**
 * Errors in each ingress's own shape: OpenAI's `{ error: { message, type,
 * param, code } }`, Anthropic's `{ type: 'error', error: { type, message } }`
 * and Google's `{ error: { code, message, status, details } }` (Gemini),
 * with the status and retry headers the official SDKs act on.
 *
 * @module
 */

import { isPreloopError, PreloopError } from '@preloop/core';
import { toStoreUnavailableError } from '@preloop/core/internal';
import type { AnthropicErrorBody } from '../wire/anthropic-types.js';
import type { GeminiErrorBody } from '../wire/gemini-types.js';
import type { OpenAIErrorBody } from '../wire/openai-types.js';
import type { GatewayReply } from './exchange.js';

/** The ingress API families. */
export type IngressFormat = 'openai' | 'anthropic' | 'gemini';

/** Google's canonical status names by HTTP status, for Gemini error bodies. */
const geminiStatuses: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'INVALID_ARGUMENT',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const anthropicTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function openAIType(error: PreloopError): { type: string; code: string | null } {
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return { type: 'invalid_request_error', code: 'invalid_api_key' };
    case 'POLICY_DENIED':
    case 'FORBIDDEN':
      return { type: 'invalid_request_error', code: 'model_not_allowed' };
    case 'NOT_FOUND':
      return { type: 'invalid_request_error', code: 'model_not_found' };
    case 'PAYLOAD_TOO_LARGE':
      return { type: 'invalid_request_error', code: 'request_too_large' };
    case 'REQUEST_TIMEOUT':
      return { type: 'invalid_request_error', code: 'request_timeout' };
    case 'BODY_ALREADY_READ':
      return { type: 'server_error', code: 'body_already_read' };
    case 'RATE_LIMITED':
      return { type: 'requests', code: 'rate_limit_exceeded' };
    case 'BUDGET_EXCEEDED':
      return { type: 'insufficient_quota', code: 'budget_exceeded' };
    case 'VALIDATION_ERROR':
      return { type: 'invalid_request_error', code: null };
    case 'STORE_UNAVAILABLE':
      return { type: 'server_error', code: 'store_unavailable' };
    default:
      return { type: error.status >= 500 ? 'server_error' : 'invalid_request_error', code: upstreamCode(error) };
  }
}

function upstreamCode(error: PreloopError): string | null {
  const details = error.details as { errorCode?: unknown } | undefined;
  return typeof details?.errorCode === 'string' ? details.errorCode : null;
}

function param(error: PreloopError): string | null {
  const issues = (error.details as { issues?: Array<{ path?: unknown }> } | undefined)?.issues;
  const path = issues?.[0]?.path;
  return typeof path === 'string' && path !== '' ? path : null;
}

/**
 * The error as a {@link PreloopError}: a database that cannot be reached is
 * `STORE_UNAVAILABLE` (503 with `Retry-After`); anything else unknown is a
 * generic 500 whose message never leaks.
 */
export function asPreloopError(error: unknown): PreloopError {
  const unavailable = toStoreUnavailableError(error);
  if (unavailable) return unavailable;
  return isPreloopError(error) ? error : new PreloopError('INTERNAL_ERROR', 'Internal error in the model gateway; see the server log.');
}

/**
 * The error body in the ingress's shape.
 *
 * @example
 * ```ts
 * errorBody('anthropic', new PreloopError('NOT_FOUND', 'No model alias "x".'));
 * // { type: 'error', error: { type: 'not_found_error', message: 'No model alias "x".' } }
 * ```
 */
export function errorBody(format: IngressFormat, error: PreloopError): OpenAIErrorBody | AnthropicErrorBody | GeminiErrorBody {
  if (format === 'gemini') {
    const status = geminiStatuses[error.status] ?? (error.status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
    const details = [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: error.code, domain: 'preloop' }];
    return { error: { code: error.status, message: error.message, status, details } };
  }
  if (format === 'anthropic') {
    const type = anthropicTypes[error.status] ?? (error.status >= 500 ? 'api_error' : 'invalid_request_error');
    return { type: 'error', error: { type, message: error.message } };
  }
  const { type, code } = openAIType(error);
  return { error: { message: error.message, type, param: param(error), code } };
}

/**
 * A JSON error reply in the ingress's shape. `RATE_LIMITED` and
 * `STORE_UNAVAILABLE` errors carry `retry-after` (from
 * `details.retryAfterSeconds`); budget refusals carry
 * `x-should-retry: false` so the official SDKs do not retry them, and so
 * does `BODY_ALREADY_READ` (a host set-up error no retry can fix); a 413 and
 * a 408 carry `connection: close`.
 *
 * @example
 * ```ts
 * return errorReply('openai', new PreloopError('RATE_LIMITED', 'Slow down.', { details: { retryAfterSeconds: 2 } }));
 * ```
 */
export function errorReply(
  format: IngressFormat,
  error: unknown,
  headers: Record<string, string> = {},
): Extract<GatewayReply, { body: string }> {
  const preloopError = asPreloopError(error);
  const replyHeaders: Record<string, string> = Object.assign({ 'content-type': 'application/json' }, headers);
  const retryAfter = (preloopError.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (typeof retryAfter === 'number') replyHeaders['retry-after'] = String(Math.max(1, Math.ceil(retryAfter)));
  if (preloopError.code === 'BUDGET_EXCEEDED' || preloopError.code === 'BODY_ALREADY_READ') replyHeaders['x-should-retry'] = 'false';
  // The rest of an over-size or stalled upload is not read: close the connection after the answer.
  if (preloopError.code === 'PAYLOAD_TOO_LARGE' || preloopError.code === 'REQUEST_TIMEOUT') replyHeaders.connection = 'close';
  return { status: preloopError.status, headers: replyHeaders, body: JSON.stringify(errorBody(format, preloopError)) };
}

/**
 * {@link errorReply} as a web `Response`.
 *
 * @example
 * ```ts
 * return errorResponse('anthropic', new PreloopError('NOT_FOUND', 'No model alias "x".'));
 * ```
 */
export function errorResponse(format: IngressFormat, error: unknown, headers: Record<string, string> = {}): Response {
  const reply = errorReply(format, error, headers);
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}
