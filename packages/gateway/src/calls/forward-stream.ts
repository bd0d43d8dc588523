/**
 * Streaming attempts: the upstream's events are relayed as they arrive (one
 * upstream chunk, one client write), pulled only as fast as the client reads.
 * The first event is awaited before answering, so an upstream that fails
 * before its first byte can still fall back. A client that leaves aborts the
 * upstream at once; every ending (clean, upstream error, timeout, client gone)
 * records the usage seen so far.
 *
 * @module
 */

import { PreloopError } from '@preloop/core';
import type { UsageStatus } from '../records/usage-record.js';
import type { GatewayRequest, ReplyStream } from './exchange.js';
import { callHeaders } from './forward-complete.js';
import type { GatewayContext } from './gateway-context.js';
import type { IngressFormat } from './ingress-errors.js';
import type { ModelCall } from './model-call.js';
import { createSseDecoder } from '../sse/parse-sse.js';
import { classifyFailure, failedOutcome, sendUpstream, upstreamErrorOutcome, type AttemptOutcome } from './upstream.js';
import type { UpstreamResponse } from './upstream-transport.js';
import { charactersPerToken, settledUsage } from './usage-meter.js';

const retryableStreamCodes = new Set(['overloaded_error', 'api_error', 'rate_limit_error', 'server_error', 'rate_limit_exceeded']);

const codeOf = (error: PreloopError | null) => (error?.details as { errorCode?: string } | undefined)?.errorCode;

/**
 * Runs a streaming attempt.
 *
 * @example
 * ```ts
 * const { reply, retry } = await forwardStream(context, call, request, 'anthropic');
 * ```
 */
export async function forwardStream(
  context: GatewayContext,
  call: ModelCall,
  request: GatewayRequest,
  format: IngressFormat,
): Promise<AttemptOutcome> {
  const { timeouts, capture } = context.options;
  const relay = call.plan.relay();
  const decoder = createSseDecoder();
  const inputEstimate = Math.ceil(call.plan.body.length / charactersPerToken);
  let captured = '';
  const keep = (text: string) => {
    if (capture.bodies && captured.length < capture.maxBytes) captured += text.slice(0, capture.maxBytes - captured.length);
    return text;
  };
  const finish = (status: UsageStatus, httpStatus: number | null, errorCode: string | null) => {
    const { usage, estimated } = settledUsage(relay.meter, inputEstimate);
    call.finish({ status, httpStatus, errorCode, usage, estimated, response: captured || undefined });
  };

  const firstByteTimer = setTimeout(() => call.abort('timeout'), timeouts.firstByteMs);
  let upstream: UpstreamResponse;
  let first = '';
  let ended = false;
  try {
    upstream = await sendUpstream(context, call, request, format);
    if (upstream.status < 200 || upstream.status > 299) {
      clearTimeout(firstByteTimer);
      return await upstreamErrorOutcome(call, upstream, format);
    }
    while (first === '' && !relay.failure && !ended) {
      const chunk = await upstream.read();
      call.markFirstByte();
      if (chunk === null) {
        first += relay.push(decoder.end()) + relay.end();
        ended = true;
      } else first += relay.push(decoder.push(chunk));
    }
  } catch (error) {
    return failedOutcome(call, error, format);
  } finally {
    clearTimeout(firstByteTimer);
  }
  const headers = callHeaders(call, upstream, 'text/event-stream; charset=utf-8');
  headers['cache-control'] = 'no-cache';
  headers['x-accel-buffering'] = 'no';

  if (relay.failure || ended) {
    // The upstream failed (or ended) inside its first read: nothing is committed yet, so a fallback is still possible.
    const failure = relay.failure;
    keep(first);
    if (failure) {
      call.abort('done');
      finish('error', upstream.status, codeOf(failure) ?? 'upstream_stream_error');
    } else finish('success', upstream.status, null);
    const code = codeOf(failure);
    return {
      reply: { status: 200, headers, body: first },
      retry: failure !== null && code !== undefined && retryableStreamCodes.has(code),
    };
  }

  let pending: string | null = keep(first);
  let done = false;
  const stream: ReplyStream = {
    async next() {
      if (pending !== null) {
        const out = pending;
        pending = null;
        return out;
      }
      if (done) return null;
      const idle = setTimeout(() => call.abort('timeout'), timeouts.idleMs);
      try {
        for (;;) {
          const chunk = await upstream.read();
          if (chunk === null) {
            done = true;
            const text = keep(relay.push(decoder.end()) + relay.end());
            finish(
              relay.failure ? 'error' : 'success',
              upstream.status,
              relay.failure ? (codeOf(relay.failure) ?? 'upstream_stream_error') : null,
            );
            return text || null;
          }
          const text = relay.push(decoder.push(chunk));
          if (relay.failure) {
            done = true;
            keep(text);
            call.abort('done');
            finish('error', upstream.status, codeOf(relay.failure) ?? 'upstream_stream_error');
            return text || null;
          }
          if (text) return keep(text);
        }
      } catch (error) {
        done = true;
        const failure = classifyFailure(call, error);
        let text: string | null = null;
        if (failure.status !== 'cancelled') {
          text = keep(relay.fail(failure.status === 'timeout' ? failure.error : asStreamError(failure.error)));
          call.abort('done');
        }
        finish(failure.status, upstream.status, failure.errorCode);
        return text;
      } finally {
        clearTimeout(idle);
      }
    },
    cancel() {
      if (call.finished) return;
      done = true;
      // The client went away: abort the upstream now and settle what was seen.
      call.abort('client');
      upstream.cancel();
      finish('cancelled', upstream.status, 'client_cancelled');
    },
  };
  return { reply: { status: 200, headers, stream }, retry: false };
}

function asStreamError(error: PreloopError): PreloopError {
  return error.status >= 500 ? error : new PreloopError('UPSTREAM_ERROR', error.message, { status: 502, details: error.details });
}
