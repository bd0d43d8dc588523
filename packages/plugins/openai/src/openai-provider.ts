import { joinUrl, type ModelProvider } from '@preloop/core';

/** Options of {@link openAIProvider} and of the `openai()` plugin. */
export interface OpenAIProviderOptions {
  /**
   * The provider id that model aliases name. Give each OpenAI-compatible
   * server its own (`ollama`, `vllm`, `openrouter`). @default 'openai'
   */
  id?: string;
  /**
   * The base URL, ending in the API version (`/v1`), used when an alias sets
   * none. @default 'https://api.openai.com/v1'
   */
  baseUrl?: string;
  /** Sent as `openai-organization`. @default none */
  organization?: string;
  /** Sent as `openai-project`. @default none */
  project?: string;
  /**
   * Extra static headers for every request, for example OpenRouter's
   * `http-referer` and `x-title`. Names are lower-cased; never put a
   * credential here (use the alias's secret). @default {}
   */
  headers?: Record<string, string>;
}

/** The default base URL of the OpenAI API. */
export const openAIDefaultBaseUrl = 'https://api.openai.com/v1';

/**
 * The model provider for OpenAI and any server speaking its wire format
 * (vLLM, Ollama, LM Studio, OpenRouter, Azure OpenAI's v1 API): `Bearer`
 * authentication, optional organization and project headers, and the client's
 * `openai-beta` header passed on.
 *
 * @example
 * ```ts
 * const ollama = openAIProvider({ id: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' });
 * ollama.buildRequest({ path: '/chat/completions', baseUrl: ollama.defaultBaseUrl, credential: null, headers: {} });
 * // { url: 'http://127.0.0.1:11434/v1/chat/completions', headers: {} }
 * ```
 */
export function openAIProvider(options: OpenAIProviderOptions = {}): ModelProvider {
  const baseUrl = (options.baseUrl ?? openAIDefaultBaseUrl).replace(/\/+$/, '');
  const fixed: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) fixed[name.toLowerCase()] = value;
  if (options.organization) fixed['openai-organization'] = options.organization;
  if (options.project) fixed['openai-project'] = options.project;
  return {
    id: options.id ?? 'openai',
    version: 1,
    wireFormat: 'openai',
    defaultBaseUrl: baseUrl,
    buildRequest({ path, baseUrl: base, credential, headers }) {
      // Object.assign, not `{ ...fixed }` then new keys: that is a slow path in V8.
      const out: Record<string, string> = Object.assign({}, fixed);
      if (headers['openai-beta']) out['openai-beta'] = headers['openai-beta'];
      if (credential) out.authorization = `Bearer ${credential}`;
      return { url: joinUrl(base, path), headers: out };
    },
  };
}
