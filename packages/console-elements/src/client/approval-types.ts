/**
 * The admin API shapes of the approvals plugin (`@preloop/approvals`) that
 * core does not define: a request's votes and timeline, list filters, and
 * the decide call. The request itself is core's `ApprovalRequestView`
 * (re-exported as `ApprovalRequest`). Kept here rather than imported, because
 * the elements may import types from core only and work against servers
 * without the plugin.
 *
 * @module
 */
import type { ApprovalKind, ApprovalRequestView, ApprovalStatus, FactorTally } from '@preloop/core';
import type { ListParams } from './api-types.js';

/** One approver's vote (`GET /approvals/:id`). */
export interface ApprovalVote {
  approverId: string;
  decision: 'approve' | 'deny';
  comment: string | null;
  /** The answer the approver gave to a question (`ask_user`). */
  answer: string | null;
  /** Where it came from: `api`, `link`, … */
  channel: string;
  createdAt: number;
}

/** One entry of an approval request's timeline. */
export interface ApprovalTimelineEntry {
  id: string;
  time: number;
  /** requested, joined, vote, approved, denied, expired, escalated, cancelled, execution_claimed, executed, notified, … */
  type: string;
  actorId: string | null;
  data: Record<string, unknown>;
}

/**
 * Why the signed-in principal may not decide a request: `viewer_role` (the
 * role is below approver), `read_only_key` (an API key without
 * `admin:write`), `requester` (they asked for the call),
 * `key_owner` (they own the requesting API key or agent), `already_voted`,
 * `not_an_approver` (the workflow does not name them), `not_pending`.
 */
export type ApprovalRefusal = 'viewer_role' | 'read_only_key' | 'requester' | 'key_owner' | 'already_voted' | 'not_an_approver' | 'not_pending';

/** Whether the signed-in principal may decide a request (the `viewer` field of `GET /approvals` items and `GET /approvals/:id`). */
export interface ApprovalViewer {
  canDecide: boolean;
  /** Set when `canDecide` is false. */
  reason?: ApprovalRefusal;
  /** With `already_voted`: the vote cast. */
  vote?: 'approve' | 'deny';
}

/** An item of `GET /approvals`: the request and, from servers that say it, whether you may decide it. */
export interface ApprovalListItem extends ApprovalRequestView {
  /** Absent from servers older than this field (then the console decides by role). */
  viewer?: ApprovalViewer;
}

/** A user named by {@link ApprovalReadiness}. */
export interface ReadinessUser {
  id: string;
  name: string;
  email: string;
}

/** One workflow of `GET /approvals/readiness`. */
export interface WorkflowReadiness {
  workflow: string;
  source: string;
  /** `ready`; `no_approvers` (fewer enabled approvers than its quorum); `self_approval_only` (only the owners of the agents could approve, and separation of duties forbids it). */
  status: 'ready' | 'no_approvers' | 'self_approval_only';
  separationOfDuties: boolean;
  approvers: ReadinessUser[];
  /** The users whose agents' and keys' calls nobody can approve. */
  blockedOwners: ReadinessUser[];
  message: string | null;
}

/** `GET /approvals/readiness`: whether the workflows can approve what agents ask. */
export interface ApprovalReadiness {
  ready: boolean;
  workflows: WorkflowReadiness[];
  /** The ways out, when not ready. */
  remedies: string[];
}

/** A request with its votes and timeline (`GET /approvals/:id`). */
export interface ApprovalDetail extends ApprovalListItem {
  voteList: ApprovalVote[];
  timeline: ApprovalTimelineEntry[];
  /** True when the executed call's result is stored. */
  hasResult: boolean;
  /** With a factored workflow: who counts toward each factor so far; null otherwise (absent on older servers). */
  factorTallies?: FactorTally[] | null;
}

/** Filters of `GET /approvals`. */
export interface ApprovalListParams extends ListParams {
  status?: ApprovalStatus;
  kind?: ApprovalKind;
  tool?: string;
  /** `<principal type>:<principal id>`. */
  subject?: string;
}

/** What `POST /approvals/:id/decide` takes. */
export interface DecideApprovalInput {
  /** For a question, `approve` sends the answer and `deny` declines to answer. */
  decision: 'approve' | 'deny';
  comment?: string;
  /** The answer to a question (`ask_user`): one of its options, or free text when the question allows it. */
  answer?: string;
}

/** What `POST /approvals/:id/resolve-execution` takes: what an admin found out about a call whose outcome is unknown. */
export interface ResolveExecutionInput {
  /** `executed`: it ran (nothing runs again); `not_executed`: it did not (the next identical call runs it, once). */
  outcome: 'executed' | 'not_executed';
  /** What was checked (kept on the timeline and in the audit trail). */
  note: string;
}

/** What `POST /approvals/:id/decide` returns. */
export interface DecideApprovalResult {
  /** The request as it now stands. */
  request: ApprovalRequestView;
  /** False when this approver had already voted the same way. */
  counted: boolean;
  /** True when this vote resolved the request. */
  resolved: boolean;
}
