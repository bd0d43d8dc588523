/**
 * `createGateway`: the model gateway as a web-standard handler serving the
 * OpenAI ingress (`/openai/v1/chat/completions`, `/responses`, `/embeddings`,
 * `/models`) and the Anthropic ingress (`/anthropic/v1/messages`,
 * `/messages/count_tokens`, `/models`).
 *
 * @module
 */

import type { Preloop } from '@preloop/core';
import type { GatewayReply, GatewayRequest } from '../calls/exchange.js';
import { readWebBody } from './body-limit.js';
import { createGatewayDispatcher } from './gateway-dispatch.js';
import type { GatewayOptions } from './gateway-options.js';

/** The gateway handler: a web-standard `(request) => Promise<Response>`. */
export type GatewayHandler = (request: Request) => Promise<Response>;

const encoder = new TextEncoder();

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1) return '/';
  const end = url.indexOf('?', start);
  return end === -1 ? url.slice(start) : url.slice(start, end);
}

/** Adapts a web `Request` to the gateway's exchange. */
export function fromWebRequest(request: Request): GatewayRequest {
  return {
    method: request.method,
    path: pathOf(request.url),
    url: request.url,
    header: (name) => request.headers.get(name),
    readText: (limits) => readWebBody(request, limits),
    get aborted() {
      return request.signal.aborted;
    },
    onAbort(listener) {
      request.signal.addEventListener('abort', listener, { once: true });
      return () => request.signal.removeEventListener('abort', listener);
    },
    toRequest: () => request,
  };
}

/** Adapts a gateway reply to a web `Response`; a streamed reply is pulled as the consumer reads. */
export function toWebResponse(reply: GatewayReply): Response {
  if ('body' in reply) return new Response(reply.body, { status: reply.status, headers: reply.headers });
  const { stream } = reply;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const piece = await stream.next();
        if (piece === null) controller.close();
        else controller.enqueue(encoder.encode(piece));
      },
      cancel() {
        stream.cancel();
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: reply.status, headers: reply.headers });
}

/**
 * Creates the model gateway handler over a kernel that has the `gateway()`
 * plugin and at least one model provider plugin installed. Mount it at the
 * server root (it matches its own base paths) and point the SDKs at it:
 * `OPENAI_BASE_URL=http://host:port/openai/v1`,
 * `ANTHROPIC_BASE_URL=http://host:port/anthropic`. On Node, prefer
 * `createNodeGateway` from `@preloop/gateway/node`: same behaviour, without
 * building web requests and responses on every call.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({ database: 'sqlite:./preloop.db', plugins: [gateway(), openai(), anthropic()] });
 * const handler = createGateway(preloop, { rateLimits: { apiKey: { requestsPerMinute: 600 } } });
 * await serve({ handler, port: 8787 });
 * ```
 */
export function createGateway(preloop: Preloop, options: GatewayOptions = {}): GatewayHandler {
  const dispatch = createGatewayDispatcher(preloop, options);
  return async (request) => toWebResponse(await dispatch(fromWebRequest(request)));
}
