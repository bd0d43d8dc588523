import {
  redactArguments,
  type ApprovalKind,
  type ApprovalOutcome,
  type ApprovalRequestView,
  type ApprovalStatus,
  type ApprovalWorkflow,
  type Principal,
} from '@preloop/core';
import type { ApprovalTimelineEntry, ApprovalVoteView } from './api-schemas.js';
import type { ApprovalEventRow, ApprovalRequestRow, ApprovalVoteRow } from './tables.js';

export type { ApprovalVoteView, ApprovalTimelineEntry, ApprovalDetail } from './api-schemas.js';

/** Statuses that will not change again except approved → executed | execution_unknown (and an admin's resolution of the latter). */
export const finalStatuses: readonly ApprovalStatus[] = ['approved', 'denied', 'expired', 'cancelled', 'executed', 'execution_unknown'];

/**
 * Parses a JSON text column.
 *
 * @example
 * ```ts
 * const workflow = parseJson<ApprovalWorkflow>(row.workflow_json);
 * ```
 */
export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** The workflow snapshot of a request row. */
export function workflowOf(row: ApprovalRequestRow): ApprovalWorkflow {
  return JSON.parse(row.workflow_json) as ApprovalWorkflow;
}

/** The principal snapshot of a request row. */
export function principalOf(row: ApprovalRequestRow): Principal {
  return JSON.parse(row.principal) as Principal;
}

const nullableNumber = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/**
 * Normalizes a row read from either dialect (PostgreSQL BIGINT and SQLite integers both become numbers).
 *
 * @example
 * ```ts
 * const row = normalizeRow(await db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirst());
 * ```
 */
export function normalizeRow(row: ApprovalRequestRow): ApprovalRequestRow {
  return {
    ...row,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    expires_at: Number(row.expires_at),
    escalate_at: nullableNumber(row.escalate_at),
    escalated_at: nullableNumber(row.escalated_at),
    decided_at: nullableNumber(row.decided_at),
    execution_claimed: Number(row.execution_claimed),
    execution_claimed_at: nullableNumber(row.execution_claimed_at),
    execution_lease_expires_at: nullableNumber(row.execution_lease_expires_at),
    execution_idempotent: Number(row.execution_idempotent ?? 0),
    executed_at: nullableNumber(row.executed_at),
    ai_review_due_at: nullableNumber(row.ai_review_due_at),
    ai_review_attempts: Number(row.ai_review_attempts ?? 0),
  };
}

/**
 * The public view of a request (what notifiers, the API and the console see).
 *
 * @example
 * ```ts
 * const view = toRequestView(row, { approve: 1, deny: 0 });
 * ```
 */
export function toRequestView(row: ApprovalRequestRow, votes: { approve: number; deny: number }): ApprovalRequestView {
  const principal = principalOf(row);
  const workflow = workflowOf(row);
  // Approvers, notifiers and the console see secrets redacted and long values cut; the exact arguments stay behind args_hash.
  const shown = redactArguments(JSON.parse(row.args_json) as Record<string, unknown>);
  return {
    id: row.id,
    accountId: row.account_id,
    status: row.status as ApprovalStatus,
    kind: row.kind as ApprovalKind,
    tool: { name: row.tool_name, definitionHash: row.tool_definition_hash },
    args: shown.args,
    argsRedactions: shown.redactions,
    argsHash: row.args_hash,
    subject: {
      type: principal.type,
      id: principal.id,
      name: principal.name,
      userId: principal.userId,
      apiKeyId: principal.apiKeyId,
      agentId: principal.agentId,
    },
    runtimeSessionId: row.runtime_session_id,
    workflow: {
      name: row.workflow_name,
      quorum: workflow.factors ? workflow.factors.reduce((sum, factor) => sum + factor.quorum, 0) : workflow.quorum,
      requireReason: workflow.requireReason,
      escalates: workflow.escalation !== undefined,
      ...(workflow.factors ? { factors: workflow.factors.map((factor) => ({ name: factor.name, quorum: factor.quorum })) } : {}),
    },
    reason: row.reason,
    justification: row.justification,
    question: parseJson(row.question),
    votes,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    escalatedAt: row.escalated_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    comment: row.decision_comment,
    answer: row.answer,
    outcomeReason: row.outcome_reason,
    executedAt: row.executed_at,
    execution:
      row.execution_claimed === 1 && row.execution_claimed_at !== null
        ? {
            claimedAt: row.execution_claimed_at,
            leaseExpiresAt: row.execution_lease_expires_at,
            idempotent: row.execution_idempotent === 1,
          }
        : null,
  };
}

/**
 * The outcome of a request row, as `wait` and `status` return it.
 *
 * @example
 * ```ts
 * const outcome = toOutcome(row); // { id, status: 'approved', comment: 'ok', answer: null, reason: null }
 * ```
 */
export function toOutcome(row: ApprovalRequestRow): ApprovalOutcome {
  const outcome: ApprovalOutcome = {
    id: row.id,
    status: row.status as ApprovalStatus,
    comment: row.decision_comment,
    answer: row.answer,
    reason: row.outcome_reason,
  };
  if (row.status === 'approved' && row.execution_lease_expires_at !== null) outcome.leaseExpiresAt = row.execution_lease_expires_at;
  return outcome;
}

/** A vote row as the API shows it. */
export function toVoteView(row: ApprovalVoteRow): ApprovalVoteView {
  return {
    approverId: row.approver_id,
    decision: row.decision as 'approve' | 'deny',
    comment: row.comment,
    answer: row.answer,
    channel: row.channel,
    createdAt: Number(row.created_at),
    approverType: row.approver_type === 'ai' ? 'ai' : 'user',
    confidence: row.confidence === null || row.confidence === undefined ? null : Number(row.confidence),
  };
}

/** A timeline row as the API shows it. */
export function toTimelineEntry(row: ApprovalEventRow): ApprovalTimelineEntry {
  return {
    id: row.id,
    time: Number(row.time),
    type: row.type,
    actorId: row.actor_id,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}
