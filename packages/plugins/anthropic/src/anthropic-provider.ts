import { joinUrl, type ModelProvider } from '@preloop/core';

/** Options of {@link anthropicProvider} and of the `anthropic()` plugin. */
export interface AnthropicProviderOptions {
  /** The provider id that model aliases name. @default 'anthropic' */
  id?: string;
  /** The API host, without `/v1`, used when an alias sets none. @default 'https://api.anthropic.com' */
  baseUrl?: string;
  /**
   * The `anthropic-version` sent when the client sent none (requests
   * translated from the OpenAI formats). A client's own version is passed on.
   * @default '2023-06-01'
   */
  version?: string;
  /**
   * How the credential is sent: `x-api-key` (API keys) or `bearer`
   * (`Authorization: Bearer`, for OAuth tokens and some proxies).
   * @default 'x-api-key'
   */
  authScheme?: 'x-api-key' | 'bearer';
  /** Beta flags always sent in `anthropic-beta`, merged with the client's. @default [] */
  betas?: string[];
}

/** The default base URL of the Anthropic API. */
export const anthropicDefaultBaseUrl = 'https://api.anthropic.com';

/** The `anthropic-version` sent when the client sends none. */
export const anthropicDefaultVersion = '2023-06-01';

/**
 * The model provider for the Anthropic Messages API: `x-api-key` (or bearer)
 * authentication, `anthropic-version`, and the client's `anthropic-beta`
 * flags passed on (Claude Code relies on them), merged with configured ones.
 *
 * @example
 * ```ts
 * const provider = anthropicProvider();
 * provider.buildRequest({ path: '/v1/messages', baseUrl: provider.defaultBaseUrl, credential: 'sk-ant-…', headers: {} });
 * // { url: 'https://api.anthropic.com/v1/messages', headers: { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-…' } }
 * ```
 */
export function anthropicProvider(options: AnthropicProviderOptions = {}): ModelProvider {
  const baseUrl = (options.baseUrl ?? anthropicDefaultBaseUrl).replace(/\/+$/, '');
  const version = options.version ?? anthropicDefaultVersion;
  const bearer = options.authScheme === 'bearer';
  const betas = options.betas ?? [];
  return {
    id: options.id ?? 'anthropic',
    version: 1,
    wireFormat: 'anthropic',
    defaultBaseUrl: baseUrl,
    buildRequest({ path, baseUrl: base, credential, headers }) {
      const out: Record<string, string> = { 'anthropic-version': headers['anthropic-version'] || version };
      const flags = [...betas];
      for (const flag of (headers['anthropic-beta'] ?? '').split(',')) {
        const trimmed = flag.trim();
        if (trimmed && !flags.includes(trimmed)) flags.push(trimmed);
      }
      if (flags.length > 0) out['anthropic-beta'] = flags.join(',');
      if (credential) {
        if (bearer) out.authorization = `Bearer ${credential}`;
        else out['x-api-key'] = credential;
      }
      return { url: joinUrl(base, path), headers: out };
    },
  };
}
