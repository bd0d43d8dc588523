/**
 * The amount a call reserves against its budgets: an upper bound of what it
 * can cost, so the sum of settled spend never passes a hard limit.
 *
 * @module
 */

import { computeCost } from '../usage/compute-cost.js';
import type { ModelPrices } from '../usage/model-prices.js';
import { createUsage } from '../usage/usage.js';

/**
 * The reservation for a call, in micro-dollars. Input is bounded by the
 * upstream request's size in bytes (a token is at least one byte of text, so
 * text prompts can never exceed it; inline images are larger in bytes than in
 * tokens), charged at the dearer of the input and cache-write prices, the
 * long-context tier included. Output is bounded by the request's own limit
 * (`max_tokens`, `max_completion_tokens`, `max_output_tokens`), else by
 * `defaultMaxOutputTokens`: a call without a limit can only overshoot by what
 * it generates past that default. Images sent by URL and provider-added
 * system tokens are not in the body and are covered by `fixedInputTokens`.
 *
 * @example
 * ```ts
 * reservationMicros({ input: 3, output: 15 }, 2_000, 1_000, 4_096, 1_000); // 3000 × $3 + 1000 × $15 per million = 24_000 µ$
 * ```
 */
export function reservationMicros(
  prices: ModelPrices,
  upstreamBodyBytes: number,
  maxOutputTokens: number | null,
  defaultMaxOutputTokens: number,
  fixedInputTokens: number,
): number {
  const inputTokens = upstreamBodyBytes + fixedInputTokens;
  const outputTokens = maxOutputTokens ?? defaultMaxOutputTokens;
  const plain = computeCost(createUsage({ inputTokens, outputTokens }), prices).costMicros ?? 0;
  const cached = computeCost(createUsage({ inputTokens, cacheCreationInputTokens: inputTokens, outputTokens }), prices).costMicros ?? 0;
  return Math.max(plain, cached);
}
