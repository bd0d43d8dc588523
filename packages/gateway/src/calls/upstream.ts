/**
 * Sending an attempt upstream, and turning what can go wrong (an error
 * status, an unreachable upstream, a timeout, a client that left) into a
 * recorded outcome and the client's error. Provider credentials never reach
 * a response: upstream error bodies are redacted, and authentication
 * failures are never echoed.
 *
 * @module
 */

import { isPreloopError, PreloopError } from '@preloop/core';
import { redactString } from '@preloop/core/internal';
import type { UsageStatus } from '../records/usage-record.js';
import { createUsage } from '../usage/usage.js';
import type { GatewayReply, GatewayRequest } from './exchange.js';
import { errorReply, type IngressFormat } from './ingress-errors.js';
import type { GatewayContext } from './gateway-context.js';
import type { ModelCall } from './model-call.js';
import type { UpstreamResponse } from './upstream-transport.js';

/** The reply of an attempt, and whether a fallback may be tried instead. */
export interface AttemptOutcome {
  reply: GatewayReply;
  /** True when the upstream failed before the first byte with 429, 5xx or no answer. */
  retry: boolean;
}

const maxErrorBodyBytes = 65_536;

/**
 * Sends the attempt's request: the provider addresses and authenticates it;
 * only `anthropic-beta`/`anthropic-version` (Anthropic to Anthropic) and
 * `openai-beta` (OpenAI to OpenAI) are taken from the client.
 *
 * @example
 * ```ts
 * const upstream = await sendUpstream(context, call, request.headers, 'anthropic');
 * ```
 */
export function sendUpstream(
  context: GatewayContext,
  call: ModelCall,
  client: GatewayRequest,
  format: IngressFormat,
): Promise<UpstreamResponse> {
  const { target, plan } = call;
  const forwarded: Record<string, string> = {};
  if (format === target.provider.wireFormat) {
    const names = format === 'anthropic' ? ['anthropic-beta', 'anthropic-version'] : format === 'openai' ? ['openai-beta'] : [];
    for (const name of names) {
      const value = client.header(name);
      if (value) forwarded[name] = value;
    }
  }
  const built = target.provider.buildRequest({
    path: plan.path,
    baseUrl: target.baseUrl,
    credential: target.credential,
    headers: forwarded,
  });
  return context.transport.send({
    url: built.url,
    // Object.assign, not `{ ...headers, extra }`: spreading then adding keys is a slow path in V8.
    headers: Object.assign({}, built.headers, {
      'content-type': 'application/json',
      accept: plan.stream ? 'text/event-stream' : 'application/json',
    }),
    body: plan.body,
    onAbort: (listener) => call.onAbort(listener),
  });
}

/** Removes the upstream credential and anything credential-shaped from upstream text. */
export function redactUpstreamText(text: string, credential: string | null): string {
  const withoutCredential = credential && credential.length >= 4 ? text.split(credential).join('[redacted]') : text;
  return redactString(withoutCredential);
}

/** How a thrown error ends an attempt. */
export interface Failure {
  status: UsageStatus;
  errorCode: string;
  error: PreloopError;
  retry: boolean;
}

/**
 * Classifies an error thrown while calling or reading the upstream.
 *
 * @example
 * ```ts
 * const failure = classifyFailure(call, error);
 * call.finish({ status: failure.status, errorCode: failure.errorCode, … });
 * ```
 */
export function classifyFailure(call: ModelCall, error: unknown): Failure {
  const alias = call.target.alias;
  if (call.abortReason === 'client') {
    return {
      status: 'cancelled',
      errorCode: 'client_cancelled',
      error: new PreloopError('CLIENT_CLOSED_REQUEST', 'The client closed the request.', { status: 499 }),
      retry: false,
    };
  }
  if (call.abortReason === 'timeout') {
    const error = new PreloopError('UPSTREAM_TIMEOUT', `The upstream of model alias "${alias}" did not answer in time.`, {
      status: 504,
      details: { errorCode: 'upstream_timeout' },
    });
    return { status: 'timeout', errorCode: 'upstream_timeout', error, retry: false };
  }
  if (isPreloopError(error)) {
    const errorCode = (error.details as { errorCode?: string } | undefined)?.errorCode ?? 'upstream_error';
    return { status: 'error', errorCode, error, retry: false };
  }
  const unreachable = new PreloopError('UPSTREAM_ERROR', `The upstream of model alias "${alias}" could not be reached.`, {
    status: 502,
    details: { errorCode: 'upstream_unreachable' },
  });
  return { status: 'error', errorCode: 'upstream_unreachable', error: unreachable, retry: true };
}

