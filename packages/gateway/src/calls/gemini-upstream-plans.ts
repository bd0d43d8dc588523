/**
 * Call plans of the OpenAI and Anthropic ingresses for a Gemini-format alias:
 * every request goes through the OpenAI chat shape (as the Responses ingress
 * reaches Anthropic) to `generateContent`, and every answer back the same way.
 *
 * @module
 */

import type { ResolvedModel } from '../models/model-alias.js';
import { toOpenAIChatRequest } from '../translate/anthropic-to-openai-request.js';
import { toResponsesResponse } from '../translate/chat-to-responses-response.js';
import { toOpenAIChatCompletionFromGemini } from '../translate/gemini-to-openai-response.js';
import { toAnthropicMessage } from '../translate/openai-to-anthropic-response.js';
import { toGeminiRequest } from '../translate/openai-to-gemini-request.js';
import { checkChatRequest, checkMessagesRequest, checkResponsesRequest } from '../translate/request-shapes.js';
import { toOpenAIChatRequestFromResponses } from '../translate/responses-to-chat-request.js';
import { fromGeminiUsage } from '../usage/gemini-usage.js';
import { createUsage } from '../usage/usage.js';
import type { AnthropicMessagesRequest } from '../wire/anthropic-types.js';
import type { GeminiGenerateContentResponse } from '../wire/gemini-types.js';
import type { ResponsesRequest } from '../wire/openai-responses-types.js';
import type { OpenAIChatCompletion, OpenAIChatCompletionRequest } from '../wire/openai-types.js';
import type { CallPlan, GatewayOperation } from './call-plans.js';
import { createGeminiToAnthropicRelay, createGeminiToOpenAIChatRelay, createGeminiToResponsesRelay } from './gemini-relays.js';
import { untranslatable } from '../translate/shared.js';

type Body = Record<string, unknown>;

/**
 * Plans an OpenAI chat, Responses or Anthropic Messages call to a
 * Gemini-format alias. Embeddings are a 400 (Gemini's embeddings API is not
 * served).
 *
 * @example
 * ```ts
 * const callPlan = planToGemini(target, 'chat.completions', body);
 * callPlan.path; // '/models/gemini-2.5-flash:generateContent'
 * ```
 */
export function planToGemini(
  target: ResolvedModel,
  operation: Exclude<GatewayOperation, 'generateContent' | 'streamGenerateContent'>,
  body: Body,
): CallPlan {
  const stream = body.stream === true;
  const model = target.upstreamModel;
  const path = `/models/${encodeURIComponent(model)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  const usageOf = (json: unknown) => {
    const metadata = (json as GeminiGenerateContentResponse).usageMetadata;
    return metadata ? fromGeminiUsage(metadata) : createUsage();
  };
  const fromGemini = (json: unknown): OpenAIChatCompletion => toOpenAIChatCompletionFromGemini(json as GeminiGenerateContentResponse);
  const base = (chat: OpenAIChatCompletionRequest) => {
    const upstream = toGeminiRequest(chat);
    return {
      operation,
      path,
      body: JSON.stringify(upstream),
      stream,
      maxOutputTokens: upstream.generationConfig?.maxOutputTokens ?? null,
      sameFormat: false,
    };
  };
  switch (operation) {
    case 'chat.completions': {
      checkChatRequest(body);
      const includeUsage = (body.stream_options as { include_usage?: unknown } | null | undefined)?.include_usage === true;
      return {
        ...base(body as unknown as OpenAIChatCompletionRequest),
        complete: (json) => ({ response: fromGemini(json) as unknown as Body, usage: usageOf(json), passthrough: false }),
        relay: () => createGeminiToOpenAIChatRelay({ includeUsage }),
      };
    }
    case 'responses': {
      checkResponsesRequest(body);
      const request = body as ResponsesRequest;
      return {
        ...base(toOpenAIChatRequestFromResponses(request, { model })),
        complete: (json) => ({
          response: toResponsesResponse(fromGemini(json), { request }) as unknown as Body,
          usage: usageOf(json),
          passthrough: false,
        }),
        relay: () => createGeminiToResponsesRelay(request),
      };
    }
    case 'messages': {
      checkMessagesRequest(body);
      return {
        ...base(toOpenAIChatRequest(body as unknown as AnthropicMessagesRequest, { model })),
        complete: (json) => ({
          response: toAnthropicMessage(fromGemini(json)) as unknown as Body,
          usage: usageOf(json),
          passthrough: false,
        }),
        relay: createGeminiToAnthropicRelay,
      };
    }
    default:
      return untranslatable(
        `model: model alias "${target.alias}" is served in the Gemini format, which has no ${operation} here; use an OpenAI-compatible alias.`,
        {
          issues: [{ path: 'model', message: `no ${operation} on a Gemini-format alias` }],
        },
      );
  }
}
