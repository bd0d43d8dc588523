/**
 * Call plans of the Gemini ingress (`generateContent`,
 * `streamGenerateContent`): passed through to a Gemini upstream, translated
 * to OpenAI chat completions, or to Anthropic Messages (through the OpenAI
 * chat shape, as the Responses ingress does).
 *
 * @module
 */

import type { ResolvedModel } from '../models/model-alias.js';
import { toOpenAIChatCompletion } from '../translate/anthropic-to-openai-response.js';
import { checkGeminiRequest, toOpenAIChatRequestFromGemini } from '../translate/gemini-to-openai-request.js';
import { toAnthropicRequest } from '../translate/openai-to-anthropic-request.js';
import { toGeminiResponse } from '../translate/openai-to-gemini-response.js';
import { fromGeminiUsage } from '../usage/gemini-usage.js';
import { createUsage, fromAnthropicUsage, fromOpenAIChatUsage, type Usage } from '../usage/usage.js';
import type { AnthropicMessage, AnthropicMessagesRequest } from '../wire/anthropic-types.js';
import type { GeminiGenerateContentRequest, GeminiGenerateContentResponse, GeminiThinkingConfig } from '../wire/gemini-types.js';
import type { OpenAIChatCompletion } from '../wire/openai-types.js';
import type { CallPlan } from './call-plans.js';
import { createAnthropicToGeminiRelay, createGeminiPassthrough, createOpenAIChatToGeminiRelay } from './gemini-relays.js';

/** The Gemini ingress's model-calling operations. */
export type GeminiOperation = 'generateContent' | 'streamGenerateContent';

const thinkingLevels: Record<string, number> = { low: 2048, medium: 8192, high: 16384 };

/** The Anthropic thinking budget of a `thinkingConfig`, or null (no thinking, dynamic, below 1024 tokens, or minimal). */
function thinkingBudget(config: GeminiThinkingConfig | undefined): number | null {
  if (!config) return null;
  // Anthropic's smallest budget is 1024 tokens: a smaller one asks for (almost) no thinking, so none is sent.
  if (typeof config.thinkingBudget === 'number') return config.thinkingBudget >= 1024 ? config.thinkingBudget : null;
  return thinkingLevels[String(config.thinkingLevel ?? '').toLowerCase()] ?? null;
}

/** Turns extended thinking on for a budget: `max_tokens` must exceed it, and thinking takes no sampling options. */
function withThinking(request: AnthropicMessagesRequest, budget: number | null): AnthropicMessagesRequest {
  if (budget === null) return request;
  request.thinking = { type: 'enabled', budget_tokens: budget };
  if (request.max_tokens <= budget) request.max_tokens += budget;
  delete request.temperature;
  delete request.top_p;
  return request;
}

function maxOutputTokensOf(body: Record<string, unknown>): number | null {
  const value = (body.generationConfig as { maxOutputTokens?: unknown } | undefined)?.maxOutputTokens;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
}

/**
 * Plans a Gemini-ingress call for `target`.
 *
 * @example
 * ```ts
 * const callPlan = planGeminiCall(target, 'streamGenerateContent', body);
 * callPlan.path; // '/chat/completions' for an OpenAI-format alias
 * ```
 */
export function planGeminiCall(target: ResolvedModel, operation: GeminiOperation, body: Record<string, unknown>): CallPlan {
  const stream = operation === 'streamGenerateContent';
  const model = target.upstreamModel;
  const wire = target.provider.wireFormat as string;
  const usageOf = <T>(value: T | null | undefined, read: (value: T) => Usage) => (value ? read(value) : createUsage());
  if (wire === 'gemini') {
    return {
      operation,
      path: `/models/${encodeURIComponent(model)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
      body: JSON.stringify(body),
      stream,
      maxOutputTokens: maxOutputTokensOf(body),
      sameFormat: true,
      complete: (json) => ({
        response: json as Record<string, unknown>,
        usage: usageOf((json as GeminiGenerateContentResponse).usageMetadata, fromGeminiUsage),
        passthrough: true,
      }),
      relay: createGeminiPassthrough,
    };
  }
  checkGeminiRequest(body);
  const request = body as unknown as GeminiGenerateContentRequest;
  const { request: chat, names } = toOpenAIChatRequestFromGemini(request, { model, stream });
  if (wire === 'openai') {
    return {
      operation,
      path: '/chat/completions',
      body: JSON.stringify(chat),
      stream,
      maxOutputTokens: maxOutputTokensOf(body),
      sameFormat: false,
      complete: (json) => ({
        response: toGeminiResponse(json as OpenAIChatCompletion, { names }) as unknown as Record<string, unknown>,
        usage: usageOf((json as OpenAIChatCompletion).usage, fromOpenAIChatUsage),
        passthrough: false,
      }),
      relay: () => createOpenAIChatToGeminiRelay(names),
    };
  }
  const upstream = withThinking(toAnthropicRequest(chat, { model }), thinkingBudget(request.generationConfig?.thinkingConfig));
  return {
    operation,
    path: '/v1/messages',
    body: JSON.stringify(upstream),
    stream,
    maxOutputTokens: upstream.max_tokens,
    sameFormat: false,
    complete: (json) => ({
      response: toGeminiResponse(toOpenAIChatCompletion(json as AnthropicMessage), { names }) as unknown as Record<string, unknown>,
      usage: usageOf((json as AnthropicMessage).usage, fromAnthropicUsage),
      passthrough: false,
    }),
    relay: () => createAnthropicToGeminiRelay(names),
  };
}
