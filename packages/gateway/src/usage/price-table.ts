/**
 * The default price table: list prices (standard tier, no batch discount) of
 * common OpenAI and Anthropic models, in USD per million tokens. It is a
 * fallback; prices configured on a model alias take precedence. Models that
 * are not listed, including any model released after
 * {@link defaultPriceTableAsOf}, are *unpriced* rather than free.
 *
 * Lookups are by exact model id. Dated snapshots are listed one by one,
 * because a snapshot can be priced differently from its alias
 * (`gpt-4o-2024-05-13` costs twice `gpt-4o`).
 *
 * Known simplifications: Anthropic 1-hour cache writes (2× input) are charged
 * at the 5-minute write price (1.25× input), because the usage counters do not
 * split them; regional, priority and batch pricing are not modelled.
 *
 * @module
 */

import type { ModelPrices } from './model-prices.js';

/** The date the default price table was last checked against the providers' list prices. */
export const defaultPriceTableAsOf = '2025-11-30';

type PriceEntry = readonly [ids: readonly string[], prices: ModelPrices];

const anthropicSonnetLongContext = {
  thresholdInputTokens: 200_000,
  input: 6,
  output: 22.5,
  cachedInput: 0.6,
  cacheWriteInput: 7.5,
} as const;

const entries: readonly PriceEntry[] = [
  // OpenAI: GPT-5 family.
  [['gpt-5.1', 'gpt-5.1-2025-11-13', 'gpt-5.1-chat-latest'], { input: 1.25, cachedInput: 0.125, output: 10 }],
  [['gpt-5', 'gpt-5-2025-08-07', 'gpt-5-chat-latest'], { input: 1.25, cachedInput: 0.125, output: 10 }],
  [['gpt-5-mini', 'gpt-5-mini-2025-08-07'], { input: 0.25, cachedInput: 0.025, output: 2 }],
  [['gpt-5-nano', 'gpt-5-nano-2025-08-07'], { input: 0.05, cachedInput: 0.005, output: 0.4 }],
  // OpenAI: GPT-4.1 family.
  [['gpt-4.1', 'gpt-4.1-2025-04-14'], { input: 2, cachedInput: 0.5, output: 8 }],
  [['gpt-4.1-mini', 'gpt-4.1-mini-2025-04-14'], { input: 0.4, cachedInput: 0.1, output: 1.6 }],
  [['gpt-4.1-nano', 'gpt-4.1-nano-2025-04-14'], { input: 0.1, cachedInput: 0.025, output: 0.4 }],
  // OpenAI: GPT-4o family.
  [['gpt-4o', 'gpt-4o-2024-08-06', 'gpt-4o-2024-11-20'], { input: 2.5, cachedInput: 1.25, output: 10 }],
  [['gpt-4o-2024-05-13'], { input: 5, output: 15 }],
  [['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'], { input: 0.15, cachedInput: 0.075, output: 0.6 }],
  // OpenAI: reasoning models.
  [['o3', 'o3-2025-04-16'], { input: 2, cachedInput: 0.5, output: 8 }],
  [['o4-mini', 'o4-mini-2025-04-16'], { input: 1.1, cachedInput: 0.275, output: 4.4 }],
  [['o3-mini', 'o3-mini-2025-01-31'], { input: 1.1, cachedInput: 0.55, output: 4.4 }],
  [['o1', 'o1-2024-12-17'], { input: 15, cachedInput: 7.5, output: 60 }],
  // OpenAI: embeddings (input only).
  [['text-embedding-3-small'], { input: 0.02, output: 0 }],
  [['text-embedding-3-large'], { input: 0.13, output: 0 }],
  [['text-embedding-ada-002'], { input: 0.1, output: 0 }],
  // Anthropic: Claude 4.x.
  [['claude-opus-4-5', 'claude-opus-4-5-20251101'], { input: 5, cacheWriteInput: 6.25, cachedInput: 0.5, output: 25 }],
  [
    ['claude-opus-4-1', 'claude-opus-4-1-20250805', 'claude-opus-4-0', 'claude-opus-4-20250514'],
    { input: 15, cacheWriteInput: 18.75, cachedInput: 1.5, output: 75 },
  ],
  [
    ['claude-sonnet-4-5', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-0', 'claude-sonnet-4-20250514'],
    { input: 3, cacheWriteInput: 3.75, cachedInput: 0.3, output: 15, longContext: anthropicSonnetLongContext },
  ],
  [['claude-haiku-4-5', 'claude-haiku-4-5-20251001'], { input: 1, cacheWriteInput: 1.25, cachedInput: 0.1, output: 5 }],
  // Anthropic: Claude 3.x.
  [['claude-3-7-sonnet-20250219', 'claude-3-7-sonnet-latest'], { input: 3, cacheWriteInput: 3.75, cachedInput: 0.3, output: 15 }],
  [
    ['claude-3-5-sonnet-20241022', 'claude-3-5-sonnet-20240620', 'claude-3-5-sonnet-latest'],
    { input: 3, cacheWriteInput: 3.75, cachedInput: 0.3, output: 15 },
  ],
  [['claude-3-5-haiku-20241022', 'claude-3-5-haiku-latest'], { input: 0.8, cacheWriteInput: 1, cachedInput: 0.08, output: 4 }],
  [['claude-3-haiku-20240307'], { input: 0.25, cacheWriteInput: 0.3, cachedInput: 0.03, output: 1.25 }],
];

/**
 * The default price table, keyed by exact model id (aliases and dated
 * snapshots each have their own key). As of {@link defaultPriceTableAsOf}.
 */
export const defaultPriceTable: Readonly<Record<string, Readonly<ModelPrices>>> = Object.freeze(
  Object.fromEntries(
    entries.flatMap(([ids, prices]) => {
      const frozen = Object.freeze({ ...prices });
      return ids.map((id) => [id, frozen] as const);
    }),
  ),
);

/**
 * Looks up a model's prices by exact id; null when the model is unpriced.
 *
 * @example
 * ```ts
 * findModelPrices('gpt-4o-mini'); // { input: 0.15, cachedInput: 0.075, output: 0.6 }
 * findModelPrices('my-fine-tune'); // null
 * ```
 */
export function findModelPrices(
  model: string,
  table: Readonly<Record<string, Readonly<ModelPrices>>> = defaultPriceTable,
): Readonly<ModelPrices> | null {
  return Object.hasOwn(table, model) ? (table[model] ?? null) : null;
}