/**
 * Records a failure thrown before any byte reached the client and answers it
 * in the ingress's shape.
 *
 * @example
 * ```ts
 * return failedOutcome(call, error, 'openai');
 * ```
 */
export function failedOutcome(call: ModelCall, error: unknown, format: IngressFormat): AttemptOutcome {
  const failure = classifyFailure(call, error);
  call.finish({ status: failure.status, httpStatus: null, errorCode: failure.errorCode, usage: createUsage(), estimated: false });
  return { reply: errorReply(format, failure.error), retry: failure.retry };
}

async function readBounded(response: UpstreamResponse): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (let chunk = await response.read(); chunk !== null; chunk = await response.read()) {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size >= maxErrorBodyBytes) {
        response.cancel();
        break;
      }
    }
  } catch {
    // A broken error body: answer with what arrived.
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, maxErrorBodyBytes);
}

function upstreamErrorCode(status: number): string {
  if (status === 429) return 'upstream_rate_limited';
  if (status === 401 || status === 403) return 'upstream_auth';
  if (status === 503 || status === 529) return 'upstream_overloaded';
  if (status >= 500) return 'upstream_error';
  return 'upstream_rejected';
}

const codeOfStatus: Record<number, string> = { 400: 'VALIDATION_ERROR', 404: 'NOT_FOUND', 413: 'PAYLOAD_TOO_LARGE', 429: 'RATE_LIMITED' };

/**
 * Records an upstream error status and answers the client: a same-format
 * error body passes through (redacted), a cross-format one is rewritten in
 * the ingress's shape; a refused provider credential becomes a 502 that
 * echoes nothing. A 429 or 5xx may be retried on the alias's fallback.
 *
 * @example
 * ```ts
 * if (!upstream.ok) return upstreamErrorOutcome(call, upstream, 'openai');
 * ```
 */
export async function upstreamErrorOutcome(call: ModelCall, upstream: UpstreamResponse, format: IngressFormat): Promise<AttemptOutcome> {
  const status = upstream.status;
  const errorCode = upstreamErrorCode(status);
  const text = redactUpstreamText(await readBounded(upstream), call.target.credential);
  call.finish({ status: 'upstream_error', httpStatus: status, errorCode, usage: createUsage(), estimated: false });
  const retry = status === 429 || status >= 500;
  const retryAfter = upstream.header('retry-after');
  const headers: Record<string, string> = retryAfter && /^\d+$/.test(retryAfter) ? { 'retry-after': retryAfter } : {};
  if (errorCode === 'upstream_auth') {
    const error = new PreloopError(
      'UPSTREAM_ERROR',
      `The provider refused the gateway's credential for model alias "${call.target.alias}"; an administrator must update it.`,
      { status: 502, details: { errorCode } },
    );
    return { reply: errorReply(format, error), retry: false };
  }
  let parsed: { error?: { message?: unknown; type?: unknown } | string; message?: unknown } | null = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (call.plan.sameFormat && parsed && typeof parsed === 'object') {
    return { reply: { status, headers: { 'content-type': 'application/json', ...headers }, body: text }, retry };
  }
  const inner = parsed && typeof parsed.error === 'object' ? parsed.error : null;
  const message =
    typeof inner?.message === 'string'
      ? inner.message
      : typeof parsed?.message === 'string'
        ? parsed.message
        : `The upstream of model alias "${call.target.alias}" answered ${status}.`;
  const clientStatus = status === 529 && format !== 'anthropic' ? 503 : status;
  const error = new PreloopError(codeOfStatus[status] ?? 'UPSTREAM_ERROR', message, { status: clientStatus, details: { errorCode } });
  return { reply: errorReply(format, error, headers), retry };
}
