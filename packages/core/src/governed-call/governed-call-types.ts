/**
 * The types of the governed-call pipeline: its named stages, what a surface
 * (the MCP endpoint, the model gateway, later tracker tools, flow steps and
 * native-tool permission checks) passes in, and what comes back.
 *
 * @module
 */

import type { GovernedTarget } from '../governance/create-governance.js';
import type { KillSwitchScope } from '../governance/kill-switch.js';
import type { Principal } from '../identity/principal.js';
import type { PolicyDecision, RequireApprovalDecision } from '../policy/index.js';
import type { TraceCarrier } from '../tracing/create-tracing.js';
import type { GovernedCallSpan } from '../tracing/genai-attributes.js';

/** The stages of every governed call, in the order they run. */
export const governedCallStages = [
  'authenticate',
  'kill-switch',
  'resolve',
  'visibility',
  'prepare',
  'decision',
  'policy-hooks',
  'approval',
  'intent',
  'execute',
  'after',
  'usage',
  'audit',
] as const;

/** One stage of the governed-call pipeline. */
export type GovernedCallStage = (typeof governedCallStages)[number];

/** The kind of governed call (`kind` of {@link GovernedTarget}). */
export type GovernedCallKind = GovernedTarget['kind'];

/**
 * Why a call was refused before it ran: `unauthenticated`, `killed` (the kill
 * switch), `not_found`, `hidden` (invisible to the subject), `invalid` (its
 * input), `denied` (policy, a plugin or a before-hook), `approval` (approval
 * denied, expired, cancelled, or not available), `audit_unavailable` (its
 * audit intent could not be secured).
 */
export type GovernedRefusalCode =
  | 'unauthenticated'
  | 'killed'
  | 'not_found'
  | 'hidden'
  | 'invalid'
  | 'denied'
  | 'approval'
  | 'audit_unavailable';

/** A refusal a surface stage returns instead of going on. */
export interface GovernedRefusalInit<Result> {
  refuse: GovernedRefusalCode;
  /** Why, for the caller and the audit trail (already safe to show). */
  reason: string;
  /** The surface's own reply for this refusal (for example an MCP result carrying the approval request). */
  reply?: Result;
}

/** What the `prepare` stage hands on: the (transformed) arguments, and a new target name when a before-hook redirected the call. */
export interface GovernedPreparation<Args> {
  args: Args;
  /** A before-hook redirected the call to this target: it is resolved and governed again (the kill switch is not read again). */
  retarget?: string;
}

/** The state of a call as it moves through the pipeline. */
export interface GovernedCallState<Target, Args> {
  readonly kind: GovernedCallKind;
  principal: Principal | null;
  /** The name asked for (after a retarget, the new one). */
  name: string | null;
  target: Target | null;
  args: Args | null;
  decision: PolicyDecision | null;
  approvalId: string | null;
}

/** A call that is past governance: who, what and the decision are known. */
export interface GovernedCallContext<Target, Args> extends GovernedCallState<Target, Args> {
  principal: Principal;
  name: string;
  target: Target;
  args: Args;
  decision: PolicyDecision;
}

/** What the approval stage answers. */
export type GovernedApprovalStep<Result> =
  /** Approved: the call runs, through `once` when given (run at most once per approval; `replayed` when an earlier run's result is handed back). */
  | {
      status: 'approved';
      approvalId: string;
      once?(run: () => Promise<GovernedExecution<Result>>): Promise<{ executed: GovernedExecution<Result>; replayed: boolean }>;
    }
  /** The approval is pending and the caller does not wait: `reply` tells it so. */
  | { status: 'pending'; approvalId: string; reply: Result }
  /** An earlier run of the same approved call already stored its result. */
  | { status: 'replayed'; approvalId: string; executed: GovernedExecution<Result> }
  /** Not approved (denied, expired, cancelled, or the request could not be made). */
  | { status: 'refused'; approvalId: string | null; reason: string; reply?: Result };

/** How a call's execution ended (for a streamed call, how its stream ended). */
export interface GovernedSettlement {
  /** True when the call failed (an error result, an upstream error, a cut stream). */
  failed: boolean;
  /** Why it failed, for the record. */
  reason?: string | null;
  /** Surface data for the usage and audit stages (the gateway's usage record). */
  detail?: unknown;
}

/** What the `execute` stage returns. */
export interface GovernedExecution<Result> {
  /** What the caller gets now (for a streamed call, the reply whose stream is still running). */
  result: Result;
  /** How it ended; omit when `settled` is given. */
  settlement?: GovernedSettlement;
  /** Resolves when a streamed result ends: usage and audit run then. Must never reject. */
  settled?: Promise<GovernedSettlement>;
}

