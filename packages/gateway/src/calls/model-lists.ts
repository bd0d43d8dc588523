/**
 * `GET /models` of both ingresses: the aliases the caller may use, in each
 * API's list shape (and one model by id).
 *
 * @module
 */

import { PreloopError, type Principal } from '@preloop/core';
import type { AnthropicModelInfo, AnthropicModelList } from '../wire/anthropic-types.js';
import type { OpenAIModel, OpenAIModelList } from '../wire/openai-types.js';
import type { GatewayContext } from './gateway-context.js';
import type { IngressFormat } from './ingress-errors.js';

async function allowedAliases(context: GatewayContext, principal: Principal) {
  const names = await context.runtime.models.names(principal.accountId);
  const checks = await Promise.all(names.map((entry) => context.preloop.governance.isModelAllowed(principal, entry.alias)));
  return names.filter((_, index) => checks[index]!.allowed).sort((a, b) => (a.alias < b.alias ? -1 : 1));
}

/**
 * The model list (or the one model named `id`) in the ingress's shape.
 *
 * @example
 * ```ts
 * const body = await listModels(context, principal, 'openai'); // { object: 'list', data: [...] }
 * ```
 */
export async function listModels(
  context: GatewayContext,
  principal: Principal,
  format: IngressFormat,
  id?: string,
): Promise<OpenAIModelList | AnthropicModelList | OpenAIModel | AnthropicModelInfo> {
  let aliases = await allowedAliases(context, principal);
  if (id !== undefined) {
    aliases = aliases.filter((entry) => entry.alias === id);
    if (aliases.length === 0) throw new PreloopError('NOT_FOUND', `The model "${id}" does not exist.`);
  }
  if (format === 'openai') {
    const data: OpenAIModel[] = aliases.map((entry) => ({
      id: entry.alias,
      object: 'model',
      created: Math.floor(entry.createdAt / 1000),
      owned_by: entry.provider,
    }));
    return id !== undefined ? data[0]! : { object: 'list', data };
  }
  const data: AnthropicModelInfo[] = aliases.map((entry) => ({
    type: 'model',
    id: entry.alias,
    display_name: entry.alias,
    created_at: new Date(entry.createdAt).toISOString(),
  }));
  return id !== undefined ? data[0]! : { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}
