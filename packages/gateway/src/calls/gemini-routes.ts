/**
 * The Gemini ingress (`/gemini/v1beta` by default), the API Google's Gen AI
 * SDKs and Gemini CLI speak: `GET /models`, `GET /models/{model}`,
 * `POST /models/{model}:generateContent`,
 * `:streamGenerateContent` (server-sent events with `alt=sse`, else Google's
 * JSON array, streamed) and `:countTokens`. Every error is in
 * Google's shape (`{ error: { code, message, status } }`).
 *
 * @module
 */

import { PreloopError } from '@preloop/core';
import { authenticateGatewayRequest } from '../http/gateway-auth.js';
import type { GeminiCountTokensRequest, GeminiModel } from '../wire/gemini-types.js';
import { forwardTokenCount } from './count-tokens.js';
import { jsonReply, type GatewayReply, type GatewayRequest } from './exchange.js';
import type { GatewayContext } from './gateway-context.js';
import { toJsonArrayReply } from './gemini-json-stream.js';
import { errorReply } from './ingress-errors.js';
import { requireUsableModel, toAliasName, usableAliases } from './model-names.js';
import { readJsonObject, runModelCall, unauthenticated } from './run-model-call.js';
import { charactersPerToken } from './usage-meter.js';

const methods = ['generateContent', 'streamGenerateContent', 'countTokens'];

function modelOf(alias: string, provider: string): GeminiModel {
  return {
    name: `models/${alias}`,
    baseModelId: alias,
    version: '1',
    displayName: alias,
    description: `Model alias "${alias}" of the Preloop gateway (provider "${provider}").`,
    supportedGenerationMethods: methods,
  };
}

async function listGeminiModels(context: GatewayContext, request: GatewayRequest, id?: string): Promise<GatewayReply> {
  const principal = await authenticateGatewayRequest(context.preloop, request);
  if (!principal) throw unauthenticated();
  const allowed = new Set(await usableAliases(context, principal));
  const entries = (await context.runtime.models.names(principal.accountId))
    .filter((entry) => allowed.has(entry.alias))
    .sort((a, b) => (a.alias < b.alias ? -1 : 1));
  if (id === undefined) return jsonReply({ models: entries.map((entry) => modelOf(entry.alias, entry.provider)) });
  const entry = entries.find((candidate) => candidate.alias === id);
  if (!entry) throw new PreloopError('NOT_FOUND', `The model "${id}" does not exist.`);
  return jsonReply(modelOf(entry.alias, entry.provider));
}

async function countGeminiTokens(context: GatewayContext, request: GatewayRequest, requested: string): Promise<GatewayReply> {
  const principal = await authenticateGatewayRequest(context.preloop, request);
  if (!principal) throw unauthenticated();
  const body = (await readJsonObject(request, context.options)) as GeminiCountTokensRequest & Record<string, unknown>;
  const alias = await toAliasName(context, principal.accountId, requested);
  const target = await requireUsableModel(context, principal, alias, requested);
  await context.limiter.take(principal);
  const inner = body.generateContentRequest;
  const contents = body.contents ?? inner?.contents;
  if (!Array.isArray(contents)) {
    throw new PreloopError('VALIDATION_ERROR', 'contents: must be an array of contents (or generateContentRequest.contents)', {
      details: { issues: [{ path: 'contents', message: 'must be an array' }] },
    });
  }
  if (target.provider.wireFormat === 'gemini') {
    const upstreamBody = inner ? { ...body, generateContentRequest: { ...inner, model: `models/${target.upstreamModel}` } } : body;
    return forwardTokenCount(context, request, target, alias, {
      path: `/models/${encodeURIComponent(target.upstreamModel)}:countTokens`,
      headers: {},
      body: JSON.stringify(upstreamBody),
    });
  }
  if (context.options.countTokens === 'refuse') {
    throw new PreloopError(
      'VALIDATION_ERROR',
      `Token counting is not available for model alias "${alias}": it is not served in the Gemini format.`,
    );
  }
  const text = JSON.stringify([inner?.systemInstruction ?? '', contents, inner?.tools ?? []]);
  return jsonReply({ totalTokens: Math.ceil(text.length / charactersPerToken) }, 200, { 'x-preloop-token-count': 'estimated' });
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Serves a request under the Gemini base path (`rest` is the path after it,
 * `/models…`).
 *
 * @example
 * ```ts
 * if (path.startsWith(base)) return serveGemini(context, request, path.slice(base.length));
 * ```
 */
export async function serveGemini(context: GatewayContext, request: GatewayRequest, rest: string): Promise<GatewayReply> {
  try {
    if (rest !== '/models' && !rest.startsWith('/models/')) {
      throw new PreloopError('NOT_FOUND', `No gateway route ${request.method} ${request.path}.`);
    }
    const name = decode(rest.slice('/models/'.length));
    const colon = rest === '/models' ? -1 : name.lastIndexOf(':');
    if (colon === -1) {
      if (request.method !== 'GET') {
        throw new PreloopError('METHOD_NOT_ALLOWED', `Use GET for ${request.path}.`, { status: 405 });
      }
      return await listGeminiModels(context, request, rest === '/models' ? undefined : name);
    }
    const model = name.slice(0, colon);
    const method = name.slice(colon + 1);
    if (!methods.includes(method) || model === '') {
      throw new PreloopError(
        'NOT_FOUND',
        `No gateway route ${request.method} ${request.path}: the Gemini ingress serves models/{model}:${methods.join(', :')}.`,
      );
    }
    if (request.method !== 'POST') throw new PreloopError('METHOD_NOT_ALLOWED', `Use POST for ${request.path}.`, { status: 405 });
    if (method === 'countTokens') return await countGeminiTokens(context, request, model);
    const reply = await runModelCall(context, request, 'gemini', method as 'generateContent' | 'streamGenerateContent', model);
    // Without alt=sse Google answers one JSON array written piece by piece: the same stream, in that form.
    return method === 'streamGenerateContent' && new URL(request.url).searchParams.get('alt') !== 'sse' ? toJsonArrayReply(reply) : reply;
  } catch (error) {
    return errorReply('gemini', error, (error as { status?: number }).status === 405 ? { allow: colonAllow(rest) } : {});
  }
}

function colonAllow(rest: string): string {
  return rest.includes(':') ? 'POST' : 'GET';
}
