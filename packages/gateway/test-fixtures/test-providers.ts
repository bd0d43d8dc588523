/**
 * Minimal model providers for the gateway's own unit tests (the real ones live
 * in the provider plugin packages, which the gateway does not import).
 */

import { joinUrl, type ModelProvider } from '@preloop/core';

/** An OpenAI-format provider: bearer authentication. */
export const openAIProviderForTests: ModelProvider = {
  id: 'openai',
  version: 1,
  wireFormat: 'openai',
  defaultBaseUrl: 'https://api.openai.com/v1',
  buildRequest: ({ path, baseUrl, credential }) => ({
    url: joinUrl(baseUrl, path),
    headers: credential ? { authorization: `Bearer ${credential}` } : ({} as Record<string, string>),
  }),
};

/** An Anthropic-format provider: `x-api-key` and a version. */
export const anthropicProviderForTests: ModelProvider = {
  id: 'anthropic',
  version: 1,
  wireFormat: 'anthropic',
  defaultBaseUrl: 'https://api.anthropic.com',
  buildRequest: ({ path, baseUrl, credential, headers }) => ({
    url: joinUrl(baseUrl, path),
    headers: { 'anthropic-version': headers['anthropic-version'] ?? '2023-06-01', ...(credential ? { 'x-api-key': credential } : {}) },
  }),
};
