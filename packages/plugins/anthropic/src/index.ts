/**
 * `@preloop/plugin-anthropic`: the model provider for the Anthropic Messages
 * API, for `@preloop/gateway`.
 *
 * @packageDocumentation
 */
export { anthropic } from './anthropic-plugin.js';
export { anthropicDefaultBaseUrl, anthropicDefaultVersion, anthropicProvider } from './anthropic-provider.js';
export type { AnthropicProviderOptions } from './anthropic-provider.js';
