/**
 * Defensive reading of evaluation input (a subject may come from anywhere at run
 * time) and the scopes that apply to a subject, most specific first.
 */
import type { Principal } from '../identity/principal.js';
import type { CompiledPolicy, CompiledScope } from './compile-policy.js';

const nullableStringFields = ['role', 'userId', 'agentId', 'apiKeyId', 'runtimeSessionId'] as const;

/**
 * Why `value` cannot be used as a {@link Principal} by the policy engine, or null
 * when it can. Only the fields the engine reads are checked.
 *
 * @example
 * ```ts
 * subjectProblem({ type: 'agent' }); // 'subject.id must be a string'
 * ```
 */
export function subjectProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'subject must be an object';
  const subject = value as Record<string, unknown>;
  for (const field of ['type', 'id', 'name'] as const) {
    if (typeof subject[field] !== 'string') return `subject.${field} must be a string`;
  }
  for (const field of nullableStringFields) {
    if (subject[field] !== null && typeof subject[field] !== 'string') {
      return `subject.${field} must be a string or null`;
    }
  }
  const teamIds = subject.teamIds;
  if (!Array.isArray(teamIds) || !teamIds.every((teamId) => typeof teamId === 'string')) {
    return 'subject.teamIds must be a list of strings';
  }
  return null;
}

/**
 * The scopes of `compiled` that apply to `subject`, most specific first: the
 * API key's scope, then the agent's, then the subject's team scopes in document
 * order. The account level is not included.
 *
 * @example
 * ```ts
 * matchingScopes(compiled, principal).map((scope) => scope.label); // ['apiKey:k1', 'team:platform']
 * ```
 */
export function matchingScopes(compiled: CompiledPolicy, subject: Principal): CompiledScope[] {
  const scopes: CompiledScope[] = [];
  if (subject.apiKeyId !== null) {
    const scope = compiled.apiKeyScopes.get(subject.apiKeyId);
    if (scope) scopes.push(scope);
  }
  if (subject.agentId !== null) {
    const scope = compiled.agentScopes.get(subject.agentId);
    if (scope) scopes.push(scope);
  }
  if (subject.teamIds.length > 0 && compiled.teamScopes.size > 0) {
    const teams = [...new Set(subject.teamIds)]
      .map((teamId) => compiled.teamScopes.get(teamId))
      .filter((entry) => entry !== undefined)
      .sort((left, right) => left.order - right.order);
    for (const entry of teams) scopes.push(entry.scope);
  }
  return scopes;
}

/**
 * The first scope in `scopes` that hides the tool `name`, or undefined when every
 * scope shows it. A scope hides a tool that its `tools.hidden` matches, or that
 * its `tools.visible` (when present) does not match.
 *
 * @example
 * ```ts
 * scopeHidingTool(matchingScopes(compiled, principal), 'github.delete_repo')?.label; // 'agent:ci'
 * ```
 */
export function scopeHidingTool(scopes: readonly CompiledScope[], name: string): CompiledScope | undefined {
  for (const scope of scopes) {
    if (scope.visible !== undefined && !scope.visible.some((glob) => glob.test(name))) return scope;
    if (scope.hidden.some((glob) => glob.test(name))) return scope;
  }
  return undefined;
}
