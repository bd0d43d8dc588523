import type { Principal } from '../identity/principal.js';
import type { PolicyWorkflow } from '../policy/policy-schema.js';

/**
 * The life of an approval request: `pending` → `approved` | `denied` | `expired`
 * | `cancelled`; `approved` → `executed` once the call has run and its result is stored;
 * `approved` → `execution_unknown` when the instance running the call stopped
 * (its execution lease expired) and the tool is not idempotent: approved, outcome
 * not known, never run again (an admin resolves it).
 */
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled' | 'executed' | 'execution_unknown';

/** What kind of request: a governed tool call, an explicit `request_approval`, or an `ask_user` question. */
export type ApprovalKind = 'tool_call' | 'request' | 'question';

/**
 * An approval workflow as the engine runs it: the policy document's
 * `workflows.<name>` entry (approvers, quorum, timeout, escalation, reason,
 * separation of duties). The engine snapshots it on each request.
 */
export type ApprovalWorkflow = PolicyWorkflow;

/** What needs approving: the exact call, bound to its subject, arguments and tool definition. */
export interface ApprovalRequestInput {
  /** Who asks. Its runtime session, API key and agent are part of the binding. */
  principal: Principal;
  /** The tool and the hash of its pinned definition. */
  tool: { name: string; definitionHash: string | null };
  /** The exact arguments; the request binds their canonical hash. */
  args: Record<string, unknown>;
  /** The policy workflow to use. */
  workflow: string;
  /** Why policy asked for approval (shown to approvers). */
  reason?: string;
  /** The agent's own justification, if it gave one (shown to approvers, never trusted). */
  justification?: string;
  /** What kind of request. @default 'tool_call' */
  kind?: ApprovalKind;
  /** For questions: the options offered and whether free text is allowed. */
  question?: { text: string; options: string[]; allowFreeText: boolean };
}

/** The final word on an approval request (or its current state, from `status`). */
export interface ApprovalOutcome {
  id: string;
  status: ApprovalStatus;
  /** The deciding approver's comment. */
  comment?: string | null;
  /** The answer to a question (`ask_user`). */
  answer?: string | null;
  /** Why it ended this way when no approver said so: `timeout`, `flood_control: …`, a cancel reason. */
  reason?: string | null;
  /** While an approved call is claimed and running: when its execution lease ends (epoch ms), else null. */
  leaseExpiresAt?: number | null;
}

/** A created or joined approval request, as handed back to the caller that must wait. */
export interface ApprovalTicket {
  id: string;
  /** Usually `pending`; `denied` when refused at once (flood control); `approved` or `executed` when a retry joins a decided request. */
  status: ApprovalStatus;
  /** True when an identical request (same binding) already existed and this call joined it. */
  joined: boolean;
  expiresAt: number;
  /** Why the request was refused at once (for example `flood_control: …`). */
  reason?: string | null;
  /** Stored result of an already executed call, so a retry does not execute again. */
  storedResult?: unknown;
}

/**
 * The approval provider contract (version 1), implemented by `@preloop/approvals`
 * and installed through the `approval.request` hook. A caller that gets a
 * ticket waits for it (or polls `status` in async mode), then, only when the
 * outcome is `approved`, claims execution, runs the call and stores its result.
 */
export interface ApprovalProvider {
  /** Creates the request, or joins the pending one with the same binding (or returns an executed one's stored result). */
  request(input: ApprovalRequestInput): Promise<ApprovalTicket>;
  /** Resolves when the request is decided (on any instance), expires or is cancelled; rejects when `signal` aborts. */
  wait(id: string, options?: { signal?: AbortSignal }): Promise<ApprovalOutcome>;
  /** Reads a request's current status; null when the account has no such request. */
  status(id: string, accountId: string): Promise<ApprovalOutcome | null>;
  /** Cancels a pending request (for example on `notifications/cancelled`). A decided request is a 409. */
  cancel(id: string, actor: Principal, reason?: string): Promise<void>;
  /**
   * Claims execution of an approved request exactly once; false when it was
   * already claimed or is not approved. The claim is a lease the provider
   * renews while this process lives; when the process dies, the lease expires
   * and the request becomes `execution_unknown` (or, for an `idempotent` tool,
   * claimable again).
   */
  claimExecution(id: string, options?: { idempotent?: boolean }): Promise<boolean>;
  /** Stores the result of the executed call (status becomes `executed`); only after a successful claim. */
  storeResult(id: string, result: unknown): Promise<void>;
}
