/**
 * Which models a subject may call through the model gateway. The account's
 * `defaults.models.allow` is the outer bound; a scope with `models.allow`
 * narrows it further for its subject, and never widens it.
 */
import type { Principal } from '../identity/principal.js';
import { type CompiledPolicy, isCompiledPolicy } from './compile-policy.js';
import { modelNotAllowedReason } from './policy-decision.js';
import { matchingScopes, subjectProblem } from './policy-subject.js';
import { isCanonicalName, matchGlobs } from './tool-glob.js';

/** The answer of {@link isModelAllowed}. */
export interface ModelAccessDecision {
  /** True when the subject may call the model. */
  allowed: boolean;
  /** Why not (`Model not allowed: <model>` or a `policy_error: `), or null when allowed. */
  reason: string | null;
  /** Which list decided: the scope (`account` or `<kind>:<id>`) and the matching glob, null when none matched. */
  explanation: { scope: string; pattern: string | null };
}

/**
 * True when `subject` may use `model`: the model matches `defaults.models.allow`
 * and, for every scope that applies to the subject and has `models.allow`, that
 * list too. An empty account list (the default policy's) denies every model.
 * Never throws; bad input is not allowed.
 *
 * @example
 * ```ts
 * const access = isModelAllowed(compiled, principal, 'gpt-4o-mini');
 * if (!access.allowed) throw new PreloopError('POLICY_DENIED', access.reason);
 * ```
 */
export function isModelAllowed(compiled: CompiledPolicy, subject: Principal, model: string): ModelAccessDecision {
  try {
    const problem = isCompiledPolicy(compiled) ? subjectProblem(subject) : 'the policy was not built by compilePolicy';
    if (problem !== null) {
      return { allowed: false, reason: `policy_error: bad input: ${problem}`, explanation: { scope: 'account', pattern: null } };
    }
    if (!isCanonicalName(model)) {
      return { allowed: false, reason: modelNotAllowedReason(String(model)), explanation: { scope: 'account', pattern: null } };
    }
    const accountPattern = matchGlobs(compiled.models, model);
    if (accountPattern === null) {
      return { allowed: false, reason: modelNotAllowedReason(model), explanation: { scope: 'account', pattern: null } };
    }
    let explanation: ModelAccessDecision['explanation'] | undefined;
    for (const scope of matchingScopes(compiled, subject)) {
      if (scope.models === undefined) continue;
      const pattern = matchGlobs(scope.models, model);
      if (pattern === null) {
        return { allowed: false, reason: modelNotAllowedReason(model), explanation: { scope: scope.label, pattern: null } };
      }
      // The explanation names the most specific list that allowed the model.
      explanation ??= { scope: scope.label, pattern };
    }
    explanation ??= { scope: 'account', pattern: accountPattern };
    return { allowed: true, reason: null, explanation };
  } catch (error) {
    return {
      allowed: false,
      reason: `policy_error: ${error instanceof Error ? error.message : String(error)}`,
      explanation: { scope: 'account', pattern: null },
    };
  }
}
