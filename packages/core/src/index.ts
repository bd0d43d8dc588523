/**
 * `@preloop/core`: the Preloop kernel. Plugins, hooks, events, storage,
 * identity, governance, audit, secrets and the admin API.
 *
 * @packageDocumentation
 */
export { createPreloop, defaultAccountId } from './kernel/create-preloop.js';
export type { Preloop, AuthenticateOptions } from './kernel/preloop.js';
export type { PreloopOptions, ResolvedPreloopOptions } from './kernel/options.js';
export type { OAuthOptions } from './oauth/oauth-options.js';
export { migrateDatabase } from './kernel/migrate.js';
export { createReadiness, readinessTimeoutMs } from './kernel/readiness.js';
export type { Readiness, ReadinessCheck, ReadinessCheckResult, ReadinessReport } from './kernel/readiness.js';
export {
  createMetrics,
  createMetricsHandler,
  assertMayReadMetrics,
  type MetricsOptions,
  type MetricsSurface,
  type PreloopMetrics,
  type MetricsHandlerOptions,
} from './metrics/index.js';

export { PreloopError, isPreloopError, toErrorResponse } from './errors.js';
export type { PreloopErrorCode, PreloopErrorOptions } from './errors.js';
export { markUnmatched, isUnmatched } from './unmatched-response.js';
export { createId } from './ids.js';
export { createLogger, redactFields } from './logger.js';
export type { Logger, LoggerOptions, LogLevel } from './logger.js';

export { definePlugin } from './plugins/define-plugin.js';
export type { PluginContributions, PreloopPlugin } from './plugins/define-plugin.js';
export type { KernelServices, PreloopServices, ServiceOf, ServicesOf } from './plugins/plugin-services.js';
export { orderPlugins } from './plugins/order-plugins.js';
export { checkContributions } from './plugins/check-contributions.js';
export { hookNames } from './hooks/hook-types.js';
export type {
  HookHandlers,
  HookName,
  ToolCallEnvelope,
  ToolResultEnvelope,
  ModelCallEnvelope,
  ModelResultEnvelope,
  PolicyHookInput,
  ToolCallPolicyInput,
  ModelCallPolicyInput,
} from './hooks/hook-types.js';
export type { HookRunner } from './hooks/hook-runner.js';
export { createEvents } from './events/create-event-bus.js';
export type { PreloopEvents, PreloopEventListeners, AnyEventListener } from './events/create-event-bus.js';
export type { PreloopEventMap, PreloopEventName } from './events/event-map.js';

export { openDatabase, redactUrl, createPostgresPool, postgresConnectTimeoutMs } from './storage/database.js';
export { StoreUnavailableError, storeRetryAfterSeconds } from './storage/store-unavailable.js';
export type { DatabaseOption, DialectName, PreloopDatabase } from './storage/database.js';
export { runMigrations, defineMigrations, columnTypes } from './storage/migrations.js';
export type { MigrationContext, PreloopMigration } from './storage/migrations.js';
export type { KernelTables } from './storage/schema.js';

export { createMemoryBus, busReconnectedChannel } from './bus/bus.js';
export type { Bus, BusHandler, BusStatus } from './bus/bus.js';
export { createPostgresBus } from './bus/postgres-bus.js';
export type { PostgresBusOptions } from './bus/postgres-bus.js';
export { createLocalBus, createSqliteBus, sqliteFileOf } from './bus/sqlite-bus.js';
export type { SqliteBusOptions } from './bus/sqlite-bus.js';

export { roles, toUserPrincipal } from './identity/principal.js';
export type { Principal, PrincipalType, Role, UserPrincipalInput } from './identity/principal.js';

