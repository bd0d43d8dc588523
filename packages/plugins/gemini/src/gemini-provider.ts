import { joinUrl, type ModelProvider } from '@preloop/core';

/** Options of {@link geminiProvider} and of the `gemini()` plugin. */
export interface GeminiProviderOptions {
  /** The provider id that model aliases name. @default 'gemini' */
  id?: string;
  /**
   * The base URL, ending in the API version, used when an alias sets none.
   * @default 'https://generativelanguage.googleapis.com/v1beta'
   */
  baseUrl?: string;
  /**
   * How the credential is sent: `x-goog-api-key` (Gemini API keys) or
   * `bearer` (`Authorization: Bearer`, for OAuth access tokens and proxies).
   * Never in the URL's `?key=`: URLs end up in logs.
   * @default 'x-goog-api-key'
   */
  authScheme?: 'x-goog-api-key' | 'bearer';
  /**
   * Extra static headers for every request. Names are lower-cased; never put
   * a credential here (use the alias's secret). @default {}
   */
  headers?: Record<string, string>;
}

/** The default base URL of the Gemini API (Google AI Studio). */
export const geminiDefaultBaseUrl = 'https://generativelanguage.googleapis.com/v1beta';

/**
 * The model provider for Google's Gemini API (`generateContent`,
 * `streamGenerateContent?alt=sse`, `countTokens`): `x-goog-api-key` (or
 * bearer) authentication. The gateway sends Gemini-format requests to it
 * unchanged on its Gemini ingress (`/gemini/v1beta`), and translates the
 * OpenAI and Anthropic ingresses' requests to it.
 *
 * @example
 * ```ts
 * const provider = geminiProvider();
 * provider.buildRequest({ path: '/models/gemini-2.5-flash:generateContent', baseUrl: provider.defaultBaseUrl, credential: 'AIza…', headers: {} });
 * // { url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent', headers: { 'x-goog-api-key': 'AIza…' } }
 * ```
 */
export function geminiProvider(options: GeminiProviderOptions = {}): ModelProvider {
  const baseUrl = (options.baseUrl ?? geminiDefaultBaseUrl).replace(/\/+$/, '');
  const bearer = options.authScheme === 'bearer';
  const fixed: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) fixed[name.toLowerCase()] = value;
  return {
    id: options.id ?? 'gemini',
    version: 1,
    wireFormat: 'gemini',
    defaultBaseUrl: baseUrl,
    buildRequest({ path, baseUrl: base, credential }) {
      const out: Record<string, string> = Object.assign({}, fixed);
      if (credential) {
        if (bearer) out.authorization = `Bearer ${credential}`;
        else out['x-goog-api-key'] = credential;
      }
      return { url: joinUrl(base, path), headers: out };
    },
  };
}
