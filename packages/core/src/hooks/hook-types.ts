import type { AuditRecord } from '../audit/audit-types.js';
import type { ApprovalProvider } from '../contracts/approval.js';
import type { ToolResult } from '../contracts/tool.js';
import type { Principal } from '../identity/principal.js';
import type { PolicyDecision, ToolCallInput } from '../policy/index.js';

/** A tool call as `policy.evaluate` hooks see it (`kind: 'tool_call'`). */
export type ToolCallPolicyInput = ToolCallInput & { kind: 'tool_call' };

/** A model call through the gateway as `policy.evaluate` hooks see it. */
export interface ModelCallPolicyInput {
  /** The kind of call. */
  kind: 'model_call';
  /** Who is calling. */
  subject: Principal;
  /** The model alias being called (after `modelNames` mapping and `model.before`). */
  model: { name: string };
  /** The request body in the ingress format (after `model.before`); read it, do not change it. */
  body: Record<string, unknown>;
  /** The time of the call in epoch milliseconds. */
  time?: number;
}

/**
 * Whether `tools/list` shows a tool to the subject (no arguments yet): a hook
 * that answers `deny` hides it (a throw hides it too); any other answer, or
 * none, leaves it listed. A hook that narrows which tools a subject may call
 * answers this too, so the listing is as narrow as the calls.
 */
export interface ToolListingPolicyInput {
  /** The kind of question. */
  kind: 'tool_listing';
  /** Who lists the tools. */
  subject: Principal;
  /** The tool's canonical name. */
  tool: { name: string };
}

/**
 * What a `policy.evaluate` hook decides on: a tool call (MCP), a model call
 * (gateway), or whether a tool is listed. Check `input.kind` before reading
 * `tool`, `args` or `model`.
 */
export type PolicyHookInput = ToolCallPolicyInput | ModelCallPolicyInput | ToolListingPolicyInput;

/** A tool call as it passes through `tool.before`. */
export interface ToolCallEnvelope {
  principal: Principal;
  tool: string;
  args: Record<string, unknown>;
}

/** A tool result as it passes through `tool.after`. */
export interface ToolResultEnvelope {
  principal: Principal;
  tool: string;
  args: Record<string, unknown>;
  result: ToolResult;
}

/** A model request as it passes through `model.before`. */
export interface ModelCallEnvelope {
  principal: Principal;
  model: string;
  /** The request body in the ingress format. */
  body: Record<string, unknown>;
}

/** A model response as it passes through `model.after` (non-streaming bodies only). */
export interface ModelResultEnvelope extends ModelCallEnvelope {
  response: Record<string, unknown>;
}

/**
 * The closed set of hooks. Hooks decide; events observe. An unknown hook name
 * is a configuration error. Run strategies:
 *
 * - `policy.evaluate`: every evaluator runs, for tool calls and model calls
 *   alike (`input.kind`); deny overrides require-approval overrides allow; an
 *   evaluator that throws counts as deny. Returning `undefined` abstains.
 * - `approval.request`: exactly one provider (the approvals plugin). With none,
 *   a require-approval decision becomes a deny that says so. A second provider
 *   is a configuration error.
 * - `audit.record`: all sinks run after the record is stored; a sink failure
 *   never breaks the request (it emits `hook-failed`).
 * - `tool.before` / `tool.after` / `model.before` / `model.after`: run in
 *   plugin order, each receiving the previous one's output; they may transform.
 * - `authenticate`: the host's own authentication; the first to return a
 *   principal wins. Runs after the built-in credentials are tried.
 */
export interface HookHandlers {
  'policy.evaluate': (input: PolicyHookInput) => PolicyDecision | undefined | Promise<PolicyDecision | undefined>;
  'approval.request': ApprovalProvider;
  'audit.record': (record: AuditRecord) => void | Promise<void>;
  'tool.before': (call: ToolCallEnvelope) => ToolCallEnvelope | Promise<ToolCallEnvelope>;
  'tool.after': (result: ToolResultEnvelope) => ToolResultEnvelope | Promise<ToolResultEnvelope>;
  'model.before': (call: ModelCallEnvelope) => ModelCallEnvelope | Promise<ModelCallEnvelope>;
  'model.after': (result: ModelResultEnvelope) => ModelResultEnvelope | Promise<ModelResultEnvelope>;
  authenticate: (request: Request) => Principal | null | Promise<Principal | null>;
}

/** The name of a hook. */
export type HookName = keyof HookHandlers;

/** Every hook name, for validating plugins. */
export const hookNames: readonly HookName[] = [
  'policy.evaluate',
  'approval.request',
  'audit.record',
  'tool.before',
  'tool.after',
  'model.before',
  'model.after',
  'authenticate',
];
