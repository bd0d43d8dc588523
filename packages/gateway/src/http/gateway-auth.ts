/**
 * Authentication of gateway requests: the Preloop API key or runtime
 * credential in `Authorization: Bearer …` (OpenAI SDKs, Codex,
 * `ANTHROPIC_AUTH_TOKEN`) or in `x-api-key` (the Anthropic SDK,
 * `ANTHROPIC_API_KEY`), with the `gateway` audience.
 *
 * @module
 */

import type { Preloop, Principal } from '@preloop/core';
import type { GatewayRequest } from '../calls/exchange.js';

/**
 * The principal behind a gateway request, or null. A credential in
 * `x-api-key` is checked exactly as a bearer token would be.
 *
 * @example
 * ```ts
 * const principal = await authenticateGatewayRequest(preloop, request);
 * if (!principal) return errorReply('anthropic', new PreloopError('UNAUTHENTICATED', '…'));
 * ```
 */
export async function authenticateGatewayRequest(preloop: Preloop, request: GatewayRequest): Promise<Principal | null> {
  if (request.header('authorization') !== null) return preloop.authenticate(request.toRequest(), { audience: 'gateway' });
  const key = request.header('x-api-key')?.trim();
  if (!key) return null;
  const proxy = new Request(request.url, { headers: { authorization: `Bearer ${key}` } });
  return preloop.authenticate(proxy, { audience: 'gateway' });
}