export type { ToolContribution, ToolCallContext, ToolResult, ToolContent } from './contracts/tool.js';
export type {
  ApprovalProvider,
  ApprovalRequestInput,
  ApprovalTicket,
  ApprovalOutcome,
  ApprovalStatus,
  ApprovalKind,
  ApprovalWorkflow,
} from './contracts/approval.js';
export { classifyNotifierFailure, findNotifierProblems, isNotifier, NotifierError, notifierContractVersion } from './contracts/notifier.js';
export type {
  Notifier,
  NotifierErrorOptions,
  NotifyContext,
  NotifyReceipt,
  NotifyUpdateContext,
  ApprovalNotification,
  ApprovalNotificationType,
  ApprovalNotificationLinks,
  ApprovalDigest,
  ApprovalRequestView,
} from './contracts/notifier.js';
export {
  findModelProviderProblems,
  isModelProvider,
  joinUrl,
  modelProviderContractVersion,
  modelWireFormats,
} from './contracts/model-provider.js';
export type { ModelProvider, ModelProviderRequest, ModelProviderRequestInput, ModelWireFormat } from './contracts/model-provider.js';
export { findTrackerProblems, isTracker, trackerContractVersion, trackerEventTypes } from './contracts/tracker.js';
export type {
  Tracker,
  TrackerClient,
  TrackerComment,
  TrackerConnectInput,
  TrackerCreateIssueInput,
  TrackerCreatePullRequestInput,
  TrackerEvent,
  TrackerEventInput,
  TrackerEventType,
  TrackerIssue,
  TrackerIssueRef,
  TrackerListQuery,
  TrackerPage,
  TrackerProject,
  TrackerPullRequest,
  TrackerPullRequests,
  TrackerSearchQuery,
  TrackerUpdateIssueInput,
  TrackerUpdatePullRequestInput,
  TrackerWebhookDelivery,
  TrackerWebhooks,
} from './contracts/tracker.js';
export { createToolSources, toolSourcesBusChannel } from './tools/tool-sources.js';
export type { ToolSource, ToolSources } from './tools/tool-sources.js';
export { createTrackerConnections, trackerConnectionsBusChannel, webhookSecretName } from './trackers/tracker-connections.js';
export type {
  CreateTrackerConnectionInput,
  TrackerConnection,
  TrackerConnections,
  TrackerConnectionsOptions,
  UpdateTrackerConnectionInput,
} from './trackers/tracker-connections.js';
export type { TrackerTables } from './trackers/tracker-tables.js';
export { createIssues } from './trackers/sync/issue-service.js';
export type { CreateStoredIssueInput, Issues, IssuesOptions } from './trackers/sync/issue-service.js';
export { createIssueStore } from './trackers/sync/issue-store.js';
export type { IssueSource, IssueStore } from './trackers/sync/issue-store.js';
export type { IssueQuery, IssueSort } from './trackers/sync/issue-search.js';
export { createIssueSync } from './trackers/sync/issue-sync.js';
export type { IssueSync, IssueSyncConnections, IssueSyncOptions, ProjectSyncStatus, SyncStatus } from './trackers/sync/issue-sync.js';
export { cosineSimilarity, createIssueSimilarity } from './trackers/sync/issue-similarity.js';
export type { IssueSimilarity, IssueSimilarityOptions, SimilarIssues } from './trackers/sync/issue-similarity.js';
export type { IssueSimilarityGatewayFactory, IssueSimilarityKernelOptions, IssuesKernelOptions } from './trackers/sync/issues-options.js';
export { issueTables, toStoredComment, toStoredIssue } from './trackers/sync/issue-tables.js';
export type { IssueStoreTables, StoredComment, StoredIssue, StoredIssueDetail, StoredIssueKind } from './trackers/sync/issue-tables.js';
export { findRuntimeProblems, runtimeContractVersion } from './contracts/runtime.js';
export type {
  AgentRuntime,
  RuntimeEndpoints,
  RuntimeLogStream,
  RuntimeRunContext,
  RuntimeRunResult,
  RuntimeUsage,
} from './contracts/runtime.js';
export type { AuditRecord, AuditRecordInput, AuditOutcome } from './audit/audit-types.js';
// Used by @preloop/mcp and @preloop/gateway to record bounded, redacted call data and to hash definitions.
export { isSecretKey } from './audit/redact.js';
export type { RedactionLimits } from './audit/redact.js';
// One redaction rule for approval views, notifier payloads and the audit trail.
export { isSecretName, nameWords } from './redaction/secret-names.js';
export { redactSecretValues } from './redaction/secret-values.js';
export type { SecretValueKind, SecretValueScan } from './redaction/secret-values.js';
export { redactArguments, redactedValueMarker } from './redaction/redact-arguments.js';
export type {
  ArgumentRedaction,
  ArgumentRedactionReason,
  RedactArgumentsOptions,
  RedactedArguments,
} from './redaction/redact-arguments.js';
// One canonical JSON (RFC 8785 for JSON values) for every hash: audit chain, approval bindings, pinned tool definitions.
export { canonicalJson, defaultCanonicalDepth } from './json/canonical-json.js';
export type { CanonicalJsonOptions } from './json/canonical-json.js';

