import { describe, expect, it } from 'vitest';
import { isModelProvider, joinUrl, type ModelProvider, type ModelProviderRequestInput } from '../contracts/model-provider.js';

/** Options of {@link modelProviderConformance}. */
export interface ModelProviderConformanceOptions {
  /** The credential used by the checks (a canary: it must only ever appear in a header). @default 'sk-conformance-canary-0123456789abcdef' */
  credential?: string;
  /** A base URL other than the default, as an alias would set it. @default 'http://127.0.0.1:8080/custom/v1' */
  customBaseUrl?: string;
}

/** The operation paths of each wire format that the gateway calls. */
export const modelProviderPaths = {
  openai: ['/chat/completions', '/responses', '/embeddings', '/models'],
  anthropic: ['/v1/messages', '/v1/messages/count_tokens', '/v1/models'],
  gemini: [
    '/models/gemini-2.5-flash:generateContent',
    '/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    '/models/gemini-2.5-flash:countTokens',
    '/models',
  ],
} as const;

const forbiddenHeaders = ['host', 'content-length', 'cookie', 'connection', 'transfer-encoding'];

/**
 * The shared conformance suite of the model provider contract (version 1).
 * Call it at the top level of a provider's test file; it declares its own
 * `describe`/`it` blocks (vitest). It checks the contract shape, URLs under
 * default and custom base URLs for every operation of the wire format, that
 * the credential travels only in a header (never in the URL) and is absent
 * when null, header hygiene, and purity.
 *
 * @example
 * ```ts
 * import { modelProviderConformance } from '@preloop/core/testing';
 * import { openAIProvider } from './openai-provider.js';
 *
 * modelProviderConformance(openAIProvider());
 * ```
 */
export function modelProviderConformance(provider: ModelProvider, options: ModelProviderConformanceOptions = {}): void {
  const credential = options.credential ?? 'sk-conformance-canary-0123456789abcdef';
  const customBaseUrl = options.customBaseUrl ?? 'http://127.0.0.1:8080/custom/v1';
  const input = (overrides: Partial<ModelProviderRequestInput> = {}): ModelProviderRequestInput => ({
    path: modelProviderPaths[provider.wireFormat]?.[0] ?? '/',
    baseUrl: provider.defaultBaseUrl,
    credential,
    headers: {},
    ...overrides,
  });

  describe(`model provider "${String(provider?.id)}" conforms to contract version 1`, () => {
    it('has the contract shape', () => {
      expect(isModelProvider(provider)).toBe(true);
      expect(provider.id).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
    });

    it('has an absolute http(s) default base URL without a trailing slash', () => {
      const url = new URL(provider.defaultBaseUrl);
      expect(['http:', 'https:']).toContain(url.protocol);
      expect(provider.defaultBaseUrl.endsWith('/')).toBe(false);
    });

    it('addresses every operation of its wire format under the default and a custom base URL', () => {
      for (const baseUrl of [provider.defaultBaseUrl, customBaseUrl]) {
        for (const path of modelProviderPaths[provider.wireFormat]) {
          const { url } = provider.buildRequest(input({ path, baseUrl }));
          expect(new URL(url).toString()).toBe(new URL(joinUrl(baseUrl, path)).toString());
        }
      }
    });

    it('sends the credential in a header and never in the URL', () => {
      const request = provider.buildRequest(input());
      expect(request.url).not.toContain(credential);
      expect(Object.values(request.headers).some((value) => value.includes(credential))).toBe(true);
    });

    it('sends no credential when there is none (a keyless local server)', () => {
      const request = provider.buildRequest(input({ credential: null }));
      for (const [name, value] of Object.entries(request.headers)) {
        expect(['authorization', 'x-api-key', 'api-key', 'x-goog-api-key']).not.toContain(name);
        expect(value).not.toContain(credential);
      }
    });

    it('writes lower-case header names and single-line values, and no transport headers', () => {
      const request = provider.buildRequest(
        input({ headers: { 'anthropic-beta': 'beta-1', 'openai-beta': 'beta-2', 'anthropic-version': '2023-06-01' } }),
      );
      for (const [name, value] of Object.entries(request.headers)) {
        expect(name).toBe(name.toLowerCase());
        expect(typeof value).toBe('string');
        expect(value).not.toMatch(/[\r\n]/);
        expect(forbiddenHeaders).not.toContain(name);
      }
    });

    it('is pure: the same input gives the same request, and the input is left unchanged', () => {
      const headers = Object.freeze({ 'anthropic-beta': 'beta-1' });
      const first = input({ headers });
      const snapshot = structuredClone(first);
      const a = provider.buildRequest(first);
      const b = provider.buildRequest(first);
      expect(a).toEqual(b);
      expect(first).toEqual(snapshot);
    });
  });
}
