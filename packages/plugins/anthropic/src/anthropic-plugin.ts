import { definePlugin, type PreloopPlugin } from '@preloop/core';
import { anthropicProvider, type AnthropicProviderOptions } from './anthropic-provider.js';

/**
 * The Anthropic model provider plugin. Install it with the gateway; model
 * aliases then name it by its id (`anthropic` unless given).
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({ database: 'sqlite:./preloop.db', plugins: [gateway(), anthropic()] });
 * ```
 */
export function anthropic(options: AnthropicProviderOptions = {}): PreloopPlugin {
  const provider = anthropicProvider(options);
  return definePlugin({
    id: provider.id,
    contributions: { modelProviders: [provider] },
  }) satisfies PreloopPlugin;
}
