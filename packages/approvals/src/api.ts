/**
 * `@preloop/approvals/api`: the types of the approvals plugin's admin API,
 * derived from the zod schemas its routes validate and answer with. Types
 * only, no run-time code: a browser client imports them with `import type`.
 *
 * @example
 * ```ts
 * import type { ApprovalDetail, DecideApprovalInput } from '@preloop/approvals/api';
 * ```
 *
 * @module
 */
export type { ApprovalRequestView, ArgumentRedaction, FactorTally, ApprovalStatus, ApprovalKind } from '@preloop/core';
export type {
  ApprovalArguments,
  ApprovalDetail,
  ApprovalListItem,
  ApprovalListParams,
  ApprovalPage,
  ApprovalReadiness,
  ApprovalTimelineEntry,
  ApprovalVoteView,
  CancelApprovalInput,
  DecideApprovalInput,
  DecideApprovalResult,
  DecisionRefusal,
  LinkDecisionInput,
  LinkDecisionResult,
  MintedDecisionLink,
  MintLinkBody,
  ReadinessUser,
  ResolveExecutionBody,
  ViewerDecision,
  WorkflowReadiness,
  WorkflowReadinessStatus,
} from './api-schemas.js';