export { defineRoute } from './api/define-route.js';
export type {
  AdminRoute,
  MediaBody,
  RouteAccess,
  RouteBody,
  RouteContext,
  RouteData,
  RouteMethod,
  RouteResult,
  SchemaAgrees,
} from './api/define-route.js';
export { errorBodySchema, isMediaBody, pageOf, routeContract } from './api/route-contract.js';
export type { ApiErrorBody, StatusContract } from './api/route-contract.js';
export { checkResponse } from './api/response-validation.js';
export { createAdminApi } from './api/create-admin-api.js';
export type { AdminApiOptions } from './api/create-admin-api.js';
export { buildOpenApiDocument } from './api/openapi.js';
export { createEventStream } from './api/event-stream.js';
export type { EventStreamOptions } from './api/event-stream.js';
export { json } from './api/respond.js';
// One cursor pagination for every list: opaque cursors, page sizes 1–200 (default 50), `{ items, nextCursor }`.
export {
  decodeCursor,
  defaultPageLimit,
  encodeCursor,
  maxPageLimit,
  pageLimit,
  pageQueryShape,
  toPage,
} from './pagination/cursor-pagination.js';
export type { ListOptions, Page } from './pagination/cursor-pagination.js';
export { validate, formatPath } from './api/validate.js';
export type { FieldIssue } from './api/validate.js';
export { assertSafeText, findUnsafeText, hasUnsafeText } from './api/unsafe-text.js';
export { clientAddress, forwardedAddress, setClientAddress } from './api/client-address.js';
export { createRateLimitStore } from './rate-limit/rate-limit-store.js';
export type {
  RateLimitCheck,
  RateLimitResult,
  RateLimitRule,
  RateLimitStore,
  RateLimitStoreOptions,
} from './rate-limit/rate-limit-store.js';
export { createLoginThrottle } from './identity/login-throttle.js';
export type { LoginAttempt, LoginThrottle, LoginThrottleOptions } from './identity/login-throttle.js';
export { isEmailAddress } from './identity/email-address.js';
export { readJsonBody, readTextBody } from './api/read-body.js';

export * from './policy/index.js';
export { createGovernance } from './governance/create-governance.js';
export type { Governance, GovernedTarget, CallVerdict } from './governance/create-governance.js';
export { runGovernedCall } from './governed-call/run-governed-call.js';
export type { GovernedCallKernel } from './governed-call/run-governed-call.js';
export { governedCallStages } from './governed-call/governed-call-types.js';
export type {
  GovernedApprovalStep,
  GovernedExecution,
  GovernedCallContext,
  GovernedCallKind,
  GovernedCallOutcome,
  GovernedCallRecord,
  GovernedCallStage,
  GovernedCallState,
  GovernedCallSurface,
  GovernedRefusalCode,
  GovernedRefusalInit,
  GovernedPreparation,
  GovernedSettlement,
  GovernedCallTelemetry,
} from './governed-call/governed-call-types.js';
export { createTracing, disabledTracing } from './tracing/create-tracing.js';
export type { Tracing, TracingOptions, TracedCall, TraceCarrier, HostTracerProvider } from './tracing/create-tracing.js';
export { genAiAttributes, toGenAiProviderName, toSpanAttributes } from './tracing/genai-attributes.js';
export type { GovernedCallSpan, SpanAttributeValue } from './tracing/genai-attributes.js';
export { createPolicyStore } from './governance/policy-store.js';
export type { PolicyStore, PolicyVersion, ActivePolicy, PolicyValidation } from './governance/policy-store.js';
export { createKillSwitch, killSwitchScopes } from './governance/kill-switch.js';
export type { KillSwitch, KillSwitchScope, KillSwitchState } from './governance/kill-switch.js';

