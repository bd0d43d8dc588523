import type { Principal } from '../identity/principal.js';

/** The life of an approval request. `executed` follows `approved` once the call has run. */
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled' | 'executed';

/** What needs approving: the exact call, bound to its subject, arguments and tool definition. */
export interface ApprovalRequestInput {
  /** Who asks. */
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
  /** What kind of request: a governed tool call, an explicit `request_approval`, or an `ask_user` question. @default 'tool_call' */
  kind?: 'tool_call' | 'request' | 'question';
  /** For questions: the options offered and whether free text is allowed. */
  question?: { text: string; options: string[]; allowFreeText: boolean };
}

/** The final word on an approval request. */
export interface ApprovalOutcome {
  id: string;
  status: ApprovalStatus;
  /** The approvers' comments, or the answer to a question. */
  comment?: string | null;
  answer?: string | null;
}

/** A created or joined approval request, as handed back to the caller that must wait. */
export interface ApprovalTicket {
  id: string;
  status: ApprovalStatus;
  /** True when an identical pending request already existed and this call joined it. */
  joined: boolean;
  expiresAt: number;
  /** Stored result of an already executed call, so a retry does not execute again. */
  storedResult?: unknown;
}

/**
 * The approval provider contract (version 1), implemented by `@preloop/approvals`
 * and installed through the `approval.request` hook.
 */
export interface ApprovalProvider {
  /** Creates the request, or joins the pending one with the same binding. */
  request(input: ApprovalRequestInput): Promise<ApprovalTicket>;
  /** Resolves when the request is decided (on any instance), expires or is cancelled; rejects when `signal` aborts. */
  wait(id: string, options?: { signal?: AbortSignal }): Promise<ApprovalOutcome>;
  /** Reads a request's current status. */
  status(id: string, accountId: string): Promise<ApprovalOutcome | null>;
  /** Cancels a pending request (for example on `notifications/cancelled`). */
  cancel(id: string, actor: Principal, reason?: string): Promise<void>;
  /** Claims execution of an approved request exactly once; false when it was already claimed. */
  claimExecution(id: string): Promise<boolean>;
  /** Stores the result of the executed call. */
  storeResult(id: string, result: unknown): Promise<void>;
}
