/**
 * `@preloop/plugin-gemini`: the model provider for Google's Gemini API, for
 * `@preloop/gateway`.
 *
 * @packageDocumentation
 */
export { gemini } from './gemini-plugin.js';
export { geminiDefaultBaseUrl, geminiProvider } from './gemini-provider.js';
export type { GeminiProviderOptions } from './gemini-provider.js';
