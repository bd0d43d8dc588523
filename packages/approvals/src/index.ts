/**
 * `@preloop/approvals`: the approval engine plugin. Durable requests bound to
 * the exact call, workflows with quorum, timeouts and escalation, separation
 * of duties, single-use decision links, notifier dispatch and flood control.
 *
 * @packageDocumentation
 */
import './approval-events.js';

export { approvals } from './approvals-plugin.js';
export type { ApprovalsOptions, ResolvedApprovalsOptions } from './options.js';
export { resolveApprovalsOptions } from './options.js';
export { createApprovalEngine } from './create-approval-engine.js';
export type { ApprovalEngine } from './create-approval-engine.js';
export type { DecideInput, DecideResult, ApprovalDecision } from './decide.js';
export { approverUserIdOf } from './decide.js';
export type { MintLinkInput, MintedDecisionLink } from './decision-links.js';
export { decisionLinkPath, decisionLinkPrefix } from './decision-links.js';
export type { ApprovalDetailFor, ApprovalListQuery, ApprovalViewFor } from './queries.js';
export { decisionRights, decideMinimumRole } from './decision-rights.js';
export type { DecisionRefusal, ViewerDecision, DecisionRightsInput } from './decision-rights.js';
export type { ApprovalReadiness, WorkflowReadiness, WorkflowReadinessStatus, ReadinessUser } from './readiness.js';
export type { ExecutionResolution, ResolveExecutionInput } from './resolve-execution.js';
export type { ApprovalDetail, ApprovalVoteView, ApprovalTimelineEntry } from './views.js';
export type { ApprovalListItem } from './api-schemas.js';
export { approvalErrorCodes } from './errors.js';
export type { ApprovalErrorCode } from './errors.js';
export { approvalsBusChannel } from './approval-events.js';
export type { ApprovalBusMessage, ApprovalChange } from './approval-events.js';
export { bindingKey } from './binding-key.js';
export type { BindingParts } from './binding-key.js';
export {
  approvalWorkflowSchema,
  fallbackWorkflow,
  normalizeWorkflow,
  matchesApprovers,
  isEligibleApprover,
  eligibleFactors,
} from './workflows.js';
export { readApprovalArguments } from './arguments-route.js';
export type { ApprovalArguments } from './arguments-route.js';
export type { ApprovalWorkflowInput, ApproverSet, WorkflowResolver, WorkflowSource, ApproverFacts } from './workflows.js';
export { approvalMigrations } from './migrations.js';
export type {
  ApprovalTables,
  ApprovalRequestRow,
  ApprovalVoteRow,
  ApprovalEventRow,
  ApprovalLinkRow,
  ApprovalDeliveryRow,
  ApprovalNotificationPreferencesRow,
} from './tables.js';
