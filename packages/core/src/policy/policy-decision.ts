/**
 * The result of evaluating a tool call against policy, the reasons the engine
 * builds, and the combiner used when plugins add their own evaluators.
 */

/** Which part of the policy decided, for audit records and `simulate`. Never shown to agents by default. */
export interface PolicyExplanation {
  /** The scope that decided: `account`, or `<kind>:<id>` such as `apiKey:k1`, `agent:a1`, `team:t1`. */
  scope: string;
  /** The deciding rule's name, or its path (`rules[3]`, `scopes[0].rules[1]`); null for defaults and visibility. */
  rule: string | null;
  /** What the deciding rule's condition evaluated to (true when it matched, the odd value when it was not a bool). */
  conditionValue?: unknown;
  /** True when no rule matched and the default action applied. */
  default?: boolean;
  /** True when the tool is invisible to the subject (hidden by a scope, or a non-canonical name). */
  hidden?: boolean;
}

/** A call may proceed. */
export interface AllowDecision {
  /** The action. */
  action: 'allow';
  /** Which part of the policy decided. */
  explanation: PolicyExplanation;
}

/** A call is refused; `reason` may be shown to the agent. */
export interface DenyDecision {
  /** The action. */
  action: 'deny';
  /** Why, for the agent and the audit trail. Engine errors start with `policy_error: `. */
  reason: string;
  /** Which part of the policy decided. */
  explanation: PolicyExplanation;
}

/** A call waits for a human decision through `workflow`. */
export interface RequireApprovalDecision {
  /** The action. */
  action: 'require_approval';
  /** The name of the approval workflow in the policy. */
  workflow: string;
  /** The rule's reason, if it gave one. */
  reason?: string;
  /** Which part of the policy decided. */
  explanation: PolicyExplanation;
}

/** What policy says about one tool call: allow, deny with a reason, or require approval by a workflow. */
export type PolicyDecision = AllowDecision | DenyDecision | RequireApprovalDecision;

/** The prefix of every deny reason caused by an error inside the engine (fail closed). */
export const policyErrorPrefix = 'policy_error: ';

const maximumShownNameLength = 200;

/** Shows an untrusted name safely: printable ASCII as is, anything else as `\uXXXX`, long names cut. */
function showName(name: string): string {
  const text = String(name);
  const cut = text.length > maximumShownNameLength ? text.slice(0, maximumShownNameLength) : text;
  let shown = '';
  for (let index = 0; index < cut.length; index += 1) {
    const code = cut.charCodeAt(index);
    shown += code >= 0x21 && code <= 0x7e ? cut[index] : `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return cut.length < text.length ? `${shown}…` : shown;
}

/**
 * The deny reason for a tool the subject cannot see. Use it for tools that do not
 * exist too, so a hidden tool and an unknown tool get the same answer. Characters
 * outside printable ASCII are shown as `\uXXXX` so look-alike names stay visible
 * in logs, and long names are cut.
 *
 * @example
 * ```ts
 * unknownToolReason('github.delete_repo'); // 'Unknown tool: github.delete_repo'
 * unknownToolReason('github.delete_repo '); // 'Unknown tool: github.delete_repo\\u0020'
 * ```
 */
export function unknownToolReason(name: string): string {
  return `Unknown tool: ${showName(name)}`;
}

/**
 * The reason a model is refused, shown the same way as {@link unknownToolReason}.
 * The gateway may use it for models it does not know, too.
 *
 * @example
 * ```ts
 * modelNotAllowedReason('gpt-4o'); // 'Model not allowed: gpt-4o'
 * ```
 */
export function modelNotAllowedReason(model: string): string {
  return `Model not allowed: ${showName(model)}`;
}

/**
 * Builds the fail-closed decision for an engine error: deny with a
 * `policy_error: ` reason.
 *
 * @example
 * ```ts
 * policyErrorDecision('args must be an object', { scope: 'account', rule: null });
 * ```
 */
export function policyErrorDecision(message: string, explanation: PolicyExplanation): DenyDecision {
  return { action: 'deny', reason: `${policyErrorPrefix}${message}`, explanation };
}

function isWellFormed(decision: unknown): decision is PolicyDecision {
  if (typeof decision !== 'object' || decision === null) return false;
  const candidate = decision as Record<string, unknown>;
  const explanation = candidate.explanation as Record<string, unknown> | null | undefined;
  if (typeof explanation !== 'object' || explanation === null || typeof explanation.scope !== 'string') return false;
  if (candidate.action === 'allow') return true;
  if (candidate.action === 'deny') return typeof candidate.reason === 'string';
  if (candidate.action === 'require_approval') return typeof candidate.workflow === 'string' && candidate.workflow !== '';
  return false;
}

/**
 * Combines the decisions of the policy and of plugin evaluators: deny beats
 * require_approval beats allow. Among denials the first one's reason wins; among
 * approvals the first one's workflow wins. An empty list or a malformed decision
 * is denied with a `policy_error: ` reason (fail closed).
 *
 * @example
 * ```ts
 * combineDecisions([policyDecision, ...pluginDecisions]).action; // 'deny' if any denied
 * ```
 */
export function combineDecisions(decisions: readonly PolicyDecision[]): PolicyDecision {
  const explanation: PolicyExplanation = { scope: 'account', rule: null };
  if (!Array.isArray(decisions) || decisions.length === 0) {
    return policyErrorDecision('no decisions to combine', explanation);
  }
  let approval: RequireApprovalDecision | undefined;
  let allow: AllowDecision | undefined;
  for (const [index, decision] of decisions.entries()) {
    if (!isWellFormed(decision)) return policyErrorDecision(`decision ${index} is malformed`, explanation);
    if (decision.action === 'deny') return decision;
    if (decision.action === 'require_approval') approval ??= decision;
    else allow ??= decision;
  }
  return approval ?? (allow as AllowDecision);
}
