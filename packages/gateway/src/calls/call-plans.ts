/**
 * Call plans: for one ingress operation and one resolved alias, the upstream
 * path and body, and how the upstream's answer becomes the client's (as a
 * whole, or as a stream relay). Same-format calls pass through with the
 * upstream model substituted; cross-format calls run the phase-1 translators.
 *
 * @module
 */

import { isPreloopError, PreloopError } from '@preloop/core';
import type { ResolvedModel } from '../models/model-alias.js';
import { toOpenAIChatCompletion } from '../translate/anthropic-to-openai-response.js';
import { toOpenAIChatRequest } from '../translate/anthropic-to-openai-request.js';
import { toResponsesResponse } from '../translate/chat-to-responses-response.js';
import { toAnthropicRequest } from '../translate/openai-to-anthropic-request.js';
import { toAnthropicMessage } from '../translate/openai-to-anthropic-response.js';
import { checkChatRequest, checkMessagesRequest, checkResponsesRequest } from '../translate/request-shapes.js';
import { toOpenAIChatRequestFromResponses } from '../translate/responses-to-chat-request.js';
import {
  createUsage,
  fromAnthropicUsage,
  fromOpenAIChatUsage,
  fromOpenAIEmbeddingsUsage,
  fromResponsesUsage,
  type Usage,
} from '../usage/usage.js';
import type { AnthropicMessage, AnthropicMessagesRequest } from '../wire/anthropic-types.js';
import type { ResponsesRequest, ResponsesResponse } from '../wire/openai-responses-types.js';
import type { OpenAIChatCompletion, OpenAIChatCompletionRequest, OpenAIEmbeddingsResponse } from '../wire/openai-types.js';
import {
  createAnthropicPassthrough,
  createAnthropicToOpenAIChatRelay,
  createAnthropicToResponsesRelay,
  createOpenAIChatPassthrough,
  createOpenAIChatToAnthropicRelay,
  createResponsesPassthrough,
  type StreamRelay,
} from './stream-relays.js';
import { planGeminiCall, type GeminiOperation } from './gemini-call-plans.js';
import { planToGemini } from './gemini-upstream-plans.js';

/** The model-calling operations of the ingresses. */
export type GatewayOperation = 'chat.completions' | 'responses' | 'embeddings' | 'messages' | GeminiOperation;

/** What the client's answer is made of, for a non-streaming call. */
export interface CompletedCall {
  /** The client's response body. */
  response: Record<string, unknown>;
  usage: Usage;
  /** True when `response` is the upstream's own body (its text can be sent unchanged). */
  passthrough: boolean;
}

/** How one call is sent upstream and answered. */
export interface CallPlan {
  operation: GatewayOperation;
  /** The upstream path in the provider's wire format. */
  path: string;
  /** The upstream request body, as JSON text. */
  body: string;
  stream: boolean;
  /** The output tokens the request allows, or null when it sets no limit. */
  maxOutputTokens: number | null;
  /** True when the upstream speaks the client's format, so its error bodies pass through. */
  sameFormat: boolean;
  /** The client's answer from the upstream's JSON answer. */
  complete(upstream: unknown): CompletedCall;
  /** A relay for the upstream's stream. */
  relay(): StreamRelay;
}

type Body = Record<string, unknown>;

function invalid(path: string, message: string): PreloopError {
  return new PreloopError('VALIDATION_ERROR', `${path}: ${message}`, { details: { issues: [{ path, message }] } });
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
}

const usageOf = <T>(value: T | null | undefined, read: (value: T) => Usage) => (value ? read(value) : createUsage());

function streamRelayUnavailable(): never {
  throw new PreloopError('INTERNAL_ERROR', 'This call does not stream.');
}

