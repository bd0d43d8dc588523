/**
 * Compiling a policy document once per version: globs become matchers, CEL
 * conditions are parsed and type-checked, workflows are resolved, scopes are
 * indexed by subject and each scope's rules by tool name and argument guard
 * (see `rule-index.ts`), so a decision costs microseconds whatever the number
 * of rules.
 */
import { type CompiledCondition, compileCondition } from './policy-cel.js';
import { parsePolicyDocument } from './policy-document.js';
import type { PolicyAction, PolicyDocument, PolicyRule, PolicyScope } from './policy-schema.js';
import { type RuleIndex, createRuleIndex } from './rule-index.js';
import { type CompiledGlob, compileGlob, compileGlobs } from './tool-glob.js';

/** A rule ready to evaluate. */
export interface CompiledRule {
  /** The rule's name, or its path such as `rules[3]` or `scopes[0].rules[1]`. */
  readonly label: string;
  /** The tool glob. */
  readonly tool: CompiledGlob;
  /** When set, the rule matches only tools whose read-only flag equals it. */
  readonly readOnly: boolean | undefined;
  /** What the rule does when it matches. */
  readonly action: PolicyAction;
  /** The workflow of a `require_approval` rule (its own, else `defaults.workflow`). */
  readonly workflow: string | undefined;
  /** The reason given with a deny or an approval request. */
  readonly reason: string | undefined;
  /** The parsed condition, if any. */
  readonly condition: CompiledCondition | undefined;
}

/** Which kind of subject a scope applies to; `account` is the top level of the policy. */
export type ScopeKind = 'apiKey' | 'agent' | 'team' | 'account';

/** A scope ready to evaluate. The account level is a scope too (kind `account`). */
export interface CompiledScope {
  /** `account`, or `<kind>:<id>`, for example `apiKey:k1`. */
  readonly label: string;
  /** The kind of subject. */
  readonly kind: ScopeKind;
  /** The subject id (API key, agent or team id); empty for the account. */
  readonly id: string;
  /** When set, only tools matching one of these globs are visible. */
  readonly visible: readonly CompiledGlob[] | undefined;
  /** Tools matching any of these globs are invisible. */
  readonly hidden: readonly CompiledGlob[];
  /** The scope's rules, in order. */
  readonly rules: readonly CompiledRule[];
  /** The rules indexed by tool name and argument guard, so a decision tests only candidates. */
  readonly index: RuleIndex;
  /** When set, the models this scope allows (narrowing the account's list). */
  readonly models: readonly CompiledGlob[] | undefined;
}

/** A policy compiled for evaluation. Build with {@link compilePolicy}; treat as read-only. */
export interface CompiledPolicy {
  /** The validated document it was compiled from. */
  readonly document: PolicyDocument;
  /** What happens when no rule matches, and its workflow for `require_approval`. */
  readonly defaults: { readonly action: PolicyAction; readonly workflow: string | undefined };
  /** The models allowed to everyone (`defaults.models.allow`). */
  readonly models: readonly CompiledGlob[];
  /** The account level: the top-level rules. */
  readonly account: CompiledScope;
  /** Scopes by API key id. */
  readonly apiKeyScopes: ReadonlyMap<string, CompiledScope>;
  /** Scopes by agent id. */
  readonly agentScopes: ReadonlyMap<string, CompiledScope>;
  /** Team scopes by team id, with their position in the document for ordering. */
  readonly teamScopes: ReadonlyMap<string, { readonly order: number; readonly scope: CompiledScope }>;
}

/** Brands compiled policies; `Symbol.for` so two copies of this module still agree. */
const compiledPolicyBrand = Symbol.for('@preloop/core/compiled-policy');

/**
 * True when `value` was built by {@link compilePolicy} (not merely shaped like it).
 *
 * @example
 * ```ts
 * isCompiledPolicy(compilePolicy(defaultPolicy)); // true
 * isCompiledPolicy(defaultPolicy); // false
 * ```
 */
