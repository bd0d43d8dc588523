/**
 * The price of a model, in USD per million tokens, and its validation schema.
 *
 * @module
 */

import { z } from 'zod';

/** Prices that apply above a prompt-size threshold (long-context pricing). */
export interface LongContextPrices {
  /** The tiered prices apply when a call's `inputTokens` exceed this many tokens. */
  thresholdInputTokens: number;
  /** USD per million uncached input tokens above the threshold. */
  input: number;
  /** USD per million output tokens above the threshold. */
  output: number;
  /** USD per million cache-read input tokens above the threshold. @default the tier's `input` */
  cachedInput?: number;
  /** USD per million cache-write input tokens above the threshold. @default the tier's `input` */
  cacheWriteInput?: number;
}

/** What one model costs, in USD per million tokens. */
export interface ModelPrices {
  /** USD per million uncached input tokens. */
  input: number;
  /** USD per million output tokens (reasoning tokens included). */
  output: number;
  /** USD per million input tokens read from the prompt cache. @default `input` (no discount) */
  cachedInput?: number;
  /**
   * USD per million input tokens written to the prompt cache (Anthropic's
   * 5-minute cache write price). @default `input` (no surcharge)
   */
  cacheWriteInput?: number;
  /** Long-context tier, when the model has one. @default none */
  longContext?: LongContextPrices;
}

const usdPerMillion = z.number().finite().min(0, 'must be 0 or more (USD per million tokens)');

/**
 * Zod schema of {@link ModelPrices}, for validating configured prices.
 *
 * @example
 * ```ts
 * const prices = modelPricesSchema.parse({ input: 3, output: 15, cachedInput: 0.3 });
 * ```
 */
export const modelPricesSchema = z.strictObject({
  input: usdPerMillion,
  output: usdPerMillion,
  cachedInput: usdPerMillion.optional(),
  cacheWriteInput: usdPerMillion.optional(),
  longContext: z
    .strictObject({
      thresholdInputTokens: z.number().int().nonnegative(),
      input: usdPerMillion,
      output: usdPerMillion,
      cachedInput: usdPerMillion.optional(),
      cacheWriteInput: usdPerMillion.optional(),
    })
    .optional(),
}) satisfies z.ZodType<ModelPrices>;