function plan(target: ResolvedModel, operation: GatewayOperation, body: Body): CallPlan {
  if (operation === 'generateContent' || operation === 'streamGenerateContent') return planGeminiCall(target, operation, body);
  const model = target.upstreamModel;
  const upstreamWire = target.provider.wireFormat;
  if (upstreamWire === 'gemini') return planToGemini(target, operation, body);
  if (body.stream != null && typeof body.stream !== 'boolean') throw invalid('stream', 'must be a boolean');
  const stream = body.stream === true;
  switch (operation) {
    case 'chat.completions': {
      if (!Array.isArray(body.messages)) throw invalid('messages', 'must be an array of messages');
      const maxOutputTokens = numberOrNull(body.max_completion_tokens) ?? numberOrNull(body.max_tokens);
      const includeUsage = (body.stream_options as { include_usage?: unknown } | null | undefined)?.include_usage === true;
      if (upstreamWire === 'openai') {
        // Object.assign, not `{ ...body, extra }`: spreading then adding keys is a slow path in V8.
        const upstream: Body = stream
          ? Object.assign({}, body, {
              model,
              stream_options: Object.assign({}, body.stream_options as Body | undefined, { include_usage: true }),
            })
          : { ...body, model };
        return {
          operation,
          path: '/chat/completions',
          body: JSON.stringify(upstream),
          stream,
          maxOutputTokens,
          sameFormat: true,
          complete: (json) => ({
            response: json as Body,
            usage: usageOf((json as OpenAIChatCompletion).usage, fromOpenAIChatUsage),
            passthrough: true,
          }),
          relay: () => createOpenAIChatPassthrough({ stripUsage: !includeUsage }),
        };
      }
      checkChatRequest(body);
      const upstream = toAnthropicRequest(body as unknown as OpenAIChatCompletionRequest, { model });
      return {
        operation,
        path: '/v1/messages',
        body: JSON.stringify(upstream),
        stream,
        maxOutputTokens: upstream.max_tokens,
        sameFormat: false,
        complete: (json) => ({
          response: toOpenAIChatCompletion(json as AnthropicMessage) as unknown as Body,
          usage: usageOf((json as AnthropicMessage).usage, fromAnthropicUsage),
          passthrough: false,
        }),
        relay: () => createAnthropicToOpenAIChatRelay({ includeUsage }),
      };
    }
    case 'responses': {
      const maxOutputTokens = numberOrNull(body.max_output_tokens);
      if (upstreamWire === 'openai') {
        return {
          operation,
          path: '/responses',
          body: JSON.stringify({ ...body, model }),
          stream,
          maxOutputTokens,
          sameFormat: true,
          complete: (json) => ({
            response: json as Body,
            usage: usageOf((json as ResponsesResponse).usage, fromResponsesUsage),
            passthrough: true,
          }),
          relay: createResponsesPassthrough,
        };
      }
      checkResponsesRequest(body);
      const request = body as ResponsesRequest;
      const upstream = toAnthropicRequest(toOpenAIChatRequestFromResponses(request, { model }), { model });
      return {
        operation,
        path: '/v1/messages',
        body: JSON.stringify(upstream),
        stream,
        maxOutputTokens: upstream.max_tokens,
        sameFormat: false,
        complete: (json) => ({
          response: toResponsesResponse(toOpenAIChatCompletion(json as AnthropicMessage), { request }) as unknown as Body,
          usage: usageOf((json as AnthropicMessage).usage, fromAnthropicUsage),
          passthrough: false,
        }),
        relay: () => createAnthropicToResponsesRelay(request),
      };
    }
    case 'embeddings': {
      if (upstreamWire !== 'openai') {
        throw invalid(
          'model',
          `model alias "${target.alias}" is served by "${target.provider.id}", which has no embeddings; use an OpenAI-compatible alias`,
        );
      }
      if (body.input === undefined) throw invalid('input', 'is required');
      return {
        operation,
        path: '/embeddings',
        body: JSON.stringify({ ...body, model }),
        stream: false,
        maxOutputTokens: 0,
        sameFormat: true,
        complete: (json) => ({
          response: json as Body,
          usage: usageOf((json as OpenAIEmbeddingsResponse).usage, fromOpenAIEmbeddingsUsage),
          passthrough: true,
        }),
        relay: streamRelayUnavailable,
      };
    }
    case 'messages': {
      if (!Array.isArray(body.messages)) throw invalid('messages', 'must be an array of messages');
      const maxOutputTokens = numberOrNull(body.max_tokens);
      if (maxOutputTokens === null) throw invalid('max_tokens', 'is required (a non-negative integer)');
      if (upstreamWire === 'anthropic') {
        return {
          operation,
          path: '/v1/messages',
          body: JSON.stringify({ ...body, model }),
          stream,
          maxOutputTokens,
          sameFormat: true,
          complete: (json) => ({
            response: json as Body,
            usage: usageOf((json as AnthropicMessage).usage, fromAnthropicUsage),
            passthrough: true,
          }),
          relay: createAnthropicPassthrough,
        };
      }
      checkMessagesRequest(body);
      const upstream = toOpenAIChatRequest(body as unknown as AnthropicMessagesRequest, { model });
      return {
        operation,
        path: '/chat/completions',
        body: JSON.stringify(upstream),
        stream,
        maxOutputTokens,
        sameFormat: false,
        complete: (json) => ({
          response: toAnthropicMessage(json as OpenAIChatCompletion) as unknown as Body,
          usage: usageOf((json as OpenAIChatCompletion).usage, fromOpenAIChatUsage),
          passthrough: false,
        }),
        relay: createOpenAIChatToAnthropicRelay,
      };
    }
  }
}

/**
 * Plans a call. A request to translate is checked first (a malformed field is
 * a 400 naming it); input the translators cannot handle is a 400 naming the
 * problem, never a 500, and never a JavaScript error message.
 *
 * @example
 * ```ts
 * const callPlan = buildCallPlan(target, 'messages', body);
 * await fetch(url, { method: 'POST', body: callPlan.body });
 * ```
 */
export function buildCallPlan(target: ResolvedModel, operation: GatewayOperation, body: Body): CallPlan {
  try {
    return plan(target, operation, body);
  } catch (error) {
    if (isPreloopError(error)) throw error;
    // A translator tripped over a shape the checks let through: say so without its JavaScript message.
    throw new PreloopError(
      'VALIDATION_ERROR',
      `The request cannot be translated for model alias "${target.alias}"; check its fields against the API reference.`,
      { cause: error },
    );
  }
}
