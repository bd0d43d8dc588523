/**
 * `@preloop/gateway/node`: the gateway as a Node `http` request listener, for
 * `http.createServer`, Express or Fastify.
 *
 * @packageDocumentation
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Preloop } from '@preloop/core';
import { createGatewayDispatcher } from './http/gateway-dispatch.js';
import { resolveGatewayOptions, type GatewayOptions } from './http/gateway-options.js';
import { fromNodeRequest, writeNodeReply } from './http/node-exchange.js';

/** Options of {@link createNodeGateway}: the gateway's, and whether to trust proxy headers. */
export interface NodeGatewayOptions extends GatewayOptions {
  /** Trust `X-Forwarded-Proto`/`X-Forwarded-Host` for the request URL (behind a reverse proxy). @default false */
  trustProxy?: boolean;
}

/**
 * A Node request listener; as Express-style middleware it calls `next()` for
 * paths outside the gateway's base paths.
 */
export type NodeGatewayHandler = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * Creates the gateway as a Node request listener. It behaves exactly as the
 * web handler of `createGateway`, but reads and writes Node's request and
 * response directly (no web `Request`/`Response` per call), which is what
 * keeps the gateway's added latency in microseconds. A client that
 * disconnects aborts its upstream call at once.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createNodeGateway } from '@preloop/gateway/node';
 *
 * createServer(createNodeGateway(preloop)).listen(8787);
 * // Express (other paths fall through to the next middleware): app.use(createNodeGateway(preloop));
 * ```
 */
export function createNodeGateway(preloop: Preloop, options: NodeGatewayOptions = {}): NodeGatewayHandler {
  const { trustProxy = false, ...gatewayOptions } = options;
  const dispatch = createGatewayDispatcher(preloop, gatewayOptions);
  const basePaths = Object.values(resolveGatewayOptions(gatewayOptions).basePaths);
  const ours = (url: string) => basePaths.some((base) => url.startsWith(`${base}/`) || url === base);
  return (request, response, next) => {
    if (next && !ours((request as IncomingMessage & { originalUrl?: string }).originalUrl ?? request.url ?? '/')) {
      next();
      return;
    }
    const exchange = fromNodeRequest(request, response, trustProxy);
    dispatch(exchange)
      .then((reply) => writeNodeReply(response, reply))
      .catch(() => {
        if (!response.headersSent) {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({ error: { message: 'Internal error in the model gateway.', type: 'server_error', param: null, code: null } }),
          );
        } else response.destroy();
      });
  };
}
