import type { Kysely } from 'kysely';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Bus } from '../bus/bus.js';
import type { HookRunner } from '../hooks/hook-runner.js';
import type { Principal } from '../identity/principal.js';
import {
  combineDecisions,
  evaluateToolCall,
  isModelAllowed,
  isToolVisible,
  modelNotAllowedReason,
  policyErrorDecision,
  type ModelAccessDecision,
  type PolicyDecision,
  type PolicyWorkflow,
  type ToolCallInput,
  type ToolCallTool,
} from '../policy/index.js';
import type { KernelTables } from '../storage/schema.js';
import { toStoreUnavailableError } from '../storage/store-unavailable.js';
import { createKillSwitch, type KillSwitch } from './kill-switch.js';
import { createPolicyStore, type PolicyStore } from './policy-store.js';

/**
 * What a governed call targets, as governance sees it: a tool (MCP), a model
 * alias (gateway), or an agent's own native tool (a permission check, named
 * `native.<tool>`; policy governs it like any tool).
 */
export type GovernedTarget =
  | ({ kind: 'tool_call' } & ToolCallTool)
  | ({ kind: 'native_tool' } & ToolCallTool)
  | { kind: 'model_call'; name: string };

/**
 * Governance's answer for one call, from one read of the account's policy
 * (and, for tools, of the runtime session's taint): whether the target is
 * visible to the subject, and the decision on its arguments.
 */
export interface CallVerdict {
  /** Whether the subject may see the target (a listed tool; a model its allow-lists cover). */
  visible: boolean;
  /** The runtime session's state as policy sees it (`session.tainted`), for tool calls in a runtime session. */
  session?: { tainted: boolean };
  /** The policy's decision for `args` (no I/O: everything was read already). Never throws; an engine error is a deny. */
  decide(args: unknown): PolicyDecision;
}

/** Governance as the MCP endpoint, the gateway and the approvals engine use it. */
export interface Governance {
  /** Versioned policy documents. */
  readonly policies: PolicyStore;
  /** The emergency stop. */
  readonly killSwitch: KillSwitch;
  /**
   * Decides a tool call: the kill switch, then the active policy (with
   * `session.tainted` read from the subject's runtime session), then plugin
   * evaluators (deny overrides). Any failure is a deny, except that it throws
   * `STORE_UNAVAILABLE` (a `StoreUnavailableError`) when the database
   * cannot be reached, so the caller can answer 503 instead of blaming policy.
   */
  evaluateToolCall(input: ToolCallInput): Promise<PolicyDecision>;
  /** Whether `tools/list` shows the tool to the subject (false while the kill switch stops tools, or a plugin's `policy.evaluate` hook denies its `tool_listing`). Throws `STORE_UNAVAILABLE` when the database cannot be reached. */
  isToolVisible(subject: Principal, tool: string): Promise<boolean>;
  /** Whether the subject may use the model (refused while the kill switch stops models). Throws only `STORE_UNAVAILABLE`, when the database cannot be reached. */
  isModelAllowed(subject: Principal, model: string): Promise<ModelAccessDecision>;
  /**
   * Visibility and the policy decision for one call, from one read of the
   * active policy. The kill switch is not read here (the governed-call
   * pipeline reads it once, before), and plugin `policy.evaluate` hooks are
   * not run here (the pipeline runs them after the policy). Any failure is
   * an invisible target with a deny, except that it throws `STORE_UNAVAILABLE`
   * when the database cannot be reached.
   */
  decideCall(subject: Principal, target: GovernedTarget): Promise<CallVerdict>;
  /** The named approval workflow of the account's active policy, or null. */
  workflow(accountId: string, name: string): Promise<PolicyWorkflow | null>;
  close(): void;
}

/**
 * Builds the governance service over the policy store, the kill switch and
 * the plugins' `policy.evaluate` hooks.
 *
 * @example
 * ```ts
 * const decision = await preloop.governance.evaluateToolCall({ subject, tool: { name: 'github.create_issue' }, args });
 * ```
 */
