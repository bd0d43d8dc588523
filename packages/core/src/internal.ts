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
