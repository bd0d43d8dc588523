/**
 * `simulate`: what would happen to a call from this subject, without running
 * anything. It is {@link isToolVisible} plus {@link evaluateToolCall}.
 */
import type { CompiledPolicy } from './compile-policy.js';
import { evaluateToolCall, isToolVisible, type ToolCallInput } from './evaluate-policy.js';
import type { PolicyDecision } from './policy-decision.js';

/** The answer of {@link simulatePolicy}. */
export interface PolicySimulation {
  /** Whether `tools/list` would show the tool to the subject. */
  visible: boolean;
  /** What a call with these arguments would get. */
  decision: PolicyDecision;
}

/**
 * Answers "what would happen to this call from this subject" against a compiled
 * policy: whether the tool is listed for the subject and the decision a call
 * would get. Pure; never throws.
 *
 * @example
 * ```ts
 * const { visible, decision } = simulatePolicy(compiled, {
 *   subject: principal,
 *   tool: { name: 'github.delete_repo' },
 *   args: { repo: 'acme/api' },
 * });
 * // visible: false, decision: { action: 'deny', reason: 'Unknown tool: github.delete_repo', … }
 * ```
 */
export function simulatePolicy(compiled: CompiledPolicy, input: ToolCallInput): PolicySimulation {
  const decision = evaluateToolCall(compiled, input);
  const given = input as Partial<ToolCallInput> | null | undefined;
  const name = given?.tool?.name;
  const visible = typeof name === 'string' && given?.subject !== undefined && isToolVisible(compiled, given.subject, name);
  return { visible, decision };
}
