/**
 * Cost of a call in integer micro-dollars from its usage and the model's
 * prices. A call whose prices are unknown is *unpriced* (`costMicros: null`),
 * never free.
 *
 * @module
 */

import { PreloopError } from '@preloop/core';
import type { ModelPrices } from './model-prices.js';
import type { Usage } from './usage.js';

/** The cost of one call. */
export interface Cost {
  /** Cost in micro-dollars (1 USD = 1,000,000), or null when the model is unpriced. */
  costMicros: number | null;
  /** False when no prices were known for the model. */
  priced: boolean;
}

const microsPerUsd = 1_000_000;

/** Price in micro-dollars per million tokens, as an exact integer. */
function microsPerMillion(usdPerMillion: number, field: string): bigint {
  if (!Number.isFinite(usdPerMillion) || usdPerMillion < 0) {
    throw new PreloopError('VALIDATION_ERROR', `Model price "${field}" must be a non-negative number of USD per million tokens.`, {
      details: { field, value: usdPerMillion },
    });
  }
  return BigInt(Math.round(usdPerMillion * microsPerUsd));
}

/** A token counter as an exact integer. */
function tokens(count: number, field: string): bigint {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new PreloopError('VALIDATION_ERROR', `Usage "${field}" must be a non-negative integer.`, {
      details: { field, value: count },
    });
  }
  return BigInt(count);
}

/**
 * Computes the cost of a call. Uncached input, cache reads, cache writes and
 * output are each charged at their price (a missing cache price falls back to
 * the input price); above a long-context threshold the whole call is charged
 * at the long-context tier. The total is computed exactly and rounded *up* to
 * the next micro-dollar, so budgets never under-count.
 *
 * @example
 * ```ts
 * computeCost(createUsage({ inputTokens: 1_000_000, outputTokens: 0 }), { input: 2.5, output: 10 });
 * // { costMicros: 2_500_000, priced: true }
 * computeCost(usage, null); // { costMicros: null, priced: false }
 * ```
 */
export function computeCost(usage: Usage, prices: ModelPrices | null | undefined): Cost {
  if (!prices) return { costMicros: null, priced: false };
  const tier = prices.longContext && usage.inputTokens > prices.longContext.thresholdInputTokens ? prices.longContext : prices;
  const input = microsPerMillion(tier.input, 'input');
  const output = microsPerMillion(tier.output, 'output');
  const cachedInput = tier.cachedInput === undefined ? input : microsPerMillion(tier.cachedInput, 'cachedInput');
  const cacheWrite = tier.cacheWriteInput === undefined ? input : microsPerMillion(tier.cacheWriteInput, 'cacheWriteInput');

  const cached = tokens(usage.cachedInputTokens, 'cachedInputTokens');
  const written = tokens(usage.cacheCreationInputTokens, 'cacheCreationInputTokens');
  const uncached = tokens(usage.inputTokens, 'inputTokens') - cached - written;
  const total =
    (uncached > 0n ? uncached : 0n) * input +
    cached * cachedInput +
    written * cacheWrite +
    tokens(usage.outputTokens, 'outputTokens') * output;
  const million = BigInt(microsPerUsd);
  const costMicros = (total + million - 1n) / million;
  return { costMicros: Number(costMicros), priced: true };
}
