import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeCost } from '../usage/compute-cost.js';
import { findModelPrices } from '../usage/price-table.js';
import { createUsage } from '../usage/usage.js';
import { reservationMicros } from './reservation-estimate.js';
import { createAnthropicMeter, createOpenAIChatMeter, settledUsage } from './usage-meter.js';

describe('reservationMicros', () => {
  it('bounds input by bytes and output by the request limit or the default', () => {
    expect(reservationMicros({ input: 1, output: 1 }, 1000, 50, 8192, 0)).toBe(1050);
    expect(reservationMicros({ input: 1, output: 1 }, 1000, null, 8192, 100)).toBe(1000 + 100 + 8192);
  });

  it('is never below the cost of any usage within the bounds (cache writes and long context included)', () => {
    const prices = findModelPrices('claude-sonnet-4-5')!;
    fc.assert(
      fc.property(fc.nat(400_000), fc.nat(8192), fc.nat(100), fc.nat(100), (bytes, maxOutput, cachedShare, writeShare) => {
        const input = bytes;
        const cached = Math.floor((input * cachedShare) / 200);
        const written = Math.floor((input * writeShare) / 200);
        const actual = computeCost(
          createUsage({ inputTokens: input, cachedInputTokens: cached, cacheCreationInputTokens: written, outputTokens: maxOutput }),
          prices,
        ).costMicros!;
        expect(reservationMicros(prices, bytes, maxOutput, 8192, 0)).toBeGreaterThanOrEqual(actual);
      }),
      { numRuns: 300 },
    );
  });
});

describe('settledUsage', () => {
  it('keeps complete usage as reported', () => {
    const meter = createOpenAIChatMeter();
    meter.push({
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    });
    expect(settledUsage(meter, 100)).toEqual({ usage: createUsage({ inputTokens: 5, outputTokens: 2 }), estimated: false });
  });

  it('estimates a cut OpenAI stream from the bytes sent and the characters seen, never zero', () => {
    const meter = createOpenAIChatMeter();
    meter.push({
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: { content: 'x'.repeat(41) }, finish_reason: null }],
    });
    expect(settledUsage(meter, 30)).toEqual({ usage: createUsage({ inputTokens: 30, outputTokens: 11 }), estimated: true });
  });

  it('keeps the exact input of a cut Anthropic stream (message_start reports it)', () => {
    const meter = createAnthropicMeter();
    meter.push({
      type: 'message_start',
      message: {
        id: 'm',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 7, output_tokens: 1, cache_read_input_tokens: 100 },
      },
    });
    meter.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'abcdefgh' } });
    expect(settledUsage(meter, 5000)).toEqual({
      usage: createUsage({ inputTokens: 107, cachedInputTokens: 100, outputTokens: 2 }),
      estimated: true,
    });
  });
});
