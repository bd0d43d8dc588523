/**
 * Non-streaming attempts: send, read the whole answer, translate it if the
 * formats differ, run `model.after`, record.
 *
 * @module
 */

import { PreloopError } from '@preloop/core';
import { createUsage } from '../usage/usage.js';
import type { GatewayReply, GatewayRequest } from './exchange.js';
import type { GatewayContext } from './gateway-context.js';
import { errorReply, type IngressFormat } from './ingress-errors.js';
import type { ModelCall } from './model-call.js';
import { failedOutcome, sendUpstream, upstreamErrorOutcome, type AttemptOutcome } from './upstream.js';
import type { UpstreamResponse } from './upstream-transport.js';

/** Reply headers naming the call (and the upstream's request id, when it gave one). */
export function callHeaders(call: ModelCall, upstream: UpstreamResponse, contentType: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': contentType, 'x-preloop-usage-id': call.id };
  const requestId = upstream.header('x-request-id') ?? upstream.header('request-id');
  if (requestId) headers['x-upstream-request-id'] = requestId;
  return headers;
}

/**
 * Runs a non-streaming attempt.
 *
 * @example
 * ```ts
 * const { reply, retry } = await forwardComplete(context, call, request, 'openai', body);
 * ```
 */
export async function forwardComplete(
  context: GatewayContext,
  call: ModelCall,
  request: GatewayRequest,
  format: IngressFormat,
  body: Record<string, unknown>,
): Promise<AttemptOutcome> {
  let upstream: UpstreamResponse;
  let text: string;
  // A non-streaming answer starts with its response headers: a silent upstream is cut after `firstByteMs`, not `totalMs`.
  const firstByteTimer = setTimeout(() => call.abort('timeout'), context.options.timeouts.firstByteMs);
  try {
    try {
      upstream = await sendUpstream(context, call, request, format);
    } finally {
      clearTimeout(firstByteTimer);
    }
    call.markFirstByte();
    if (upstream.status < 200 || upstream.status > 299) return await upstreamErrorOutcome(call, upstream, format);
    text = await upstream.text();
  } catch (error) {
    return failedOutcome(call, error, format);
  }
  let completed;
  try {
    completed = call.plan.complete(JSON.parse(text));
  } catch (cause) {
    const error = new PreloopError(
      'UPSTREAM_ERROR',
      `The upstream of model alias "${call.target.alias}" sent an answer that cannot be read.`,
      { status: 502, cause, details: { errorCode: 'upstream_malformed' } },
    );
    call.finish({ status: 'error', httpStatus: upstream.status, errorCode: 'upstream_malformed', usage: createUsage(), estimated: false });
    return { reply: errorReply(format, error), retry: false };
  }
  let response = completed.response;
  try {
    const after = await context.preloop.hooks.afterModel({ principal: call.principal, model: call.target.alias, body, response });
    response = after.response;
  } catch (error) {
    call.finish({
      status: 'error',
      httpStatus: upstream.status,
      errorCode: 'model_after_hook_failed',
      usage: completed.usage,
      estimated: false,
    });
    return { reply: errorReply(format, error), retry: false };
  }
  call.finish({ status: 'success', httpStatus: upstream.status, errorCode: null, usage: completed.usage, estimated: false, response });
  const out = response === completed.response && completed.passthrough ? text : JSON.stringify(response);
  const reply: GatewayReply = { status: 200, headers: callHeaders(call, upstream, 'application/json'), body: out };
  return { reply, retry: false };
}
