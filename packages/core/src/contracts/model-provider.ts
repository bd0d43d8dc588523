/**
 * The model provider contract (version 1): what a provider plugin tells the
 * model gateway about one upstream API. The contract is deliberately thin: the
 * gateway owns the wire formats, translation, streaming, usage and budgets; a
 * provider only says which wire format it speaks, where it lives, and how a
 * request to it is addressed and authenticated.
 *
 * @module
 */

import { describeValue } from './describe-value.js';

/** The version of the model provider contract described in this file. */
export const modelProviderContractVersion = 1;

/** The wire formats the gateway speaks to upstreams. */
export const modelWireFormats = ['openai', 'anthropic', 'gemini'] as const;

/**
 * A wire format: `openai` (chat completions, Responses, embeddings, with the
 * base URL ending in `/v1`), `anthropic` (Messages, with the base URL of
 * the API host and paths starting with `/v1`) or `gemini` (Google's
 * `generateContent`, with the base URL ending in the API version, `/v1beta`).
 */
export type ModelWireFormat = (typeof modelWireFormats)[number];

/** What the gateway hands to {@link ModelProvider.buildRequest}. */
export interface ModelProviderRequestInput {
  /**
   * The operation's path in the provider's wire format, with a leading slash:
   * for `openai` `/chat/completions`, `/responses`, `/embeddings`, `/models`;
   * for `anthropic` `/v1/messages`, `/v1/messages/count_tokens`, `/v1/models`;
   * for `gemini` `/models/{model}:generateContent`,
   * `/models/{model}:streamGenerateContent?alt=sse`, `/models/{model}:countTokens`.
   */
  path: string;
  /** The base URL: the model alias's, else the provider's `defaultBaseUrl`. No trailing slash. */
  baseUrl: string;
  /** The upstream credential from the secret store, or null for keyless servers (a local Ollama). */
  credential: string | null;
  /**
   * Client headers the provider may forward (only `anthropic-beta`,
   * `anthropic-version` and `openai-beta` ever appear here; never the
   * client's own credentials).
   */
  headers: Readonly<Record<string, string>>;
}

/** Where and how to send one upstream request. */
export interface ModelProviderRequest {
  /** The absolute URL. The credential must never appear in it. */
  url: string;
  /**
   * Headers that address and authenticate the request (for example
   * `authorization` or `x-api-key`, `anthropic-version`). The gateway adds
   * `content-type` and `accept` itself. Lower-case names.
   */
  headers: Record<string, string>;
}

/**
 * A model provider (contract version 1), contributed by a plugin through
 * `contributions.modelProviders`. Model aliases name it by `id`.
 */
export interface ModelProvider {
  /** Unique among installed providers, for example `openai`, `anthropic`, `gemini` or `ollama`. */
  id: string;
  /** The contract version implemented: 1. */
  version: 1;
  /** The wire format the upstream speaks. */
  wireFormat: ModelWireFormat;
  /** The base URL used when an alias sets none (for example `https://api.openai.com/v1`). */
  defaultBaseUrl: string;
  /**
   * Builds the URL and headers of one upstream request. Must be pure and
   * synchronous: the gateway calls it on every model call.
   */
  buildRequest(input: ModelProviderRequestInput): ModelProviderRequest;
}

/**
 * True when `value` implements the model provider contract (version 1).
 *
 * @example
 * ```ts
 * const providers = plugins.flatMap((plugin) => plugin.contributions?.modelProviders ?? []).filter(isModelProvider);
 * ```
 */
export function isModelProvider(value: unknown): value is ModelProvider {
  return findModelProviderProblems(value).length === 0;
}

/**
 * What keeps `value` from implementing the model provider contract (version
 * 1), one sentence per problem; empty when it is a model provider.
 *
 * @example
 * ```ts
 * findModelProviderProblems({ id: 'ollama', version: 1, wireFormat: 'ollama' });
 * // ['"wireFormat" must be "openai", "anthropic" or "gemini" (got "ollama")', '"defaultBaseUrl" must be a string…', …]
 * ```
 */
export function findModelProviderProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) {
    return [`must be an object ({ id, version: 1, wireFormat, defaultBaseUrl, buildRequest }), not ${describeValue(value)}`];
  }
  const candidate = value as Partial<Record<keyof ModelProvider, unknown>>;
  const problems: string[] = [];
  if (typeof candidate.id !== 'string' || candidate.id.length === 0)
    problems.push(`"id" must be a non-empty string (got ${describeValue(candidate.id)})`);
  if (candidate.version !== modelProviderContractVersion)
    problems.push(`"version" must be ${modelProviderContractVersion} (got ${describeValue(candidate.version)})`);
  if (typeof candidate.wireFormat !== 'string' || !(modelWireFormats as readonly string[]).includes(candidate.wireFormat)) {
    problems.push(
      `"wireFormat" must be ${modelWireFormats
        .map((format) => `"${format}"`)
        .join(', ')
        .replace(/, ([^,]+)$/, ' or $1')} (got ${describeValue(candidate.wireFormat)})`,
    );
  }
  if (typeof candidate.defaultBaseUrl !== 'string')
    problems.push(`"defaultBaseUrl" must be a string (got ${describeValue(candidate.defaultBaseUrl)})`);
  if (typeof candidate.buildRequest !== 'function') problems.push(`"buildRequest" must be a function`);
  return problems;
}

/**
 * Joins a base URL and a path with exactly one slash between them, keeping
 * the base URL's own path (`https://host/v1` + `/chat/completions`).
 *
 * @example
 * ```ts
 * joinUrl('http://localhost:11434/v1/', '/chat/completions'); // 'http://localhost:11434/v1/chat/completions'
 * ```
 */
export function joinUrl(baseUrl: string, path: string): string {
  const base = baseUrl.endsWith('/') ? baseUrl.replace(/\/+$/, '') : baseUrl;
  return path.startsWith('/') ? base + path : `${base}/${path}`;
}
