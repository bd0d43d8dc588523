import { describe, expect, it } from 'vitest';
import { modelProviderConformance } from '@preloop/core/testing';
import { gemini } from './gemini-plugin.js';
import { geminiProvider } from './gemini-provider.js';

modelProviderConformance(geminiProvider());
modelProviderConformance(geminiProvider({ authScheme: 'bearer' }));

describe('geminiProvider', () => {
  it('sends the key in x-goog-api-key, never in the URL, with its static headers', () => {
    const provider = geminiProvider({ headers: { 'X-Goog-User-Project': 'p1' } });
    const request = provider.buildRequest({
      path: '/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      baseUrl: 'http://127.0.0.1:9000/v1beta/',
      credential: 'AIza-test-key',
      headers: { 'anthropic-beta': 'ignored' },
    });
    expect(request).toEqual({
      url: 'http://127.0.0.1:9000/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      headers: { 'x-goog-user-project': 'p1', 'x-goog-api-key': 'AIza-test-key' },
    });
  });

  it('can authenticate with a bearer token, and defaults to the Gemini API', () => {
    const provider = geminiProvider({ authScheme: 'bearer' });
    expect(provider.defaultBaseUrl).toBe('https://generativelanguage.googleapis.com/v1beta');
    expect(provider.wireFormat).toBe('gemini');
    const request = provider.buildRequest({ path: '/models', baseUrl: provider.defaultBaseUrl, credential: 'ya29.token', headers: {} });
    expect(request.headers).toEqual({ authorization: 'Bearer ya29.token' });
  });

  it('is contributed by the gemini() plugin under its id', () => {
    expect(gemini().id).toBe('gemini');
    expect(gemini({ id: 'vertex' }).contributions?.modelProviders?.[0]?.id).toBe('vertex');
  });
});