export { createIdentity } from './identity/create-identity.js';
export type { Identity, IdentityOptions } from './identity/create-identity.js';
export { isPreloopApiKey, apiKeyPrefix } from './identity/api-key-format.js';
export { apiKeyScopes } from './identity/api-keys.js';
export type { ApiKey, ApiKeys, ApiKeyListOptions, ApiKeyScope, CreatedApiKey, CreateApiKeyInput } from './identity/api-keys.js';
export type { User, Users, UserListOptions, CreateUserInput, UpdateUserInput } from './identity/users.js';
export type { Team, Teams } from './identity/teams.js';
export { agentStates } from './identity/agents.js';
export type { Agent, Agents, AgentListOptions, AgentState, EnrollAgentInput } from './identity/agents.js';
export type {
  RuntimeSession,
  RuntimeSessions,
  RuntimeSessionListOptions,
  RuntimeSessionTaint,
  TaintRuntimeSessionInput,
  StartRuntimeSessionInput,
  StartedRuntimeSession,
  SessionActivity,
  SessionActivityInput,
} from './identity/runtime-sessions.js';
export { runtimeAudiences } from './identity/runtime-credentials.js';
export type {
  RuntimeAudience,
  RuntimeCredential,
  RuntimeCredentials,
  RuntimeCredentialClaims,
  IssueRuntimeCredentialInput,
} from './identity/runtime-credentials.js';
export { sessionCookieName } from './identity/console-sessions.js';
export type { ConsoleSession, ConsoleSessions, LoginResult } from './identity/console-sessions.js';
export type {
  PasswordChanges,
  ChangePasswordInput,
  PasswordChangeResult,
  ResetPasswordInput,
  PasswordResetResult,
} from './identity/password-changes.js';

export { createAuditTrail } from './audit/audit-trail.js';
export type {
  AuditTrail,
  AuditTrailOptions,
  AuditCheckpoint,
  AuditQuery,
  AuditBreak,
  AuditBreakReason,
  AuditVerifyOptions,
  AuditVerifyReport,
  CheckpointPublicKey,
  AuditTrailVerifyOptions,
} from './audit/audit-trail.js';
export { verifyCheckpoint } from './audit/checkpoints.js';
export type { CheckpointPayload } from './audit/checkpoints.js';
export { toAnchoredCheckpoint, fromAnchoredCheckpoint } from './audit/anchor-sink.js';
export type { AuditAnchorSink, AnchoredCheckpoint } from './audit/anchor-sink.js';
export { createFileAnchorSink, readAnchorFile } from './audit/anchor-file.js';
export type { FileAnchorSinkOptions } from './audit/anchor-file.js';
export { createWebhookAnchorSink } from './audit/anchor-webhook.js';
export type { WebhookAnchorSinkOptions } from './audit/anchor-webhook.js';
export type { AnchorExportResult } from './audit/anchor-export.js';
export { auditSegmentFormat } from './audit/audit-archive.js';
export type { AuditArchiveResult, AuditArchiveWriter, AuditSegmentHeader } from './audit/audit-archive.js';
export { verifyAuditArchive } from './audit/audit-archive-verify.js';
export type { AuditArchiveReport, AuditArchiveBreakReason, AuditArchiveKey } from './audit/audit-archive-verify.js';
export { archiveFileName, createArchiveFileWriter, readArchiveFile } from './audit/archive-file.js';
export type { AuditTrailArchiveOptions } from './audit/audit-trail.js';

export { createSecretStore } from './secrets/secret-store.js';
export type { SecretStore, SecretStoreOptions, SecretInfo } from './secrets/secret-store.js';
export { createSecretBox } from './secrets/secret-box.js';
export type { SealedValue, SecretBinding, SecretBox, SecretBoxOptions } from './secrets/secret-box.js';
export { encryptForRow, decryptForRow } from './secrets/row-encryption.js';
export type { RowBinding } from './secrets/row-encryption.js';
