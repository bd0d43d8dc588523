/**
 * From the `model` a client sends to the alias the gateway serves: the
 * `modelNames` map (client model names such as Claude Code's
 * `claude-sonnet-*` → an alias), then policy and the alias's existence, with
 * answers no client reads as an authentication failure: 404 for a model that
 * does not exist (naming the aliases the caller may use), 403 for one policy
 * forbids.
 *
 * @module
 */

import { PreloopError, type Principal } from '@preloop/core';
import { compileGlob, globPatternProblem, type CompiledGlob } from '@preloop/core/internal';
import type { ResolvedModel } from '../models/model-alias.js';
import type { GatewayContext } from './gateway-context.js';

/** A compiled `modelNames` entry: the glob of client model names and the alias it maps to. */
export interface ModelNameRule {
  glob: CompiledGlob;
  alias: string;
}

/**
 * Compiles the `modelNames` option. Exact names win over globs; among globs
 * the first written wins.
 *
 * @example
 * ```ts
 * const rules = compileModelNames({ 'claude-sonnet-*': 'smart', 'claude-haiku-*': 'fast' });
 * ```
 */
export function compileModelNames(names: Record<string, string> | undefined): ModelNameRule[] {
  const rules: ModelNameRule[] = [];
  for (const [pattern, alias] of Object.entries(names ?? {})) {
    const problem = globPatternProblem(pattern) ?? (alias === '' ? 'maps to an empty alias' : null);
    if (problem) throw new PreloopError('CONFIGURATION_ERROR', `modelNames["${pattern}"]: ${problem}`);
    rules.push({ glob: compileGlob(pattern), alias });
  }
  return rules.sort((a, b) => Number(a.glob.pattern.includes('*')) - Number(b.glob.pattern.includes('*')));
}

/**
 * The alias a requested model name stands for: the first matching
 * `modelNames` rule's alias, or the name itself. A name that is itself an
 * alias is never remapped by a glob (only by an exact entry).
 *
 * @example
 * ```ts
 * await toAliasName(context, accountId, 'claude-sonnet-5-5'); // 'smart'
 * ```
 */
export async function toAliasName(context: GatewayContext, accountId: string, model: string): Promise<string> {
  const rules = context.options.modelNames;
  if (rules.length === 0) return model;
  const exact = rules.find((rule) => rule.glob.pattern === model);
  if (exact) return exact.alias;
  if (await context.runtime.models.resolve(accountId, model)) return model;
  return rules.find((rule) => rule.glob.test(model))?.alias ?? model;
}

/** The aliases `principal` may use, sorted. */
export async function usableAliases(context: GatewayContext, principal: Principal): Promise<string[]> {
  const names = await context.runtime.models.names(principal.accountId);
  const checks = await Promise.all(names.map((entry) => context.preloop.governance.isModelAllowed(principal, entry.alias)));
  return names
    .filter((_, index) => checks[index]!.allowed)
    .map((entry) => entry.alias)
    .sort();
}

/**
 * The 404 for a model that is no alias, naming the aliases `principal` may use.
 *
 * @example
 * ```ts
 * throw await modelNotFound(context, principal, 'smart', 'claude-sonnet-5-5');
 * ```
 */
export async function modelNotFound(
  context: GatewayContext,
  principal: Principal,
  model: string,
  requested: string,
): Promise<PreloopError> {
  const aliases = await usableAliases(context, principal);
  const asked = requested === model ? `"${model}"` : `"${requested}" (mapped to "${model}" by modelNames)`;
  const offer = aliases.length
    ? `Models you may use: ${aliases.join(', ')}.`
    : 'No model is available to this credential yet; an administrator declares model aliases and allows them in the policy.';
  return new PreloopError('NOT_FOUND', `The model ${asked} does not exist on this gateway. ${offer}`, {
    details: { model: requested, alias: model, available: aliases },
  });
}

/**
 * The alias `model` names, ready to call, when policy lets `principal` use
 * it. Throws `NOT_FOUND` (404: no such alias, naming the usable ones) or
 * `POLICY_DENIED` (403: the alias exists but policy or the kill switch
 * forbids it); `requested` is the name the client sent, for the messages.
 *
 * @example
 * ```ts
 * const target = await requireUsableModel(context, principal, 'smart', 'claude-sonnet-5-5');
 * ```
 */
export async function requireUsableModel(
  context: GatewayContext,
  principal: Principal,
  model: string,
  requested = model,
): Promise<ResolvedModel> {
  const access = await context.preloop.governance.isModelAllowed(principal, model);
  const resolved = await context.runtime.models.resolve(principal.accountId, model);
  if (!access.allowed) {
    // A kill switch stops every model, known or not; otherwise a name that is no alias is simply not there.
    if (!resolved && access.explanation.scope !== 'kill-switch') throw await modelNotFound(context, principal, model, requested);
    const reason =
      access.explanation.scope === 'kill-switch'
        ? access.reason
        : `The policy does not allow the model "${model}" for this credential (${access.explanation.scope}).`;
    throw new PreloopError('POLICY_DENIED', `${reason ?? `Model not allowed by policy: ${model}`}`, {
      details: { model, scope: access.explanation.scope },
    });
  }
  if (!resolved) throw await modelNotFound(context, principal, model, requested);
  return resolved;
}
