import { definePlugin, type PreloopPlugin } from '@preloop/core';
import { openAIProvider, type OpenAIProviderOptions } from './openai-provider.js';

/**
 * The OpenAI model provider plugin. Install it with the gateway; model aliases
 * then name it by its id (`openai` unless given). Install it once per
 * OpenAI-compatible server with distinct ids.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({
 *   database: 'sqlite:./preloop.db',
 *   plugins: [gateway(), openai(), openai({ id: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' })],
 * });
 * ```
 */
export function openai(options: OpenAIProviderOptions = {}): PreloopPlugin {
  const provider = openAIProvider(options);
  return definePlugin({
    id: provider.id,
    contributions: { modelProviders: [provider] },
  }) satisfies PreloopPlugin;
}