export function isCompiledPolicy(value: unknown): value is CompiledPolicy {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[compiledPolicyBrand] === true;
}

function compileRule(rule: PolicyRule, path: string, defaultWorkflow: string | undefined): CompiledRule {
  let condition: CompiledCondition | undefined;
  if (rule.condition !== undefined) {
    const compiled = compileCondition(rule.condition);
    // Unreachable after validation; kept so a compiled policy can never hold an unchecked condition.
    if (!compiled.ok) throw new Error(`${path}.condition: ${compiled.message}`);
    condition = compiled.condition;
  }
  return Object.freeze({
    label: rule.name ?? path,
    tool: compileGlob(rule.tool),
    readOnly: rule.readOnly,
    action: rule.action,
    workflow: rule.action === 'require_approval' ? (rule.workflow ?? defaultWorkflow) : undefined,
    reason: rule.reason,
    condition,
  });
}

function subjectOf(scope: PolicyScope): { kind: Exclude<ScopeKind, 'account'>; id: string } {
  const subject = scope.subject;
  if ('apiKey' in subject) return { kind: 'apiKey', id: subject.apiKey };
  if ('agent' in subject) return { kind: 'agent', id: subject.agent };
  return { kind: 'team', id: subject.team };
}

/**
 * Validates (see {@link parsePolicyDocument}) and compiles a policy document.
 * Throws `PreloopError('VALIDATION_ERROR')` for an invalid document. The result
 * is frozen and safe to share between concurrent evaluations.
 *
 * @example
 * ```ts
 * const compiled = compilePolicy(parsePolicyDocument(yamlText));
 * evaluateToolCall(compiled, { subject, tool: { name: 'github.create_issue' }, args: {} });
 * ```
 */
export function compilePolicy(document: PolicyDocument | unknown): CompiledPolicy {
  const validated = parsePolicyDocument(document);
  const defaultWorkflow = validated.defaults.workflow;
  const accountRules = Object.freeze(validated.rules.map((rule, index) => compileRule(rule, `rules[${index}]`, defaultWorkflow)));
  const account: CompiledScope = Object.freeze({
    label: 'account',
    kind: 'account',
    id: '',
    visible: undefined,
    hidden: Object.freeze([]),
    rules: accountRules,
    index: createRuleIndex(accountRules),
    models: undefined,
  });
  const apiKeyScopes = new Map<string, CompiledScope>();
  const agentScopes = new Map<string, CompiledScope>();
  const teamScopes = new Map<string, { order: number; scope: CompiledScope }>();
  validated.scopes.forEach((scope, scopeIndex) => {
    const { kind, id } = subjectOf(scope);
    const rules = Object.freeze(
      (scope.rules ?? []).map((rule, index) => compileRule(rule, `scopes[${scopeIndex}].rules[${index}]`, defaultWorkflow)),
    );
    const compiled: CompiledScope = Object.freeze({
      label: `${kind}:${id}`,
      kind,
      id,
      visible: scope.tools?.visible === undefined ? undefined : compileGlobs(scope.tools.visible),
      hidden: compileGlobs(scope.tools?.hidden ?? []),
      rules,
      index: createRuleIndex(rules),
      models: scope.models === undefined ? undefined : compileGlobs(scope.models.allow),
    });
    if (kind === 'apiKey') apiKeyScopes.set(id, compiled);
    else if (kind === 'agent') agentScopes.set(id, compiled);
    else teamScopes.set(id, Object.freeze({ order: scopeIndex, scope: compiled }));
  });
  const compiled = {
    document: validated,
    defaults: Object.freeze({ action: validated.defaults.tools, workflow: defaultWorkflow }),
    models: compileGlobs(validated.defaults.models.allow),
    account,
    apiKeyScopes,
    agentScopes,
    teamScopes,
  };
  // Non-enumerable, so a spread copy of a compiled policy is not mistaken for one.
  Object.defineProperty(compiled, compiledPolicyBrand, { value: true, enumerable: false });
  return Object.freeze(compiled);
}