export function createGovernance(options: {
  db: Kysely<KernelTables>;
  bus: Bus;
  audit: AuditTrail;
  hooks: HookRunner;
  initialPolicy?: string | Record<string, unknown>;
}): Governance {
  const policies = createPolicyStore(options);
  const killSwitch = createKillSwitch(options);
  return {
    policies,
    killSwitch,
    async evaluateToolCall(input) {
      const explanation = { scope: 'kernel', rule: null };
      try {
        const accountId = input.subject.accountId;
        const stopped = await killSwitch.stopped(accountId, 'tools');
        if (stopped) return { action: 'deny', reason: stopped, explanation: { scope: 'kill-switch', rule: null } };
        const { compiled } = await policies.active(accountId);
        // `session.tainted` comes from the database, so a taint set on one instance holds on every other.
        if (input.session === undefined && input.subject.runtimeSessionId)
          input = { ...input, session: { tainted: await sessionTainted(options.db, accountId, input.subject.runtimeSessionId) } };
        const decision = evaluateToolCall(compiled, input);
        const fromPlugins = await options.hooks.evaluatePolicy({ ...input, kind: 'tool_call' });
        return fromPlugins ? combineDecisions([decision, fromPlugins]) : decision;
      } catch (error) {
        rethrowUnavailable(error);
        return policyErrorDecision((error as Error)?.message ?? 'evaluation failed', explanation);
      }
    },
    async isToolVisible(subject, tool) {
      try {
        if (await killSwitch.stopped(subject.accountId, 'tools')) return false;
        if (!isToolVisible((await policies.active(subject.accountId)).compiled, subject, tool)) return false;
        if (!options.hooks.hasPolicyEvaluators) return true;
        // Plugins narrow the listing as they narrow calls (a flow's runs see only its tools); a deny hides.
        const fromPlugins = await options.hooks.evaluatePolicy({ kind: 'tool_listing', subject, tool: { name: tool } });
        return fromPlugins?.action !== 'deny';
      } catch (error) {
        rethrowUnavailable(error);
        return false;
      }
    },
    async isModelAllowed(subject, model) {
      try {
        const stopped = await killSwitch.stopped(subject.accountId, 'models');
        if (stopped) return { allowed: false, reason: stopped, explanation: { scope: 'kill-switch', pattern: null } };
        return isModelAllowed((await policies.active(subject.accountId)).compiled, subject, model);
      } catch (error) {
        rethrowUnavailable(error);
        return { allowed: false, reason: `policy_error: ${(error as Error).message}`, explanation: { scope: 'kernel', pattern: null } };
      }
    },
    async decideCall(subject, target) {
      try {
        const { compiled } = await policies.active(subject.accountId);
        if (target.kind === 'model_call') {
          const access = isModelAllowed(compiled, subject, target.name);
          const explanation = { scope: access.explanation.scope, rule: access.explanation.pattern };
          const decision: PolicyDecision = access.allowed
            ? { action: 'allow', explanation }
            : { action: 'deny', reason: access.reason ?? modelNotAllowedReason(target.name), explanation };
          return { visible: access.allowed, decide: () => decision };
        }
        const tool: ToolCallTool = { name: target.name, server: target.server ?? null, readOnly: target.readOnly };
        const visible = isToolVisible(compiled, subject, tool.name);
        // `session.tainted` comes from the database, so a taint set on one instance holds on every other.
        const session =
          visible && subject.runtimeSessionId
            ? { tainted: await sessionTainted(options.db, subject.accountId, subject.runtimeSessionId) }
            : undefined;
        return {
          visible,
          ...(session ? { session } : {}),
          decide(args) {
            try {
              return evaluateToolCall(compiled, session ? { subject, tool, args, session } : { subject, tool, args });
            } catch (error) {
              return policyErrorDecision((error as Error)?.message ?? 'evaluation failed', { scope: 'kernel', rule: null });
            }
          },
        };
      } catch (error) {
        rethrowUnavailable(error);
        const decision = policyErrorDecision((error as Error)?.message ?? 'evaluation failed', { scope: 'kernel', rule: null });
        return { visible: false, decide: () => decision };
      }
    },
    async workflow(accountId, name) {
      const { document } = await policies.active(accountId);
      return document.workflows[name] ?? null;
    },
    close() {
      policies.close();
      killSwitch.close();
    },
  };
}

/** A database that cannot be reached is not a policy decision: the caller answers 503. */
function rethrowUnavailable(error: unknown): void {
  const unavailable = toStoreUnavailableError(error);
  if (unavailable) throw unavailable;
}

/** Whether untrusted content entered the runtime session (see `RuntimeSessions.taint`). */
async function sessionTainted(db: Kysely<KernelTables>, accountId: string, sessionId: string): Promise<boolean> {
  const row = await db
    .selectFrom('runtime_sessions')
    .select('tainted_at')
    .where('account_id', '=', accountId)
    .where('id', '=', sessionId)
    .executeTakeFirst();
  return row !== undefined && row.tainted_at !== null;
}
