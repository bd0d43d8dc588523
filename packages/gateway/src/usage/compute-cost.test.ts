import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PreloopError } from '@preloop/core';
import { computeCost } from './compute-cost.js';
import { findModelPrices } from './price-table.js';
import { createUsage } from './usage.js';

describe('computeCost', () => {
  it('is unpriced (null), never free, without prices', () => {
    const usage = createUsage({ inputTokens: 1_000, outputTokens: 1_000 });
    expect(computeCost(usage, null)).toEqual({ costMicros: null, priced: false });
    expect(computeCost(usage, undefined)).toEqual({ costMicros: null, priced: false });
    expect(computeCost(usage, findModelPrices('some-unknown-model'))).toEqual({ costMicros: null, priced: false });
  });

  it('charges input and output at their prices per million tokens', () => {
    // gpt-4o: $2.50 in, $10 out per million.
    const cost = computeCost(createUsage({ inputTokens: 1_000_000, outputTokens: 500_000 }), findModelPrices('gpt-4o'));
    expect(cost).toEqual({ costMicros: 2_500_000 + 5_000_000, priced: true });
  });

  it('charges cached OpenAI tokens once, at the cached price', () => {
    // gpt-4.1: $2 in, $0.50 cached, $8 out. 2114 prompt tokens of which 1920 cached, 58 output.
    const usage = createUsage({ inputTokens: 2_114, cachedInputTokens: 1_920, outputTokens: 58 });
    // 194 × 2 + 1920 × 0.5 + 58 × 8 = 388 + 960 + 464 = 1812 micro-dollars.
    expect(computeCost(usage, findModelPrices('gpt-4.1'))).toEqual({ costMicros: 1_812, priced: true });
  });

  it('charges Anthropic cache reads and writes at their own prices', () => {
    // claude-sonnet-4-5: $3 in, $3.75 write, $0.30 read, $15 out.
    const usage = createUsage({
      inputTokens: 472 + 2_048 + 1_500,
      cachedInputTokens: 2_048,
      cacheCreationInputTokens: 1_500,
      outputTokens: 89,
    });
    // 472 × 3 + 2048 × 0.3 + 1500 × 3.75 + 89 × 15 = 1416 + 614.4 + 5625 + 1335 = 8990.4 → 8991 (rounded up).
    expect(computeCost(usage, findModelPrices('claude-sonnet-4-5-20250929'))).toEqual({ costMicros: 8_991, priced: true });
  });

  it('falls back to the input price for cache counters without a price', () => {
    const usage = createUsage({ inputTokens: 100, cachedInputTokens: 40, cacheCreationInputTokens: 10 });
    expect(computeCost(usage, { input: 1, output: 2 }).costMicros).toBe(100);
  });

  it('switches the whole call to the long-context tier above the threshold', () => {
    const prices = findModelPrices('claude-sonnet-4-5');
    const below = createUsage({ inputTokens: 200_000, outputTokens: 1_000 });
    const above = createUsage({ inputTokens: 200_001, outputTokens: 1_000 });
    expect(computeCost(below, prices).costMicros).toBe(200_000 * 3 + 1_000 * 15);
    expect(computeCost(above, prices).costMicros).toBe(Math.ceil(200_001 * 6 + 1_000 * 22.5));
  });

  it('rounds up to the next micro-dollar, so any priced token costs something', () => {
    expect(computeCost(createUsage({ inputTokens: 1 }), findModelPrices('gpt-5-nano')).costMicros).toBe(1);
    expect(computeCost(createUsage(), findModelPrices('gpt-5-nano'))).toEqual({ costMicros: 0, priced: true });
  });

  it('is exact where floating point is not (0.075 × 3 tokens)', () => {
    // 3 cached tokens at $0.075 per million = 0.225 micro-dollars → 1; 1e6 × 0.075 = 75000 exactly.
    expect(
      computeCost(createUsage({ inputTokens: 1_000_000, cachedInputTokens: 1_000_000 }), findModelPrices('gpt-4o-mini')).costMicros,
    ).toBe(75_000);
  });

  it('never charges less when more tokens are used', () => {
    const prices = findModelPrices('claude-opus-4-5')!;
    const usage = fc.record({
      inputTokens: fc.integer({ min: 0, max: 10_000_000 }),
      outputTokens: fc.integer({ min: 0, max: 1_000_000 }),
      extraInput: fc.integer({ min: 0, max: 1_000_000 }),
      extraOutput: fc.integer({ min: 0, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(usage, ({ inputTokens, outputTokens, extraInput, extraOutput }) => {
        const base = computeCost(createUsage({ inputTokens, outputTokens }), prices).costMicros!;
        const more = computeCost(createUsage({ inputTokens: inputTokens + extraInput, outputTokens: outputTokens + extraOutput }), prices)
          .costMicros!;
        expect(more).toBeGreaterThanOrEqual(base);
      }),
    );
  });

  it('rejects negative prices and fractional token counts', () => {
    expect(() => computeCost(createUsage({ inputTokens: 1 }), { input: -1, output: 1 })).toThrow(PreloopError);
    expect(() => computeCost(createUsage({ inputTokens: 1.5 }), { input: 1, output: 1 })).toThrow(/non-negative integer/);
  });
});
