/**
 * The gateway's exchange over Node's `http` request and response, written
 * without web `Request`/`Response` objects (which cost more per call than the
 * gateway's own work).
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { PreloopError } from '@preloop/core';
import { fromHostBodyParser } from '@preloop/core/node';
import type { GatewayReply, GatewayRequest } from '../calls/exchange.js';
import { bodyTimedOut, bodyTooLarge, collectBody, type BodyCollector } from './body-limit.js';

/**
 * Adapts a Node request to the gateway's exchange. The client counts as gone
 * when the response closes before it finished. A body that a host body parser
 * mounted before the gateway already read (Express `express.json()`) is taken
 * from `req.body`; with nothing usable left, reading it fails at once with
 * `BODY_ALREADY_READ`. An upload silent for the body timeout is a 408.
 *
 * @example
 * ```ts
 * const request = fromNodeRequest(req, res, false);
 * ```
 */
export function fromNodeRequest(incoming: IncomingMessage, response: ServerResponse, trustProxy: boolean): GatewayRequest {
  // Express sets `originalUrl` to the URL before a mount point stripped its prefix.
  const raw = (incoming as IncomingMessage & { originalUrl?: string }).originalUrl ?? incoming.url ?? '/';
  const query = raw.indexOf('?');
  const forwarded = (name: string) =>
    trustProxy
      ? String(incoming.headers[name] ?? '')
          .split(',')[0]
          ?.trim()
      : '';
  const protocol = forwarded('x-forwarded-proto') || ((incoming.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
  const host = forwarded('x-forwarded-host') || incoming.headers.host || 'localhost';
  let aborted = false;
  const listeners = new Set<() => void>();
  response.once('close', () => {
    if (response.writableFinished) return;
    aborted = true;
    for (const listener of listeners) listener();
    listeners.clear();
  });
  const header = (name: string) => {
    const value = incoming.headers[name];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  };
  return {
    method: incoming.method ?? 'GET',
    path: query === -1 ? raw : raw.slice(0, query),
    url: `${protocol}://${host}${raw}`,
    header,
    readText({ bytes: limitBytes, timeoutMs }) {
      return new Promise((resolve, reject) => {
        let body: BodyCollector;
        try {
          const parsed = fromHostBodyParser(incoming);
          if (parsed !== undefined) {
            const text =
              typeof parsed === 'string' ? parsed : Buffer.from(parsed.buffer, parsed.byteOffset, parsed.byteLength).toString('utf8');
            if (Buffer.byteLength(text) > limitBytes) throw bodyTooLarge(limitBytes);
            resolve(text);
            return;
          }
          body = collectBody(limitBytes, header('content-length'));
        } catch (error) {
          response.shouldKeepAlive = false;
          reject(error);
          return;
        }
        // Restarted by every chunk: only silence times out, not a slow upload that keeps sending.
        const timer = setTimeout(() => {
          incoming.off('data', onData);
          incoming.pause();
          response.shouldKeepAlive = false;
          reject(bodyTimedOut(timeoutMs));
        }, timeoutMs);
        const settle = () => {
          clearTimeout(timer);
          incoming.off('data', onData);
          try {
            resolve(body.finish());
          } catch (error) {
            // Over the limit: the body was read to its end (up to the drain cap), so the 413 reaches the client; then close.
            response.shouldKeepAlive = false;
            reject(error);
          }
        };
        const onData = (chunk: Buffer) => {
          timer.refresh();
          if (body.push(chunk) === 'stop') {
            incoming.pause();
            settle();
          }
        };
        incoming.on('data', onData);
        incoming.once('end', settle);
        incoming.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        incoming.once('close', () => {
          clearTimeout(timer);
          if (!incoming.complete)
            reject(new PreloopError('CLIENT_CLOSED_REQUEST', 'The client closed the request before sending its body.', { status: 499 }));
        });
      });
    },
    get aborted() {
      return aborted;
    },
    onAbort(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    toRequest() {
      const headers = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (value === undefined) continue;
        if (Array.isArray(value)) for (const item of value) headers.append(name, item);
        else headers.set(name, value);
      }
      return new Request(this.url, { headers });
    },
  };
}

/**
 * Writes a gateway reply to a Node response; a streamed reply is pulled only
 * when the socket can take more, and cancelled when the client goes away.
 *
 * @example
 * ```ts
 * await writeNodeReply(res, await dispatch(fromNodeRequest(req, res, false)));
 * ```
 */
export async function writeNodeReply(response: ServerResponse, reply: GatewayReply): Promise<void> {
  if ('body' in reply) {
    // Object.assign, not `{ ...headers, extra }`: spreading then adding keys is a slow path in V8.
    response.writeHead(reply.status, Object.assign({}, reply.headers, { 'content-length': Buffer.byteLength(reply.body) }));
    response.end(reply.body);
    return;
  }
  const { stream } = reply;
  response.writeHead(reply.status, reply.headers);
  response.flushHeaders();
  let gone = false;
  const onClose = () => {
    if (response.writableFinished) return;
    gone = true;
    stream.cancel();
  };
  response.once('close', onClose);
  try {
    for (;;) {
      const piece = await stream.next();
      if (gone || response.destroyed) {
        if (piece !== null) stream.cancel();
        return;
      }
      if (piece === null) {
        response.end();
        return;
      }
      if (!response.write(piece)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            response.off('drain', done);
            response.off('close', done);
            resolve();
          };
          response.once('drain', done);
          response.once('close', done);
        });
      }
    }
  } catch {
    stream.cancel();
    response.destroy();
  } finally {
    response.off('close', onClose);
  }
}
