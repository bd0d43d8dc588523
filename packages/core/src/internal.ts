/**
 * `@preloop/core/internal`: helpers Preloop's own packages (`@preloop/approvals`,
 * `@preloop/mcp`, `@preloop/gateway`) share with the kernel. Not part of the
 * public API: they may change in any release. The API reference lists them
 * under this entry so the public types that mention them link somewhere.
 *
 * @module
 */

export { createToken } from './ids.js';
export { optionsSchema as preloopOptionsSchema } from './kernel/options.js';
export { toStoreUnavailableError, isStoreUnavailable } from './storage/store-unavailable.js';
export { parseJsonColumn } from './storage/schema.js';
export { roleAtLeast } from './identity/principal.js';
export { redactAuditData, redactString } from './audit/redact.js';
export { sha256Hex } from './json/canonical-json.js';
export { hasCredentialInQuery } from './identity/authenticate.js';
export { adminApiBasePath, isFormPost } from './api/create-admin-api.js';
export { unifiedLineDiff } from './policy/diff-policy.js';
export { unknownToolReason } from './policy/policy-decision.js';
export { workflowFactorSchema, checkWorkflowShape, aiReviewerSchema } from './policy/policy-schema.js';
export { tallyFactors, workflowFactors } from './policy/workflow-factors.js';
export { compileGlob, compileGlobs, globPatternProblem, isCanonicalName, matchGlobs, type CompiledGlob } from './policy/tool-glob.js';
export { governanceBusChannel } from './governance/governance-signals.js';
export type { GovernanceSignal } from './governance/governance-signals.js';
export { createAccountCache } from './bus/account-cache.js';
export type { AccountCache, AccountCacheOptions, AccountCacheSignal } from './bus/account-cache.js';

// The zod schemas the admin API routes declare. `@preloop/core/api` derives its
// types from them (`z.output<typeof userSchema>`), so the API reference lists
// them here for those types to link to.
export { auditPageSchema, auditQuery, auditRecordSchema, publicKeySchema, verifyReportSchema } from './api/routes/audit-routes.js';
export { permissionCheckQuery, preToolUseAnswerSchema, preToolUseBodySchema } from './api/routes/permission-check-routes.js';
export {
  activateKillSwitchBody,
  applyPolicyBody,
  deactivateKillSwitchBody,
  diffPolicyBody,
  exportPolicyQuery,
  rollbackPolicyBody,
  simulatePolicyBody,
  validatePolicyBody,
} from './api/routes/governance-routes.js';
export {
  killSwitchStateSchema,
  policyDecisionSchema,
  policyDiffSchema,
  policySimulationSchema,
  policyValidationSchema,
  policyVersionListSchema,
  policyVersionSchema,
} from './api/routes/governance-schemas.js';
export { agentListQuery, agentReasonBody, enrollAgentBody } from './api/routes/identity/agent-routes.js';
export { apiKeyListQuery, createApiKeyBody } from './api/routes/identity/api-key-routes.js';
export { changePasswordBody, loginBody } from './api/routes/identity/auth-routes.js';
export {
  agentSchema,
  apiKeySchema,
  createdApiKeySchema,
  loginResponseSchema,
  meResponseSchema,
  passwordChangeSchema,
  passwordResetSchema,
  principalSchema,
  runtimeCredentialSchema,
  runtimeSessionSchema,
  sessionActivitySchema,
  startedRuntimeSessionSchema,
  teamSchema,
  userSchema,
} from './api/routes/identity/identity-schemas.js';
export { listQuery } from './api/routes/identity/route-helpers.js';
export { endRuntimeSessionBody, runtimeSessionListQuery, startRuntimeSessionBody } from './api/routes/identity/runtime-session-routes.js';
export { createTeamBody, renameTeamBody, setTeamMembersBody } from './api/routes/identity/team-routes.js';
export { createUserBody, resetPasswordBody, updateUserBody, userListQuery } from './api/routes/identity/user-routes.js';
export { healthResponse, liveResponse, notReadyResponse, readyResponse } from './api/routes/system-routes.js';
export {
  createCommentBody,
  createIssueBody,
  issueDetailSchema,
  issueListQuery,
  projectSyncStatusSchema,
  similarIssuesQuery,
  similarIssuesSchema,
  startSyncBody,
  storedCommentSchema,
  storedIssueSchema,
  syncStatusSchema,
} from './trackers/sync/issue-routes.js';
export {
  oauthClientRegistrationSchema,
  oauthErrorSchema,
  oauthFormBody,
  oauthMetadataSchema,
  oauthRegistrationBody,
  oauthTokenSchema,
} from './oauth/oauth-routes.js';
export { oauthGrantListSchema, oauthGrantSchema } from './oauth/oauth-grant-routes.js';
export {
  createTrackerConnectionBody,
  installedTrackerSchema,
  linkMyTrackerCredentialBody,
  myTrackerCredentialSchema,
  trackerConnectionSchema,
  trackerConnectionWithSecretSchema,
  trackerProjectSchema,
  trackerProjectsQuery,
  trackerTestSchema,
  updateTrackerConnectionBody,
  updatedTrackerConnectionSchema,
} from './trackers/tracker-routes.js';
export { webhookAnswerSchema } from './trackers/tracker-webhook-route.js';