/** The one record of a call, handed to the surface's `usage` and `audit` stages. */
export interface GovernedCallRecord<Target, Args, Result> extends GovernedCallState<Target, Args> {
  principal: Principal;
  outcome: 'succeeded' | 'failed' | 'denied' | 'pending';
  /** The stage the call ended in. */
  stage: GovernedCallStage;
  /** Why it was refused, for refusals. */
  code: GovernedRefusalCode | null;
  reason: string | null;
  /** The result or reply, when there is one. */
  result: Result | null;
  /** How execution ended, for calls that ran. */
  settlement: GovernedSettlement | null;
  /** True when the result came from an earlier execution of the same approved call. */
  replayed: boolean;
  /** The error a stage threw (the pipeline rethrows it after recording). */
  error: unknown;
  durationMs: number;
}

/**
 * The surface-specific parts of a governed call. The pipeline owns the order,
 * the kill switch (read once), the governance decision, plugin
 * `policy.evaluate` hooks, approvals and the single record; the surface says
 * how to find the target, prepare and run the call, count usage and write
 * the record.
 */
export interface GovernedCallSurface<Target, Args, Result> {
  readonly kind: GovernedCallKind;
  /** The kill-switch scope that stops this kind of call. */
  readonly scope: KillSwitchScope;
  /** Who is calling, or null (refused as `unauthenticated`, and not audited: there is nobody to attribute it to). */
  authenticate(): Principal | null | Promise<Principal | null>;
  /** Finds the target named `name` (the first time `name` is null: the surface reads what is asked), or null when there is none. */
  resolve(principal: Principal, name: string | null): Promise<{ name: string; target: Target } | null>;
  /** The target as governance sees it. */
  describe(target: Target): GovernedTarget;
  /** Checks and transforms the input (validation, rate limits, before-hooks); runs only for visible targets. */
  prepare(
    context: GovernedCallState<Target, Args> & { principal: Principal; name: string; target: Target },
  ): Promise<GovernedPreparation<Args> | GovernedRefusalInit<Result>>;
  /** The body a `policy.evaluate` hook of a model call sees (tool calls hand their arguments). */
  policyBody?(context: GovernedCallContext<Target, Args>): Record<string, unknown>;
  /** Asks for approval; without it, a `require_approval` decision is refused. */
  approve?(context: GovernedCallContext<Target, Args>, decision: RequireApprovalDecision): Promise<GovernedApprovalStep<Result>>;
  /** Secures the call's audit before it runs (a durable intent record, or room for the record); a throw refuses the call. */
  intent(context: GovernedCallContext<Target, Args>): void | Promise<void>;
  /** Runs the call. */
  execute(context: GovernedCallContext<Target, Args>): Promise<GovernedExecution<Result>>;
  /** After-hooks and redaction of a finished (not streamed) result; a throw must be turned into a withheld result by the surface. */
  after?(context: GovernedCallContext<Target, Args>, executed: GovernedExecution<Result>): Promise<GovernedExecution<Result>>;
  /** Counts usage (statistics, metering), once per authenticated call whatever its outcome (`record.outcome` says it; refused calls usually count nothing). */
  usage?(record: GovernedCallRecord<Target, Args, Result>): void;
  /** Writes the call's one record (off the request path: it must not throw; a returned promise is awaited in the background). */
  audit(record: GovernedCallRecord<Target, Args, Result>): void | Promise<void>;
  /** How the call appears in a trace; read only when the kernel's `tracing` is on (authenticated calls get one span each). */
  telemetry?: GovernedCallTelemetry<Target, Args, Result>;
}

/** A surface's part of a call's span (OpenTelemetry GenAI conventions). */
export interface GovernedCallTelemetry<Target, Args, Result> {
  /** The incoming W3C trace context (`traceparent`), or null: the span is then a root. */
  carrier(): TraceCarrier | null;
  /** Describes the recorded call for its span (`chat <model>`, `execute_tool <tool>`, attributes); must not throw. */
  describe(record: GovernedCallRecord<Target, Args, Result>, captureContent: boolean): GovernedCallSpan;
}

/** What {@link runGovernedCall} answers. */
export type GovernedCallOutcome<Target, Args, Result> = GovernedCallState<Target, Args> & {
  /** The stages run, in order. */
  trace: GovernedCallStage[];
} & (
    | { status: 'ran'; result: Result; replayed: boolean }
    | { status: 'pending'; result: Result }
    | { status: 'refused'; code: GovernedRefusalCode; reason: string; result: Result | null }
  );
