/**
 * Gemini `usageMetadata` to and from the gateway's {@link Usage}, and the
 * usage accumulator of a Gemini stream (each event carries the usage so far;
 * the last one, with a `finishReason`, the final counts).
 *
 * @module
 */

import type { GeminiGenerateContentResponse, GeminiUsageMetadata } from '../wire/gemini-types.js';
import type { StreamUsageAccumulator } from './stream-usage.js';
import { createUsage, tokenCount, type Usage } from './usage.js';

/**
 * Reads Gemini usage: input is `promptTokenCount` (cached tokens included) plus
 * `toolUsePromptTokenCount`; output is `candidatesTokenCount` plus
 * `thoughtsTokenCount` (the gateway counts reasoning inside output).
 *
 * @example
 * ```ts
 * fromGeminiUsage({ promptTokenCount: 10, candidatesTokenCount: 5, thoughtsTokenCount: 3 }).outputTokens; // 8
 * ```
 */
export function fromGeminiUsage(usage: GeminiUsageMetadata): Usage {
  const reasoningTokens = tokenCount(usage.thoughtsTokenCount);
  return createUsage({
    inputTokens: tokenCount(usage.promptTokenCount) + tokenCount(usage.toolUsePromptTokenCount),
    outputTokens: tokenCount(usage.candidatesTokenCount) + reasoningTokens,
    cachedInputTokens: tokenCount(usage.cachedContentTokenCount),
    reasoningTokens,
  });
}

/**
 * Writes Gemini usage: `candidatesTokenCount` excludes the reasoning tokens,
 * reported as `thoughtsTokenCount`; cache writes have no Gemini field (they
 * stay in `promptTokenCount`).
 *
 * @example
 * ```ts
 * toGeminiUsage(createUsage({ inputTokens: 10, outputTokens: 8, reasoningTokens: 3 }));
 * // { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 18, thoughtsTokenCount: 3 }
 * ```
 */
export function toGeminiUsage(usage: Usage): GeminiUsageMetadata {
  const out: GeminiUsageMetadata = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: Math.max(0, usage.outputTokens - usage.reasoningTokens),
    totalTokenCount: usage.inputTokens + usage.outputTokens,
  };
  if (usage.cachedInputTokens > 0) out.cachedContentTokenCount = usage.cachedInputTokens;
  if (usage.reasoningTokens > 0) out.thoughtsTokenCount = usage.reasoningTokens;
  return out;
}

/**
 * Accumulates usage from a Gemini stream's events.
 *
 * @example
 * ```ts
 * const accumulator = createGeminiUsageAccumulator();
 * accumulator.push(event);
 * ```
 */
export function createGeminiUsageAccumulator(): StreamUsageAccumulator<GeminiGenerateContentResponse> {
  let usage = createUsage();
  let reported = false;
  let complete = false;
  return {
    push(event) {
      if (event.usageMetadata) {
        usage = fromGeminiUsage(event.usageMetadata);
        reported = true;
        if (event.candidates?.some((candidate) => candidate.finishReason)) complete = true;
      }
    },
    get usage() {
      return { ...usage };
    },
    get reported() {
      return reported;
    },
    get complete() {
      return complete;
    },
  };
}
