import { definePlugin, type PreloopPlugin } from '@preloop/core';
import { geminiProvider, type GeminiProviderOptions } from './gemini-provider.js';

/**
 * The Gemini model provider plugin. Install it with the gateway; model
 * aliases then name it by its id (`gemini` unless given).
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({ database: 'sqlite:./preloop.db', plugins: [gateway(), gemini()] });
 * ```
 */
export function gemini(options: GeminiProviderOptions = {}): PreloopPlugin {
  const provider = geminiProvider(options);
  return definePlugin({
    id: provider.id,
    contributions: { modelProviders: [provider] },
  }) satisfies PreloopPlugin;
}
