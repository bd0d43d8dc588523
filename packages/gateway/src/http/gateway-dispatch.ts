/**
 * The gateway's routes over the server-independent exchange: the OpenAI
 * ingress (`chat/completions`, `responses`, `embeddings`, `models`), the
 * Anthropic ingress (`messages`, `messages/count_tokens`, `models`) and the
 * Gemini ingress (`models`, `models/{model}:generateContent`, …, see
 * `gemini-routes.ts`) under their base paths.
 *
 * @module
 */

import { PreloopError, type Preloop } from '@preloop/core';
import type { GatewayOperation } from '../calls/call-plans.js';
import { countTokens } from '../calls/count-tokens.js';
import { serveGemini } from '../calls/gemini-routes.js';
import { jsonReply, type GatewayReply, type GatewayRequest } from '../calls/exchange.js';
import type { GatewayContext } from '../calls/gateway-context.js';
import { errorReply, type IngressFormat } from '../calls/ingress-errors.js';
import { listModels } from '../calls/model-lists.js';
import { runModelCall, unauthenticated } from '../calls/run-model-call.js';
import { createFetchTransport, createNodeTransport, type UpstreamTransport } from '../calls/upstream-transport.js';
import { authenticateGatewayRequest } from './gateway-auth.js';
import { resolveGatewayOptions, type GatewayOptions } from './gateway-options.js';
import { createRateLimiter } from './rate-limiter.js';

/** Serves one exchange. */
export type GatewayDispatcher = (request: GatewayRequest) => Promise<GatewayReply>;

type Route = { method: 'GET' | 'POST'; serve: (request: GatewayRequest, id?: string) => Promise<GatewayReply> };

/**
 * Builds the dispatcher shared by `createGateway` (web) and
 * `createNodeGateway` (Node). `transport` replaces the upstream transport
 * (tests and benchmarks).
 *
 * @example
 * ```ts
 * const dispatch = createGatewayDispatcher(preloop, {});
 * const reply = await dispatch(request);
 * ```
 */
export function createGatewayDispatcher(preloop: Preloop, options: GatewayOptions = {}, transport?: UpstreamTransport): GatewayDispatcher {
  const resolved = resolveGatewayOptions(options);
  const runtime = preloop.service('gateway');
  runtime.reservationBounds = {
    defaultMaxOutputTokens: resolved.budgets.defaultMaxOutputTokens,
    fixedInputTokens: resolved.budgets.fixedInputTokens,
  };
  const context: GatewayContext = {
    preloop,
    runtime,
    options: resolved,
    limiter: createRateLimiter(preloop.rateLimits, resolved.rateLimits),
    transport: transport ?? (resolved.fetch ? createFetchTransport(resolved.fetch) : createNodeTransport()),
  };
  const call = (format: IngressFormat, operation: GatewayOperation): Route => ({
    method: 'POST',
    serve: (request) => runModelCall(context, request, format, operation),
  });
  const models = (format: IngressFormat): Route => ({
    method: 'GET',
    async serve(request, id) {
      try {
        const principal = await authenticateGatewayRequest(preloop, request);
        if (!principal) throw unauthenticated();
        return jsonReply(await listModels(context, principal, format, id));
      } catch (error) {
        return errorReply(format, error);
      }
    },
  });
  const { openai, anthropic, gemini } = resolved.basePaths;
  const routes = new Map<string, Route>([
    [`${openai}/chat/completions`, call('openai', 'chat.completions')],
    [`${openai}/responses`, call('openai', 'responses')],
    [`${openai}/embeddings`, call('openai', 'embeddings')],
    [`${openai}/models`, models('openai')],
    [`${anthropic}/messages`, call('anthropic', 'messages')],
    [`${anthropic}/messages/count_tokens`, { method: 'POST', serve: (request) => countTokens(context, request) }],
    [`${anthropic}/models`, models('anthropic')],
  ]);
  const modelPrefixes = [`${openai}/models/`, `${anthropic}/models/`];

  return preloop.metrics.instrument('gateway', async (request: GatewayRequest) => {
    let path = request.path;
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    if (path.startsWith(`${gemini}/`)) return serveGemini(context, request, path.slice(gemini.length));
    const format: IngressFormat = path.startsWith(anthropic) ? 'anthropic' : path.startsWith(gemini) ? 'gemini' : 'openai';
    const route = routes.get(path);
    if (route) {
      if (request.method !== route.method) {
        return errorReply(format, new PreloopError('METHOD_NOT_ALLOWED', `Use ${route.method} for ${path}.`, { status: 405 }), {
          allow: route.method,
        });
      }
      return route.serve(request);
    }
    for (const prefix of modelPrefixes) {
      if (request.method === 'GET' && path.startsWith(prefix) && path.length > prefix.length) {
        let id: string;
        try {
          id = decodeURIComponent(path.slice(prefix.length));
        } catch {
          id = path.slice(prefix.length);
        }
        return routes.get(prefix.slice(0, -1))!.serve(request, id);
      }
    }
    return errorReply(format, new PreloopError('NOT_FOUND', `No gateway route ${request.method} ${path}.`));
  });
}
