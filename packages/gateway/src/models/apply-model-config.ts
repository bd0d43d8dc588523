/**
 * Applying the `models` section of the reference server's config file.
 *
 * @module
 */

import { isPreloopError, PreloopError, type Preloop } from '@preloop/core';
import { modelPricesSchema, type ModelPrices } from '../usage/model-prices.js';
import { managedSecretName, type ModelAlias, type ModelAliasUpdate } from './model-alias.js';

/** A model alias as the config file declares it. */
export interface ModelConfigEntry {
  alias: string;
  /** The provider plugin id. */
  provider: string;
  /** The upstream model id. */
  model: string;
  baseUrl?: string;
  /** Stored encrypted in the secret store. */
  apiKey?: string;
  /**
   * USD per million tokens, in the admin API's vocabulary (`input`, `output`,
   * `cachedInput`, `cacheWriteInput`, `longContext`). `cached` is the
   * deprecated name of `cachedInput`: still read, with a warning in the log.
   */
  prices?: ModelPrices & { /** @deprecated use `cachedInput` */ cached?: number };
  fallback?: string;
}

const configActor = { type: 'system' as const, name: 'PRELOOP_CONFIG' };

function pricesOf(preloop: Preloop, entry: ModelConfigEntry): ModelPrices | null {
  if (!entry.prices) return null;
  const { cached, ...prices } = entry.prices;
  if (cached === undefined) return prices;
  if (prices.cachedInput !== undefined) {
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      `models: alias "${entry.alias}": prices.cached is the deprecated name of prices.cachedInput; give cachedInput only.`,
    );
  }
  preloop.logger.warn(
    `models: alias "${entry.alias}": prices.cached is deprecated; rename it prices.cachedInput (the admin API's name). It is read as cachedInput for now.`,
    { alias: entry.alias },
  );
  return { ...prices, cachedInput: cached };
}

/** Prices as comparable text, whatever the key order they were written in. */
function canonicalPrices(prices: ModelPrices | null): string {
  if (prices === null) return 'null';
  const parsed = modelPricesSchema.safeParse(prices);
  return JSON.stringify(parsed.success ? parsed.data : prices);
}

async function storedKey(preloop: Preloop, accountId: string, alias: ModelAlias): Promise<string | null> {
  if (alias.credentialSecret !== managedSecretName(alias.alias)) return null;
  try {
    return await preloop.secrets.get(accountId, alias.credentialSecret);
  } catch {
    return null;
  }
}

/**
 * Creates or updates the aliases named in the config file, idempotently: an
 * alias that already matches (credential included) is left untouched, and
 * aliases the file does not name are kept. Returns what changed, for the
 * start-up log. An unknown provider is a `CONFIGURATION_ERROR` naming the alias.
 *
 * @example
 * ```ts
 * const changes = await applyModelConfig(preloop, config.models);
 * // ['model alias "fast" created']
 * ```
 */
export async function applyModelConfig(
  preloop: Preloop,
  models: readonly ModelConfigEntry[],
  accountId: string = preloop.accountId,
): Promise<string[]> {
  const store = preloop.service('gateway').models;
  const changes: string[] = [];
  for (const entry of models) {
    const prices = pricesOf(preloop, entry);
    try {
      let existing: ModelAlias | null = null;
      try {
        existing = await store.get(accountId, entry.alias);
      } catch (error) {
        if (!isPreloopError(error, 'NOT_FOUND')) throw error;
      }
      if (!existing) {
        await store.create(
          accountId,
          {
            alias: entry.alias,
            provider: entry.provider,
            model: entry.model,
            baseUrl: entry.baseUrl ?? null,
            apiKey: entry.apiKey,
            prices,
            fallback: entry.fallback ?? null,
          },
          configActor,
        );
        changes.push(`model alias "${entry.alias}" created`);
        continue;
      }
      const patch: ModelAliasUpdate = {};
      if (existing.provider !== entry.provider) patch.provider = entry.provider;
      if (existing.model !== entry.model) patch.model = entry.model;
      if (existing.baseUrl !== (entry.baseUrl ?? null)) patch.baseUrl = entry.baseUrl ?? null;
      if (canonicalPrices(existing.prices) !== canonicalPrices(prices)) patch.prices = prices;
      if (existing.fallback !== (entry.fallback ?? null)) patch.fallback = entry.fallback ?? null;
      if (entry.apiKey !== undefined && (await storedKey(preloop, accountId, existing)) !== entry.apiKey) patch.apiKey = entry.apiKey;
      if (Object.keys(patch).length === 0) continue;
      await store.update(accountId, entry.alias, patch, configActor);
      changes.push(
        `model alias "${entry.alias}" updated (${Object.keys(patch)
          .map((key) => (key === 'apiKey' ? 'credential' : key))
          .join(', ')})`,
      );
    } catch (error) {
      if (isPreloopError(error, 'VALIDATION_ERROR')) {
        throw new PreloopError('CONFIGURATION_ERROR', `models: alias "${entry.alias}": ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
  return changes;
}
