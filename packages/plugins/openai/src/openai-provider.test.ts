import { describe, expect, it } from 'vitest';
import { modelProviderConformance } from '@preloop/core/testing';
import { openai } from './openai-plugin.js';
import { openAIProvider } from './openai-provider.js';

modelProviderConformance(openAIProvider());
modelProviderConformance(openAIProvider({ id: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1/' }));

describe('openAIProvider', () => {
  it('authenticates with a bearer token and passes organization, project and openai-beta on', () => {
    const provider = openAIProvider({ organization: 'org-1', project: 'proj-1', headers: { 'X-Title': 'Preloop' } });
    const request = provider.buildRequest({
      path: '/responses',
      baseUrl: provider.defaultBaseUrl,
      credential: 'sk-test',
      headers: { 'openai-beta': 'assistants=v2' },
    });
    expect(request).toEqual({
      url: 'https://api.openai.com/v1/responses',
      headers: {
        authorization: 'Bearer sk-test',
        'openai-organization': 'org-1',
        'openai-project': 'proj-1',
        'openai-beta': 'assistants=v2',
        'x-title': 'Preloop',
      },
    });
  });

  it('is contributed by the openai() plugin under its id', () => {
    const plugin = openai({ id: 'vllm', baseUrl: 'http://10.0.0.5:8000/v1' });
    expect(plugin.id).toBe('vllm');
    expect(plugin.contributions?.modelProviders).toHaveLength(1);
    expect((plugin.contributions!.modelProviders![0] as { defaultBaseUrl: string }).defaultBaseUrl).toBe('http://10.0.0.5:8000/v1');
  });
});
