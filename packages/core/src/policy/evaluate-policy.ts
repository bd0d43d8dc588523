/**
 * Evaluating one tool call against a compiled policy. Scopes are tried most
 * specific first (API key, agent, teams, then the account's rules); within a
 * scope the first matching rule wins; when no rule matches, the default applies.
 * Each scope's rule index (see `rule-index.ts`) hands over only the rules that
 * can match, in order, so a decision does not grow with the number of rules.
 * Evaluation never throws: any error becomes a deny with a `policy_error: ` reason.
 */
import type { Principal } from '../identity/principal.js';
import { type CompiledPolicy, type CompiledRule, type CompiledScope, isCompiledPolicy } from './compile-policy.js';
import { type ConditionContext, celErrorMessage, createConditionContext } from './policy-cel.js';
import { type PolicyDecision, type PolicyExplanation, policyErrorDecision, unknownToolReason } from './policy-decision.js';
import { matchingScopes, scopeHidingTool, subjectProblem } from './policy-subject.js';
import { isCanonicalName } from './tool-glob.js';

/** The tool being called, as the caller knows it. */
export interface ToolCallTool {
  /** The full tool name, for example `github.create_issue` (upstream tools are `server.tool`). */
  name: string;
  /** The upstream MCP server or plugin it comes from. @default null */
  server?: string | null;
  /** True when the tool's own plugin marks it read-only (not an upstream hint). @default false */
  readOnly?: boolean;
}

/** Everything policy needs to decide one tool call. */
export interface ToolCallInput {
  /** Who is calling. */
  subject: Principal;
  /** The tool being called. */
  tool: ToolCallTool;
  /** The call's arguments: an object (or undefined/null for none). */
  args: unknown;
  /** The time of the call in epoch milliseconds. @default Date.now() */
  time?: number;
  /**
   * The state of the subject's runtime session: `tainted` once untrusted
   * content entered it (`session.tainted` in conditions). The kernel's
   * governance reads it from the database when it is left out.
   * @default { tainted: false }
   */
  session?: { tainted: boolean };
}

/** A JSON-safe rendition of a CEL value, for explanations that end up in audit records. */
function toJsonSafe(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (depth >= 3) return '…';
  if (Array.isArray(value)) return value.slice(0, 20).map((entry) => toJsonSafe(entry, depth + 1));
  if (value instanceof Map) {
    return Object.fromEntries([...value].slice(0, 20).map(([key, entry]) => [String(key), toJsonSafe(entry, depth + 1)]));
  }
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .slice(0, 20)
        .map(([key, entry]) => [key, toJsonSafe(entry, depth + 1)]),
    );
  }
  return String(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Map) return 'map';
  return typeof value;
}

function toolProblem(tool: unknown): string | null {
  if (typeof tool !== 'object' || tool === null) return 'tool must be an object';
  const { name, server, readOnly } = tool as Record<string, unknown>;
  if (typeof name !== 'string') return 'tool.name must be a string';
  if (server !== undefined && server !== null && typeof server !== 'string') return 'tool.server must be a string or null';
  if (readOnly !== undefined && typeof readOnly !== 'boolean') return 'tool.readOnly must be a boolean';
  return null;
}

function inputProblem(input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return 'input must be an object';
  const { subject, tool, args, time, session } = input as Record<string, unknown>;
  const problem = subjectProblem(subject) ?? toolProblem(tool);
  if (problem !== null) return problem;
  if (args !== undefined && args !== null && (typeof args !== 'object' || Array.isArray(args))) {
    return 'args must be an object';
  }
  if (time !== undefined && (typeof time !== 'number' || !Number.isFinite(time) || Math.abs(time) > 8.64e15)) {
    return 'time must be epoch milliseconds';
  }
  if (
    session !== undefined &&
    (typeof session !== 'object' || session === null || typeof (session as { tainted?: unknown }).tainted !== 'boolean')
  ) {
    return 'session must be { tainted: boolean }';
  }
  return null;
}

function decide(rule: CompiledRule, scope: CompiledScope, conditionValue: boolean | undefined): PolicyDecision {
  const explanation: PolicyExplanation = {
    scope: scope.label,
    rule: rule.label,
    ...(conditionValue === undefined ? {} : { conditionValue }),
  };
  if (rule.action === 'allow') return { action: 'allow', explanation };
  if (rule.action === 'deny') {
    return { action: 'deny', reason: rule.reason ?? `Denied by policy rule "${rule.label}"`, explanation };
  }
  return {
    action: 'require_approval',
    // compilePolicy resolves the workflow of every require_approval rule; validation guarantees one exists.
    workflow: rule.workflow as string,
    ...(rule.reason === undefined ? {} : { reason: rule.reason }),
    explanation,
  };
}

/** Which rules of a scope to test, in order: the index's candidates, or all of them (the reference). */
type RuleSelection = (scope: CompiledScope, name: string, args: unknown) => Iterable<number>;

const indexedSelection: RuleSelection = (scope, name, args) => scope.index.candidates(name, args);
const linearSelection: RuleSelection = (scope) => scope.rules.keys();

