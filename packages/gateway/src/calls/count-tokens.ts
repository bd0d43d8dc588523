/**
 * `POST /anthropic/v1/messages/count_tokens`: passed to an Anthropic
 * upstream; for aliases served in the OpenAI format (which has no token
 * counting endpoint and whose tokenizers the gateway does not ship) an
 * estimate of about four characters per token, marked as such, or a 400.
 *
 * @module
 */

import { PreloopError } from '@preloop/core';
import type { ResolvedModel } from '../models/model-alias.js';
import { authenticateGatewayRequest } from '../http/gateway-auth.js';
import { jsonReply, type GatewayReply, type GatewayRequest } from './exchange.js';
import type { GatewayContext } from './gateway-context.js';
import { errorReply } from './ingress-errors.js';
import { requireUsableModel, toAliasName } from './model-names.js';
import { readModelRequest, unauthenticated } from './run-model-call.js';
import { redactUpstreamText } from './upstream.js';
import { charactersPerToken } from './usage-meter.js';

/**
 * Serves a token count request.
 *
 * @example
 * ```ts
 * return countTokens(context, request);
 * ```
 */
export async function countTokens(context: GatewayContext, request: GatewayRequest): Promise<GatewayReply> {
  try {
    const principal = await authenticateGatewayRequest(context.preloop, request);
    if (!principal) throw unauthenticated();
    const parsed = await readModelRequest(request, context.options);
    const { body } = parsed;
    const model = await toAliasName(context, principal.accountId, parsed.model);
    const target = await requireUsableModel(context, principal, model, parsed.model);
    await context.limiter.take(principal);
    if (!Array.isArray(body.messages))
      throw new PreloopError('VALIDATION_ERROR', 'messages: must be an array of messages', {
        details: { issues: [{ path: 'messages', message: 'must be an array' }] },
      });
    if (target.provider.wireFormat !== 'anthropic') {
      if (context.options.countTokens === 'refuse') {
        throw new PreloopError(
          'VALIDATION_ERROR',
          `Token counting is not available for model alias "${model}": its provider has no token counting endpoint.`,
        );
      }
      const text = JSON.stringify([body.system ?? '', body.messages, body.tools ?? []]);
      return jsonReply({ input_tokens: Math.ceil(text.length / charactersPerToken) }, 200, { 'x-preloop-token-count': 'estimated' });
    }
    const forwarded: Record<string, string> = {};
    for (const name of ['anthropic-beta', 'anthropic-version']) {
      const value = request.header(name);
      if (value) forwarded[name] = value;
    }
    return await forwardTokenCount(context, request, target, model, {
      path: '/v1/messages/count_tokens',
      headers: forwarded,
      body: JSON.stringify({ ...body, model: target.upstreamModel }),
    });
  } catch (error) {
    return errorReply('anthropic', error);
  }
}

/**
 * Sends a token count request to the alias's upstream and answers with its
 * body and status (redacted); a refused provider credential is a 502 that
 * echoes nothing, an unreachable upstream a 502.
 *
 * @example
 * ```ts
 * return forwardTokenCount(context, request, target, alias, { path: '/v1/messages/count_tokens', headers: {}, body });
 * ```
 */
export async function forwardTokenCount(
  context: GatewayContext,
  request: GatewayRequest,
  target: ResolvedModel,
  model: string,
  upstreamRequest: { path: string; headers: Record<string, string>; body: string },
): Promise<GatewayReply> {
  const built = target.provider.buildRequest({
    path: upstreamRequest.path,
    baseUrl: target.baseUrl,
    credential: target.credential,
    headers: upstreamRequest.headers,
  });
  const aborts: Array<() => void> = [];
  const abort = () => aborts.splice(0).forEach((listener) => listener());
  const timer = setTimeout(abort, context.options.timeouts.firstByteMs);
  const stopWatching = request.onAbort(abort);
  let text: string;
  let status: number;
  try {
    const upstream = await context.transport.send({
      url: built.url,
      headers: Object.assign({}, built.headers, { 'content-type': 'application/json', accept: 'application/json' }),
      body: upstreamRequest.body,
      onAbort: (listener) => aborts.push(listener),
    });
    status = upstream.status;
    text = redactUpstreamText(await upstream.text(), target.credential);
  } catch (cause) {
    throw new PreloopError('UPSTREAM_ERROR', `The upstream of model alias "${model}" could not be reached.`, { status: 502, cause });
  } finally {
    clearTimeout(timer);
    stopWatching();
  }
  if (status === 401 || status === 403) {
    throw new PreloopError(
      'UPSTREAM_ERROR',
      `The provider refused the gateway's credential for model alias "${model}"; an administrator must update it.`,
      { status: 502 },
    );
  }
  return jsonReply(text, status);
}
