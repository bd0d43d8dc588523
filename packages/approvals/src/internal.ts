/**
 * `@preloop/approvals/internal`: the zod schemas of the approvals plugin's admin
 * API routes and the engine's shared context. Not part of the public API: they
 * may change in any release. `@preloop/approvals/api` derives its types from
 * the schemas (`z.output<typeof approvalDetailSchema>`) and `readApprovalArguments`
 * takes the engine context, so the API reference lists them under this entry
 * for those to link to.
 *
 * @module
 */

export {
  approvalArgumentsSchema,
  approvalDetailSchema,
  approvalListItemSchema,
  approvalListQuerySchema,
  approvalPageSchema,
  approvalReadinessSchema,
  approvalTimelineEntrySchema,
  approvalVoteSchema,
  cancelApprovalBodySchema,
  decideApprovalBodySchema,
  decideApprovalResultSchema,
  decisionRefusals,
  linkDecisionBodySchema,
  linkDecisionResultSchema,
  mintLinkBodySchema,
  mintedDecisionLinkSchema,
  readinessUserSchema,
  resolveExecutionBodySchema,
  viewerDecisionSchema,
  workflowReadinessSchema,
} from './api-schemas.js';
export { notificationPreferencesSchema } from './notification-preferences.js';
export type { EngineContext } from './engine-context.js';
export type { ApproverDirectory, ApproverUser } from './approver-directory.js';
