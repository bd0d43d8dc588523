import { describe, expect, it } from 'vitest';
import { modelProviderConformance } from '@preloop/core/testing';
import { anthropic } from './anthropic-plugin.js';
import { anthropicProvider } from './anthropic-provider.js';

modelProviderConformance(anthropicProvider());
modelProviderConformance(anthropicProvider({ authScheme: 'bearer', betas: ['prompt-caching-2024-07-31'] }));

describe('anthropicProvider', () => {
  it('sends x-api-key and a default version, and merges beta flags without duplicates', () => {
    const provider = anthropicProvider({ betas: ['a'] });
    const request = provider.buildRequest({
      path: '/v1/messages',
      baseUrl: 'http://127.0.0.1:9000/',
      credential: 'sk-ant-test',
      headers: { 'anthropic-beta': 'b, a ,c' },
    });
    expect(request).toEqual({
      url: 'http://127.0.0.1:9000/v1/messages',
      headers: { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'a,b,c', 'x-api-key': 'sk-ant-test' },
    });
  });

  it("passes the client's anthropic-version on and can authenticate with a bearer token", () => {
    const provider = anthropicProvider({ authScheme: 'bearer' });
    const request = provider.buildRequest({
      path: '/v1/messages/count_tokens',
      baseUrl: provider.defaultBaseUrl,
      credential: 'oauth-token',
      headers: { 'anthropic-version': '2026-10-21' },
    });
    expect(request.headers).toEqual({ 'anthropic-version': '2026-10-21', authorization: 'Bearer oauth-token' });
  });

  it('is contributed by the anthropic() plugin under its id', () => {
    expect(anthropic().id).toBe('anthropic');
    expect(anthropic().contributions?.modelProviders).toHaveLength(1);
  });
});
