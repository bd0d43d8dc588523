import { PreloopError } from '@preloop/core';

/**
 * The stable error codes of the approval engine, with their HTTP status.
 * Every refusal carries one of these as `PreloopError.code`.
 */
export const approvalErrorCodes = {
  /** The request's deadline passed before the decision arrived. */
  APPROVAL_EXPIRED: 410,
  /** The request is no longer pending (approved, denied, expired, cancelled or executed). */
  APPROVAL_ALREADY_DECIDED: 409,
  /** The approver already voted the other way on this request. */
  APPROVAL_VOTE_CONFLICT: 409,
  /** The approver is not named by the workflow (users, teams, roles; escalation approvers once escalated). */
  APPROVER_NOT_ELIGIBLE: 403,
  /** Separation of duties: the approver asked for the call, or owns the requesting key or agent. */
  SELF_APPROVAL_FORBIDDEN: 403,
  /** The workflow requires a comment with every decision. */
  APPROVAL_REASON_REQUIRED: 400,
  /** The answer does not fit the question (not one of the options, or free text not allowed). */
  APPROVAL_INVALID_ANSWER: 400,
  /** The request has not been approved (or its execution was not claimed), so it cannot run or store a result. */
  APPROVAL_NOT_APPROVED: 409,
  /** Only a request whose execution outcome is unknown (`execution_unknown`) can have its execution resolved. */
  APPROVAL_EXECUTION_NOT_UNKNOWN: 409,
  /** The decision link token is unknown or malformed. */
  APPROVAL_LINK_INVALID: 403,
  /** The decision link belongs to another request. */
  APPROVAL_LINK_WRONG_REQUEST: 403,
  /** The decision link only allows the other decision. */
  APPROVAL_LINK_DECISION_MISMATCH: 403,
  /** The token in the POST body is missing or differs from the token in the URL. */
  APPROVAL_LINK_TOKEN_MISMATCH: 403,
  /** The decision link was already used (a replay: audited as an alarm). */
  APPROVAL_LINK_USED: 410,
  /** The decision link expired. */
  APPROVAL_LINK_EXPIRED: 410,
  /** The engine is shutting down; the request is left as it is. */
  APPROVALS_CLOSED: 503,
} as const;

/** One of the approval engine's error codes. */
export type ApprovalErrorCode = keyof typeof approvalErrorCodes;

/**
 * Builds a {@link PreloopError} with an approval error code and its status.
 *
 * @example
 * ```ts
 * throw approvalError('APPROVAL_EXPIRED', 'The request expired at 12:00.');
 * ```
 */
export function approvalError(code: ApprovalErrorCode, message: string, details?: Record<string, unknown>): PreloopError {
  return new PreloopError(code, message, { status: approvalErrorCodes[code], ...(details ? { details } : {}) });
}

/**
 * True when `error` is a unique-constraint violation on SQLite or PostgreSQL.
 *
 * @example
 * ```ts
 * if (isUniqueViolation(error)) return joinExisting();
 * ```
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