function evaluate(compiled: CompiledPolicy, input: ToolCallInput, select: RuleSelection): PolicyDecision {
  const name = input.tool.name;
  if (!isCanonicalName(name)) {
    return { action: 'deny', reason: unknownToolReason(name), explanation: { scope: 'account', rule: null, hidden: true } };
  }
  const scopes = matchingScopes(compiled, input.subject);
  const hiding = scopeHidingTool(scopes, name);
  if (hiding) {
    return { action: 'deny', reason: unknownToolReason(name), explanation: { scope: hiding.label, rule: null, hidden: true } };
  }
  const readOnly = input.tool.readOnly === true;
  let context: ConditionContext | undefined;
  for (const scope of [...scopes, compiled.account]) {
    for (const position of select(scope, name, input.args)) {
      const rule = scope.rules[position]!;
      if (!rule.tool.test(name)) continue;
      if (rule.readOnly !== undefined && rule.readOnly !== readOnly) continue;
      if (rule.condition === undefined) return decide(rule, scope, undefined);
      context ??= createConditionContext(
        input.subject,
        { name, server: input.tool.server ?? null, readOnly },
        input.args ?? {},
        input.time ?? Date.now(),
        { tainted: input.session?.tainted === true },
      );
      let value: unknown;
      try {
        value = rule.condition.evaluate(context);
      } catch (error) {
        return policyErrorDecision(`condition of rule "${rule.label}" failed: ${celErrorMessage(error)}`, {
          scope: scope.label,
          rule: rule.label,
        });
      }
      if (typeof value !== 'boolean') {
        return policyErrorDecision(`condition of rule "${rule.label}" returned ${typeName(value)}, not a bool`, {
          scope: scope.label,
          rule: rule.label,
          conditionValue: toJsonSafe(value),
        });
      }
      if (value) return decide(rule, scope, true);
    }
  }
  const explanation: PolicyExplanation = { scope: 'account', rule: null, default: true };
  const { action, workflow } = compiled.defaults;
  if (action === 'allow') return { action, explanation };
  if (action === 'deny') return { action, reason: `No policy rule allows tool ${name}`, explanation };
  return { action, workflow: workflow as string, explanation };
}

/**
 * Decides one tool call: `allow`, `deny` with a reason, or `require_approval`
 * with the workflow to run, each with an explanation of what decided. A tool
 * the subject cannot see is denied with {@link unknownToolReason}. Never throws:
 * bad input, a failing condition or a non-bool condition result is a deny whose
 * reason starts with `policy_error: `.
 *
 * @example
 * ```ts
 * const decision = evaluateToolCall(compiled, {
 *   subject: principal,
 *   tool: { name: 'github.merge_pull_request', server: 'github' },
 *   args: { repo: 'acme/api', number: 7 },
 * });
 * if (decision.action === 'require_approval') await approvals.request(decision.workflow);
 * ```
 */
export function evaluateToolCall(compiled: CompiledPolicy, input: ToolCallInput): PolicyDecision {
  return evaluateWith(compiled, input, indexedSelection);
}

/**
 * The reference evaluator: {@link evaluateToolCall} without the rule index,
 * testing every rule of every scope in order. It gives the same decision and
 * is kept to prove that (a property test compares the two); use
 * {@link evaluateToolCall}.
 *
 * @example
 * ```ts
 * expect(evaluateToolCall(compiled, input)).toEqual(evaluateToolCallLinear(compiled, input));
 * ```
 */
export function evaluateToolCallLinear(compiled: CompiledPolicy, input: ToolCallInput): PolicyDecision {
  return evaluateWith(compiled, input, linearSelection);
}

function evaluateWith(compiled: CompiledPolicy, input: ToolCallInput, select: RuleSelection): PolicyDecision {
  try {
    if (!isCompiledPolicy(compiled)) {
      return policyErrorDecision('the policy was not built by compilePolicy', { scope: 'account', rule: null });
    }
    const problem = inputProblem(input);
    if (problem !== null) return policyErrorDecision(`bad input: ${problem}`, { scope: 'account', rule: null });
    return evaluate(compiled, input, select);
  } catch (error) {
    return policyErrorDecision(`evaluation failed: ${celErrorMessage(error)}`, { scope: 'account', rule: null });
  }
}

/**
 * True when `subject` may see `tool` (for `tools/list`): its name is canonical
 * and no scope that applies to the subject hides it. Never throws; bad input is
 * not visible.
 *
 * @example
 * ```ts
 * const listed = tools.filter((tool) => isToolVisible(compiled, principal, tool));
 * ```
 */
export function isToolVisible(compiled: CompiledPolicy, subject: Principal, tool: string | { name: string }): boolean {
  try {
    const name = typeof tool === 'string' ? tool : tool?.name;
    if (!isCompiledPolicy(compiled) || !isCanonicalName(name) || subjectProblem(subject) !== null) return false;
    return scopeHidingTool(matchingScopes(compiled, subject), name) === undefined;
  } catch {
    return false;
  }
}
