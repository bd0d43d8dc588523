import { defaultPolicy } from './default-policy.js';
import type { PolicyDocumentInput } from './policy-schema.js';

/**
 * Completes a policy given in code from the shipped default, so a few lines
 * are a usable policy: `defaults` is merged field by field (`tools`,
 * `workflow`, `models`), the default's workflows stay available beside the
 * given ones (a given workflow of the same name wins), and `rules` default to
 * the shipped rules only when left out. `scopes`, `tests` and `metadata` are
 * the given ones: the shipped tests describe the shipped policy, not yours.
 *
 * @param policy - A policy document object, possibly partial.
 * @returns A whole document, still to be validated.
 * @example
 * ```ts
 * completePolicy({ version: 1, defaults: { models: { allow: ['fast'] } } });
 * // → read-only tools allowed, others need the "admins" workflow, model "fast" allowed
 * ```
 */
export function completePolicy(policy: PolicyDocumentInput): PolicyDocumentInput {
  const shipped = structuredClone(defaultPolicy);
  const given = policy as Partial<PolicyDocumentInput>;
  return {
    ...given,
    version: given.version ?? 1,
    defaults: {
      tools: given.defaults?.tools ?? shipped.defaults.tools,
      workflow:
        given.defaults?.workflow ??
        (given.defaults?.tools === undefined || given.defaults.tools === 'require_approval' ? shipped.defaults.workflow : undefined),
      models: given.defaults?.models ?? shipped.defaults.models,
    },
    workflows: { ...shipped.workflows, ...given.workflows },
    rules: given.rules ?? shipped.rules,
  } as PolicyDocumentInput;
}
