/**
 * The installed model providers, collected from the plugins' contributions.
 *
 * @module
 */

import { findModelProviderProblems, PreloopError, type ModelProvider, type PreloopPlugin } from '@preloop/core';

/** The providers by id. */
export type ProviderRegistry = ReadonlyMap<string, ModelProvider>;

/**
 * Collects the model providers contributed by `plugins` (plus `extra`). The
 * kernel checked each contribution against the contract at start-up; a
 * provider in `extra` that does not implement it, or two providers with one
 * id, are configuration errors.
 *
 * @example
 * ```ts
 * const providers = collectProviders(preloop.plugins);
 * providers.get('openai')?.wireFormat; // 'openai'
 * ```
 */
export function collectProviders(plugins: readonly PreloopPlugin[], extra: readonly ModelProvider[] = []): ProviderRegistry {
  const registry = new Map<string, ModelProvider>();
  const add = (candidate: ModelProvider, owner: string) => {
    const problems = findModelProviderProblems(candidate);
    if (problems.length > 0) {
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        `${owner}: a model provider that does not implement contract version 1: ${problems.join('; ')}.`,
      );
    }
    if (registry.has(candidate.id)) {
      throw new PreloopError('CONFIGURATION_ERROR', `plugins: two model providers have the id "${candidate.id}"; give one another id.`);
    }
    registry.set(candidate.id, candidate);
  };
  for (const plugin of plugins)
    for (const candidate of plugin.contributions?.modelProviders ?? []) add(candidate, `plugins: "${plugin.id}"`);
  for (const candidate of extra) add(candidate, 'gateway options');
  return registry;
}

/** Throws a 400 naming the installed providers when `id` is not one of them. */
export function requireProvider(providers: ProviderRegistry, id: string): ModelProvider {
  const provider = providers.get(id);
  if (provider) return provider;
  const known = [...providers.keys()];
  throw new PreloopError(
    'VALIDATION_ERROR',
    `provider: no model provider "${id}" is installed${known.length ? ` (installed: ${known.join(', ')})` : '; install one, for example openai() or anthropic()'}.`,
    { details: { issues: [{ path: 'provider', message: `unknown provider "${id}"` }] } },
  );
}
