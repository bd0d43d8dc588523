/**
 * The gateway's wire-independent token usage and its conversions from and to
 * the OpenAI chat completions, OpenAI Responses, OpenAI embeddings and
 * Anthropic Messages usage objects.
 *
 * The providers count differently: OpenAI's `prompt_tokens` *includes* cached
 * tokens, Anthropic's `input_tokens` *excludes* cache reads and cache writes.
 * {@link Usage} always holds totals, with the cache counters as subsets, so
 * a cached token is counted exactly once whatever the wire format.
 *
 * @module
 */

import type { AnthropicUsage } from '../wire/anthropic-types.js';
import type { ResponsesUsage } from '../wire/openai-responses-types.js';
import type { OpenAIChatUsage, OpenAIEmbeddingsResponse } from '../wire/openai-types.js';

/** Token usage of one model call, normalized across wire formats. */
export interface Usage {
  /** All prompt tokens, including the tokens read from and written to the prompt cache. */
  inputTokens: number;
  /** All generated tokens, including reasoning (thinking) tokens. */
  outputTokens: number;
  /** The part of `inputTokens` read from the prompt cache. */
  cachedInputTokens: number;
  /** The part of `inputTokens` written to the prompt cache (Anthropic cache writes). */
  cacheCreationInputTokens: number;
  /** The part of `outputTokens` spent on reasoning (thinking). */
  reasoningTokens: number;
}

/**
 * Returns a usage with every counter at zero, overridden by `counts`.
 *
 * @example
 * ```ts
 * const usage = createUsage({ inputTokens: 12, outputTokens: 3 });
 * ```
 */
export function createUsage(counts: Partial<Usage> = {}): Usage {
  return {
    inputTokens: counts.inputTokens ?? 0,
    outputTokens: counts.outputTokens ?? 0,
    cachedInputTokens: counts.cachedInputTokens ?? 0,
    cacheCreationInputTokens: counts.cacheCreationInputTokens ?? 0,
    reasoningTokens: counts.reasoningTokens ?? 0,
  };
}

/** A token counter from an upstream: anything but a non-negative finite number counts as 0. */
export function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/**
 * Reads an OpenAI chat completions `usage` object.
 *
 * @example
 * ```ts
 * fromOpenAIChatUsage({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 });
 * ```
 */
export function fromOpenAIChatUsage(usage: OpenAIChatUsage): Usage {
  return {
    inputTokens: tokenCount(usage.prompt_tokens),
    outputTokens: tokenCount(usage.completion_tokens),
    cachedInputTokens: tokenCount(usage.prompt_tokens_details?.cached_tokens),
    cacheCreationInputTokens: 0,
    reasoningTokens: tokenCount(usage.completion_tokens_details?.reasoning_tokens),
  };
}

/**
 * Writes a usage as an OpenAI chat completions `usage` object. Cache writes have
 * no OpenAI counter; they stay inside `prompt_tokens`.
 *
 * @example
 * ```ts
 * toOpenAIChatUsage(createUsage({ inputTokens: 10, outputTokens: 2 })).total_tokens; // 12
 * ```
 */
export function toOpenAIChatUsage(usage: Usage): OpenAIChatUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/**
 * Reads an Anthropic `usage` object (of a message, or of `message_start`).
 *
 * @example
 * ```ts
 * fromAnthropicUsage({ input_tokens: 5, cache_read_input_tokens: 100, output_tokens: 7 }).inputTokens; // 105
 * ```
 */
export function fromAnthropicUsage(usage: AnthropicUsage): Usage {
  const cachedInputTokens = tokenCount(usage.cache_read_input_tokens);
  const cacheCreationInputTokens = tokenCount(usage.cache_creation_input_tokens);
  return {
    inputTokens: tokenCount(usage.input_tokens) + cachedInputTokens + cacheCreationInputTokens,
    outputTokens: tokenCount(usage.output_tokens),
    cachedInputTokens,
    cacheCreationInputTokens,
    reasoningTokens: tokenCount(usage.output_tokens_details?.thinking_tokens),
  };
}

/**
 * Writes a usage as an Anthropic `usage` object (`input_tokens` without the
 * cache reads and writes).
 *
 * @example
 * ```ts
 * toAnthropicUsage(createUsage({ inputTokens: 105, cachedInputTokens: 100 })).input_tokens; // 5
 * ```
 */
export function toAnthropicUsage(usage: Usage): AnthropicUsage {
  const uncached = Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheCreationInputTokens);
  return {
    input_tokens: uncached,
    output_tokens: usage.outputTokens,
    cache_creation_input_tokens: usage.cacheCreationInputTokens,
    cache_read_input_tokens: usage.cachedInputTokens,
    ...(usage.reasoningTokens > 0 ? { output_tokens_details: { thinking_tokens: usage.reasoningTokens } } : {}),
  };
}

/**
 * Reads an OpenAI Responses `usage` object.
 *
 * @example
 * ```ts
 * fromResponsesUsage(response.usage);
 * ```
 */
export function fromResponsesUsage(usage: ResponsesUsage): Usage {
  return {
    inputTokens: tokenCount(usage.input_tokens),
    outputTokens: tokenCount(usage.output_tokens),
    cachedInputTokens: tokenCount(usage.input_tokens_details?.cached_tokens),
    cacheCreationInputTokens: 0,
    reasoningTokens: tokenCount(usage.output_tokens_details?.reasoning_tokens),
  };
}

/**
 * Writes a usage as an OpenAI Responses `usage` object.
 *
 * @example
 * ```ts
 * toResponsesUsage(createUsage({ inputTokens: 10, outputTokens: 2 })).total_tokens; // 12
 * ```
 */
export function toResponsesUsage(usage: Usage): ResponsesUsage {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/**
 * Reads the `usage` of an OpenAI embeddings response (input tokens only).
 *
 * @example
 * ```ts
 * fromOpenAIEmbeddingsUsage({ prompt_tokens: 8, total_tokens: 8 }).inputTokens; // 8
 * ```
 */
export function fromOpenAIEmbeddingsUsage(usage: OpenAIEmbeddingsResponse['usage']): Usage {
  return createUsage({ inputTokens: tokenCount(usage.prompt_tokens) });
}
