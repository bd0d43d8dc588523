import type { IncomingMessage, ServerResponse } from 'node:http';
import { forwardedAddress, setClientAddress } from '../api/client-address.js';
import { isPreloopError, toErrorResponse } from '../errors.js';
import { isUnmatched } from '../unmatched-response.js';
import { toWebBody } from './node-request-body.js';

/** A web-standard handler: what every mountable Preloop piece is. */
export type WebHandler = (request: Request) => Promise<Response> | Response;

/** A Node `http` request listener; given `next` (Express-style mounting), it calls `next()` for requests no route of the handler matches. */
export type NodeHandler = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => void;

/** Options of {@link toNodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * Trust `X-Forwarded-Proto`/`X-Forwarded-Host` for the request URL and
   * `X-Forwarded-For` for the client address (behind a proxy). Without it the
   * client address is the socket's peer and those headers are ignored. @default false
   */
  trustProxy?: boolean;
  /**
   * With `trustProxy`, how many proxies stand in front of the server: the client
   * address is the `X-Forwarded-For` entry that many places from the right (the
   * leftmost entries can be forged by the client). @default 1
   */
  proxyHops?: number;
}

/**
 * Converts a request from Node's `http` module into a web `Request`. The
 * request's `signal` aborts when the client disconnects before the response
 * ends. The body is read from the Node stream only when the handler reads it;
 * when a host body parser already read it, the parsed `req.body` is used, and
 * with nothing usable left it throws `BODY_ALREADY_READ` (never a hang).
 *
 * @example
 * ```ts
 * const request = toWebRequest(req, res);
 * ```
 */
export function toWebRequest(request: IncomingMessage, response: ServerResponse, options: NodeHandlerOptions = {}): Request {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  const forwardedProto = options.trustProxy
    ? String(request.headers['x-forwarded-proto'] ?? '')
        .split(',')[0]
        ?.trim()
    : '';
  const forwardedHost = options.trustProxy
    ? String(request.headers['x-forwarded-host'] ?? '')
        .split(',')[0]
        ?.trim()
    : '';
  const protocol = forwardedProto || ((request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
  const host = forwardedHost || request.headers.host || 'localhost';
  const url = new URL(request.originalUrl ?? request.url ?? '/', `${protocol}://${host}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const body = toWebBody(request);
  const webRequest = new Request(url, {
    method: request.method ?? 'GET',
    headers,
    signal: controller.signal,
    body,
    // Node's fetch needs this for streamed request bodies.
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const forwardedFor = options.trustProxy ? String(request.headers['x-forwarded-for'] ?? '') : null;
  setClientAddress(
    webRequest,
    forwardedAddress(forwardedFor, request.socket?.remoteAddress, options.trustProxy ? (options.proxyHops ?? 1) : 0),
  );
  return webRequest;
}

/**
 * Writes a web `Response` to Node's `ServerResponse`, streaming the body as it
 * arrives and stopping (cancelling the body) when the client goes away.
 *
 * @example
 * ```ts
 * await writeWebResponse(res, await handler(request));
 * ```
 */
export async function writeWebResponse(response: ServerResponse, webResponse: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  webResponse.headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    headers[name] = value;
  });
  const cookies = webResponse.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  response.writeHead(webResponse.status, webResponse.statusText || undefined, headers);
  if (!webResponse.body) {
    response.end();
    return;
  }
  // Send headers at once so streaming clients see the status before the first chunk.
  response.flushHeaders();
  const reader = webResponse.body.getReader();
  const onClose = () => void reader.cancel().catch(() => {});
  response.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (response.destroyed) break;
      if (!response.write(value)) {
        await new Promise<void>((resolve) => {
          const finish = () => {
            response.off('drain', finish);
            response.off('close', finish);
            resolve();
          };
          response.once('drain', finish);
          response.once('close', finish);
        });
      }
    }
  } catch {
    // The body failed or was cancelled; end what we have.
  } finally {
    response.off('close', onClose);
    if (!response.destroyed) response.end();
  }
}

/**
 * Adapts a web-standard handler to Node's `http` (and Express/Fastify raw)
 * request listeners.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer(toNodeHandler(preloop.api)).listen(8787);
 * // Express: requests no admin route matches go on to the app's own routes.
 * app.use(toNodeHandler(preloop.api));
 * ```
 */
export function toNodeHandler(handler: WebHandler, options: NodeHandlerOptions = {}): NodeHandler {
  return (request, response, next) => {
    const run = async () => {
      const webRequest = toWebRequest(request, response, options);
      const webResponse = await handler(webRequest);
      if (next && isUnmatched(webResponse)) {
        // Not ours: leave the request (and its unread body) to the host's next route.
        await webResponse.body?.cancel().catch(() => {});
        return next();
      }
      await writeWebResponse(response, webResponse);
    };
    run().catch((error) => {
      if (isPreloopError(error) && !response.headersSent) return void writeWebResponse(response, toErrorResponse(error));
      if (next) return next(error);
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ error: { code: 'INTERNAL_ERROR', message: 'Internal error' } }));
      } else {
        response.destroy();
      }
    });
  };
}

declare module 'node:http' {
  interface IncomingMessage {
    /** Set by Express to the URL before mounting stripped its prefix. */
    originalUrl?: string;
  }
}
