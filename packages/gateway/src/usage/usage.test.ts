import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createUsage,
  fromAnthropicUsage,
  fromOpenAIChatUsage,
  fromOpenAIEmbeddingsUsage,
  fromResponsesUsage,
  toAnthropicUsage,
  toOpenAIChatUsage,
  toResponsesUsage,
  type Usage,
} from './usage.js';

const count = fc.integer({ min: 0, max: 5_000_000 });

/** A consistent usage: cache counters within the input, reasoning within the output. */
const usageArbitrary = (withCacheWrites: boolean) =>
  fc
    .record({
      uncached: count,
      cached: count,
      written: withCacheWrites ? count : fc.constant(0),
      output: count,
      reasoningShare: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(
      ({ uncached, cached, written, output, reasoningShare }): Usage => ({
        inputTokens: uncached + cached + written,
        cachedInputTokens: cached,
        cacheCreationInputTokens: written,
        outputTokens: output,
        reasoningTokens: Math.floor(output * reasoningShare),
      }),
    );

describe('usage conversions', () => {
  it('reads OpenAI chat usage, where prompt_tokens already includes the cached tokens', () => {
    expect(
      fromOpenAIChatUsage({
        prompt_tokens: 2_114,
        completion_tokens: 300,
        total_tokens: 2_414,
        prompt_tokens_details: { cached_tokens: 1_920 },
        completion_tokens_details: { reasoning_tokens: 256 },
      }),
    ).toEqual({ inputTokens: 2_114, outputTokens: 300, cachedInputTokens: 1_920, cacheCreationInputTokens: 0, reasoningTokens: 256 });
  });

  it('reads Anthropic usage, adding cache reads and writes to the input total', () => {
    expect(
      fromAnthropicUsage({
        input_tokens: 472,
        cache_read_input_tokens: 2_048,
        cache_creation_input_tokens: 1_500,
        output_tokens: 89,
        output_tokens_details: { thinking_tokens: 40 },
      }),
    ).toEqual({ inputTokens: 4_020, outputTokens: 89, cachedInputTokens: 2_048, cacheCreationInputTokens: 1_500, reasoningTokens: 40 });
  });

  it('treats null, missing or garbage Anthropic counters as zero', () => {
    expect(
      fromAnthropicUsage({ input_tokens: 10, output_tokens: -3, cache_read_input_tokens: null, cache_creation_input_tokens: Number.NaN }),
    ).toEqual(createUsage({ inputTokens: 10 }));
  });

  it('writes Anthropic usage with input_tokens excluding the cache counters', () => {
    const usage = createUsage({ inputTokens: 4_020, cachedInputTokens: 2_048, cacheCreationInputTokens: 1_500, outputTokens: 89 });
    expect(toAnthropicUsage(usage)).toEqual({
      input_tokens: 472,
      output_tokens: 89,
      cache_read_input_tokens: 2_048,
      cache_creation_input_tokens: 1_500,
    });
  });

  it('reads Responses and embeddings usage', () => {
    expect(
      fromResponsesUsage({
        input_tokens: 36,
        input_tokens_details: { cached_tokens: 12 },
        output_tokens: 87,
        output_tokens_details: { reasoning_tokens: 64 },
        total_tokens: 123,
      }),
    ).toEqual({ inputTokens: 36, outputTokens: 87, cachedInputTokens: 12, cacheCreationInputTokens: 0, reasoningTokens: 64 });
    expect(fromOpenAIEmbeddingsUsage({ prompt_tokens: 8, total_tokens: 8 })).toEqual(createUsage({ inputTokens: 8 }));
  });

  it('round-trips any consistent usage through the Anthropic format', () => {
    fc.assert(
      fc.property(usageArbitrary(true), (usage) => {
        expect(fromAnthropicUsage(toAnthropicUsage(usage))).toEqual(usage);
      }),
    );
  });

  it('round-trips usage without cache writes through the OpenAI chat and Responses formats', () => {
    fc.assert(
      fc.property(usageArbitrary(false), (usage) => {
        expect(fromOpenAIChatUsage(toOpenAIChatUsage(usage))).toEqual(usage);
        expect(fromResponsesUsage(toResponsesUsage(usage))).toEqual(usage);
      }),
    );
  });

  it('keeps the input total when Anthropic cache writes pass through the OpenAI format', () => {
    fc.assert(
      fc.property(usageArbitrary(true), (usage) => {
        const viaOpenAI = fromOpenAIChatUsage(toOpenAIChatUsage(usage));
        expect(viaOpenAI.inputTokens).toBe(usage.inputTokens);
        expect(toOpenAIChatUsage(usage).total_tokens).toBe(usage.inputTokens + usage.outputTokens);
      }),
    );
  });
});
