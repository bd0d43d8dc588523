/**
 * `@preloop/plugin-openai`: the model provider for OpenAI and OpenAI-compatible
 * servers (vLLM, Ollama, OpenRouter…), for `@preloop/gateway`.
 *
 * @packageDocumentation
 */
export { openai } from './openai-plugin.js';
export { openAIDefaultBaseUrl, openAIProvider } from './openai-provider.js';
export type { OpenAIProviderOptions } from './openai-provider.js';
