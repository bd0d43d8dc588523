import type { KernelTables } from '@preloop/core';

/**
 * Row types of the approval engine's tables, as Kysely sees them. Times are
 * epoch milliseconds; JSON columns hold text; booleans are 0/1.
 */

/** One approval request. */
export interface ApprovalRequestRow {
  id: string;
  account_id: string;
  /** pending, approved, denied, expired, cancelled, executed or execution_unknown. */
  status: string;
  /** tool_call, request or question. */
  kind: string;
  /** JSON snapshot of the requesting principal. */
  principal: string;
  /** `<principal type>:<principal id>`: what flood control counts. */
  subject_key: string;
  subject_user_id: string | null;
  subject_api_key_id: string | null;
  subject_agent_id: string | null;
  runtime_session_id: string | null;
  tool_name: string;
  tool_definition_hash: string | null;
  /** Canonical JSON of the arguments. */
  args_json: string;
  /** SHA-256 (hex) of `args_json`. */
  args_hash: string;
  /** SHA-256 of (account, kind, subject, session, tool, args hash, definition hash). */
  binding_key: string;
  /** `binding_key` while pending, NULL after: UNIQUE, so one pending request per binding. */
  pending_binding: string | null;
  workflow_name: string;
  /** JSON snapshot of the workflow taken at creation. */
  workflow_json: string;
  /** JSON array of user ids who may not approve (separation of duties). */
  excluded_user_ids: string;
  reason: string | null;
  justification: string | null;
  /** JSON `{ text, options, allowFreeText }` for questions. */
  question: string | null;
  created_at: number;
  updated_at: number;
  expires_at: number;
  /** When escalation fires (NULL without escalation). */
  escalate_at: number | null;
  escalated_at: number | null;
  decided_at: number | null;
  /** The user whose vote resolved the request. */
  decided_by: string | null;
  decision_comment: string | null;
  answer: string | null;
  /** Why it ended without a resolving vote: timeout, flood control, cancel reason. */
  outcome_reason: string | null;
  /** JSON of the stored result of the executed call. */
  result_json: string | null;
  execution_claimed: number;
  execution_claimed_at: number | null;
  /** The instance holding the execution claim (a random id per engine). */
  execution_claimed_by: string | null;
  /** When the execution lease lapses unless renewed (epoch ms); NULL when not claimed or settled. */
  execution_lease_expires_at: number | null;
  /** 1 when the claimed tool declared itself idempotent: a lapsed lease makes it claimable again. */
  execution_idempotent: number;
  executed_at: number | null;
  /** When the AI reviewer must (re)run; while it runs, the end of its lease; NULL when there is none or it answered. */
  ai_review_due_at: number | null;
  /** AI review attempts started (a restart mid-review starts another; after 3 the fallback applies). */
  ai_review_attempts: number;
}

/** One approver's vote: UNIQUE (request_id, approver_id), so it counts once. */
export interface ApprovalVoteRow {
  id: string;
  account_id: string;
  request_id: string;
  approver_id: string;
  /** approve or deny. */
  decision: string;
  comment: string | null;
  answer: string | null;
  /** Where it came from: api, link, slack, push… (`ai` for the AI reviewer). */
  channel: string;
  created_at: number;
  /** `user`, or `ai` for the AI reviewer's vote (never counted toward quorum, factors or separation of duties). */
  approver_type: string;
  /** The AI reviewer's confidence (0..1); NULL for a user's vote. */
  confidence: number | null;
}

/** One entry of a request's timeline. */
export interface ApprovalEventRow {
  id: string;
  account_id: string;
  request_id: string;
  time: number;
  /** requested, joined, vote, approved, denied, expired, escalated, cancelled, execution_claimed, executed, execution_lease_expired, execution_unknown, execution_resolved, notified, notify_failed, link_minted, link_refused, decision_refused. */
  type: string;
  actor_id: string | null;
  /** JSON details. */
  data: string;
}

/** A decision-link token: only its SHA-256 is stored. */
export interface ApprovalLinkRow {
  id: string;
  account_id: string;
  request_id: string;
  approver_id: string;
  token_hash: string;
  /** approve or deny when the link allows only one; NULL for either. */
  decision: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/**
 * One delivery of the notification outbox: a notification to one recipient
 * through one notifier. UNIQUE (request_id, type, notifier_id,
 * recipient_key), so each is sent at most once; its id is the idempotency key.
 */
export interface ApprovalDeliveryRow {
  id: string;
  account_id: string;
  request_id: string;
  /** approval.requested, approval.escalated or approval.resolved. */
  type: string;
  notifier_id: string;
  /** The recipient's user id; `*` for a channel notifier; empty for a `planned` row (recipients not resolved yet); `digest:<userId>` for a digest. */
  recipient_key: string;
  /** JSON `{ userId, name, email }` of the recipient, or NULL. */
  recipient: string | null;
  /** The personal decision links, sealed with the kernel's secret key (bound to this row), or NULL. */
  links_sealed: string | null;
  /** planned, expanded, pending, sending, sent, failed, given_up, skipped, held (for a digest) or digested. */
  status: string;
  /** Finished attempts. */
  attempts: number;
  /** When the row may be claimed (epoch ms). */
  next_attempt_at: number;
  /** The instance holding the claim, and until when; a lapsed lease makes the row claimable again. */
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_error: string | null;
  /** What the notifier returned to edit the message later (`update`). */
  message_ref: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

/** One approver's notification preferences (JSON of `NotificationPreferences`). */
export interface ApprovalNotificationPreferencesRow {
  account_id: string;
  user_id: string;
  preferences: string;
  updated_at: number;
}

/**
 * The approval engine's tables, with the kernel's (so `preloop.db.withTables<ApprovalTables>()`
 * is a `Kysely<ApprovalTables>`).
 */
export type ApprovalTables = KernelTables & {
  approval_requests: ApprovalRequestRow;
  approval_votes: ApprovalVoteRow;
  approval_events: ApprovalEventRow;
  approval_links: ApprovalLinkRow;
  approval_deliveries: ApprovalDeliveryRow;
  approval_notification_preferences: ApprovalNotificationPreferencesRow;
};
