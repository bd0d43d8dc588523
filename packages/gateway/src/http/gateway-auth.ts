/**
 * Authentication of gateway requests: the Preloop API key or runtime
 * credential in `Authorization: Bearer …` (OpenAI SDKs, Codex,
 * `ANTHROPIC_AUTH_TOKEN`), in `x-api-key` (the Anthropic SDK,
 * `ANTHROPIC_API_KEY`), or in `x-goog-api-key` or `?key=` (Google's Gen AI
 * SDK, Gemini CLI's `GEMINI_API_KEY`), with the `gateway` audience.
 *
 * @module
 */

import { apiKeyPrefix, type Preloop, type Principal } from '@preloop/core';
import type { GatewayRequest } from '../calls/exchange.js';

/**
 * The principal behind a gateway request, or null. A credential in
 * `x-api-key` or `x-goog-api-key`, or in the `key` query parameter (Google's
 * clients send it there), is checked exactly as a bearer token would be. The
 * request URL handed to authentication never carries the query string, so a
 * `?key=` never reaches a log, an event or an audit record.
 *
 * @example
 * ```ts
 * const principal = await authenticateGatewayRequest(preloop, request);
 * if (!principal) return errorReply('anthropic', new PreloopError('UNAUTHENTICATED', '…'));
 * ```
 */
export async function authenticateGatewayRequest(preloop: Preloop, request: GatewayRequest): Promise<Principal | null> {
  const query = request.url.indexOf('?');
  const authorization = request.header('authorization');
  if (authorization !== null) {
    const url = query === -1 ? request.url : request.url.slice(0, query);
    if (bearerApiKey.test(authorization)) return preloop.authenticate(apiKeyRequest(url, authorization), { audience: 'gateway' });
    if (query === -1) return preloop.authenticate(request.toRequest(), { audience: 'gateway' });
    return preloop.authenticate(new Request(url, { headers: { authorization } }), { audience: 'gateway' });
  }
  const key = (request.header('x-api-key') ?? request.header('x-goog-api-key') ?? queryKey(request.url, query))?.trim();
  if (!key) return null;
  const proxy = new Request(query === -1 ? request.url : request.url.slice(0, query), { headers: { authorization: `Bearer ${key}` } });
  return preloop.authenticate(proxy, { audience: 'gateway' });
}

const bearerApiKey = new RegExp(`^bearer[ \\t]+${apiKeyPrefix}`, 'i');

/**
 * What authentication reads of a request that carries a Preloop API key: its
 * URL and its `Authorization` header. Identity alone decides such a key (the
 * kernel never hands a refused `plk_` key to the host's `authenticate` hook),
 * so no web `Request` is built for it: constructing one (an undici object with
 * its own `AbortSignal`, parsed URL and a copy of every header) cost more than
 * the cached key lookup it served.
 */
function apiKeyRequest(url: string, authorization: string): Request {
  return { url, headers: new Headers({ authorization }) } as Pick<Request, 'url' | 'headers'> as Request;
}

/** The `key` query parameter, or null. */
function queryKey(url: string, query: number): string | null {
  if (query === -1) return null;
  return new URLSearchParams(url.slice(query + 1)).get('key');
}
