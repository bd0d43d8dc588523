/**
 * `@preloop/core/api`: the request and response types of the kernel's admin API
 * routes, derived from the zod schemas the routes declare (the same schemas
 * that build the OpenAPI document and check answers with `validateResponses`).
 * Types only: importing this entry pulls in no code, so a browser client (the
 * console) can use it without bundling the kernel.
 *
 * @example
 * ```ts
 * import type { CoreRoutes, User } from '@preloop/core/api';
 * type UserPage = CoreRoutes['GET /users']['response'];
 * ```
 *
 * @packageDocumentation
 */
import type { z } from 'zod';
import type {
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
import type { webhookAnswerSchema } from './trackers/tracker-webhook-route.js';
import type { auditPageSchema, auditQuery, auditRecordSchema, publicKeySchema, verifyReportSchema } from './api/routes/audit-routes.js';
import type { permissionCheckQuery, preToolUseAnswerSchema, preToolUseBodySchema } from './api/routes/permission-check-routes.js';
import type {
  activateKillSwitchBody,
  applyPolicyBody,
  deactivateKillSwitchBody,
  diffPolicyBody,
  exportPolicyQuery,
  rollbackPolicyBody,
  simulatePolicyBody,
  validatePolicyBody,
} from './api/routes/governance-routes.js';
import type {
  killSwitchStateSchema,
  policyDecisionSchema,
  policyDiffSchema,
  policySimulationSchema,
  policyValidationSchema,
  policyVersionListSchema,
  policyVersionSchema,
} from './api/routes/governance-schemas.js';
import type { agentListQuery, agentReasonBody, enrollAgentBody } from './api/routes/identity/agent-routes.js';
import type { apiKeyListQuery, createApiKeyBody } from './api/routes/identity/api-key-routes.js';
import type { changePasswordBody, loginBody } from './api/routes/identity/auth-routes.js';
import type {
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
import type { listQuery } from './api/routes/identity/route-helpers.js';
import type {
  endRuntimeSessionBody,
  runtimeSessionListQuery,
  startRuntimeSessionBody,
} from './api/routes/identity/runtime-session-routes.js';
import type { createTeamBody, renameTeamBody, setTeamMembersBody } from './api/routes/identity/team-routes.js';
import type { createUserBody, resetPasswordBody, updateUserBody, userListQuery } from './api/routes/identity/user-routes.js';
import type { healthResponse, liveResponse, notReadyResponse, readyResponse } from './api/routes/system-routes.js';
import type { errorBodySchema } from './api/route-contract.js';
import type {
  createCommentBody,
  createIssueBody,
  issueDetailSchema,
  issueListQuery,
  similarIssuesQuery,
  similarIssuesSchema,
  startSyncBody,
  storedCommentSchema,
  storedIssueSchema,
  syncStatusSchema,
} from './trackers/sync/issue-routes.js';
import type {
  oauthClientRegistrationSchema,
  oauthFormBody,
  oauthMetadataSchema,
  oauthRegistrationBody,
  oauthTokenSchema,
} from './oauth/oauth-routes.js';
import type { oauthGrantListSchema, oauthGrantSchema } from './oauth/oauth-grant-routes.js';

/** The one error body of every error status: `{ error: { code, message, details? } }`. */
export type ApiError = z.output<typeof errorBodySchema>;
/** A page of a list; `nextCursor` is null on the last page. */
export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}
/** `?cursor=&limit=` of every identity list. */
export type ListQuery = z.input<typeof listQuery>;

/** `GET /health/live`. */
export type LiveResponse = z.output<typeof liveResponse>;
/** `GET /health/ready` (200). */
export type ReadyResponse = z.output<typeof readyResponse>;
/** `GET /health` (200). */
export type HealthResponse = z.output<typeof healthResponse>;
/** `GET /health` and `GET /health/ready` (503): the error, plus every check. */
export type NotReadyResponse = z.output<typeof notReadyResponse>;

/** A console user. */
export type User = z.output<typeof userSchema>;
/** A team and its members. */
export type Team = z.output<typeof teamSchema>;
/** An API key's record (never the key). */
export type ApiKey = z.output<typeof apiKeySchema>;
/** `POST /api-keys` (201): the record and the key, shown once. */
export type CreatedApiKey = z.output<typeof createdApiKeySchema>;
/** A managed agent. */
export type Agent = z.output<typeof agentSchema>;
/** A runtime session. */
export type RuntimeSession = z.output<typeof runtimeSessionSchema>;
/** A runtime credential. */
export type RuntimeCredential = z.output<typeof runtimeCredentialSchema>;
/** A started or refreshed runtime session with its credential. */
export type StartedRuntimeSession = z.output<typeof startedRuntimeSessionSchema>;
/** One activity entry of a runtime session. */
export type SessionActivity = z.output<typeof sessionActivitySchema>;
/** Who is calling. */
export type Principal = z.output<typeof principalSchema>;
/** `POST /auth/login` (200). */
export type LoginResponse = z.output<typeof loginResponseSchema>;
/** `GET /auth/me`. */
export type MeResponse = z.output<typeof meResponseSchema>;
/** `POST /auth/password`. */
export type PasswordChange = z.output<typeof passwordChangeSchema>;
/** `POST /users/:id/password`. */
export type PasswordReset = z.output<typeof passwordResetSchema>;

/** Body of `POST /auth/login`. */
export type LoginRequest = z.input<typeof loginBody>;
/** Body of `POST /auth/password`. */
export type ChangePasswordRequest = z.input<typeof changePasswordBody>;
/** Body of `POST /users`. */
export type CreateUserRequest = z.input<typeof createUserBody>;
/** Body of `PATCH /users/:id`. */
export type UpdateUserRequest = z.input<typeof updateUserBody>;
/** Body of `POST /users/:id/password`. */
export type ResetPasswordRequest = z.input<typeof resetPasswordBody>;
/** Query of `GET /users`. */
export type UserListQuery = z.input<typeof userListQuery>;
/** Body of `POST /teams`. */
export type CreateTeamRequest = z.input<typeof createTeamBody>;
/** Body of `PATCH /teams/:id`. */
export type RenameTeamRequest = z.input<typeof renameTeamBody>;
/** Body of `PUT /teams/:id/members`. */
export type SetTeamMembersRequest = z.input<typeof setTeamMembersBody>;
/** Body of `POST /api-keys`. */
export type CreateApiKeyRequest = z.input<typeof createApiKeyBody>;
/** Query of `GET /api-keys`. */
export type ApiKeyListQuery = z.input<typeof apiKeyListQuery>;
/** Body of `POST /agents`. */
export type EnrollAgentRequest = z.input<typeof enrollAgentBody>;
/** Body of `POST /agents/permission-check`: the PreToolUse JSON an agent's hook sends (Claude Code, Codex, Gemini CLI). */
export type PreToolUseRequest = z.input<typeof preToolUseBodySchema>;
/** Query of `POST /agents/permission-check`: how long to wait for an approval and what to answer when the wait ends. */
export type PermissionCheckQuery = z.input<typeof permissionCheckQuery>;
/** Answer of `POST /agents/permission-check`: the hook's decision JSON. */
export type PreToolUseAnswer = z.output<typeof preToolUseAnswerSchema>;

/** Body of `POST /agents/:id/suspend` and `POST /agents/:id/decommission`. */
export type AgentReasonRequest = z.input<typeof agentReasonBody>;
/** Query of `GET /agents`. */
export type AgentListQuery = z.input<typeof agentListQuery>;
/** Body of `POST /runtime-sessions`. */
export type StartRuntimeSessionRequest = z.input<typeof startRuntimeSessionBody>;
/** Body of `POST /runtime-sessions/:id/end`. */
export type EndRuntimeSessionRequest = z.input<typeof endRuntimeSessionBody>;
/** Query of `GET /runtime-sessions`. */
export type RuntimeSessionListQuery = z.input<typeof runtimeSessionListQuery>;

/** One audit record. */
export type AuditRecord = z.output<typeof auditRecordSchema>;
/** `GET /audit`. */
export type AuditPage = z.output<typeof auditPageSchema>;
/** Query of `GET /audit`. */
export type AuditQuery = z.input<typeof auditQuery>;
/** `POST /audit/verify`. */
export type AuditVerifyReport = z.output<typeof verifyReportSchema>;
/** `GET /audit/public-key`. */
export type AuditPublicKey = z.output<typeof publicKeySchema>;

/** One stored policy version. */
export type PolicyVersion = z.output<typeof policyVersionSchema>;
/** `GET /policy/versions`. */
export type PolicyVersionList = z.output<typeof policyVersionListSchema>;
/** `POST /policy/validate`. */
export type PolicyValidation = z.output<typeof policyValidationSchema>;
/** What policy says about one tool call. */
export type PolicyDecision = z.output<typeof policyDecisionSchema>;
/** `POST /policy/simulate`. */
export type PolicySimulation = z.output<typeof policySimulationSchema>;
/** `POST /policy/diff`. */
export type PolicyDiff = z.output<typeof policyDiffSchema>;
/** Body of `POST /policy`. */
export type ApplyPolicyRequest = z.input<typeof applyPolicyBody>;
/** Body of `POST /policy/validate`. */
export type ValidatePolicyRequest = z.input<typeof validatePolicyBody>;
/** Body of `POST /policy/diff`. */
export type DiffPolicyRequest = z.input<typeof diffPolicyBody>;
/** Body of `POST /policy/rollback`. */
export type RollbackPolicyRequest = z.input<typeof rollbackPolicyBody>;
/** Query of `GET /policy/export`. */
export type ExportPolicyQuery = z.input<typeof exportPolicyQuery>;
/** Body of `POST /policy/simulate`. */
export type SimulatePolicyRequest = z.input<typeof simulatePolicyBody>;
/** The kill switch's state. */
export type KillSwitchState = z.output<typeof killSwitchStateSchema>;
/** Body of `POST /kill-switch/activate`. */
export type ActivateKillSwitchRequest = z.input<typeof activateKillSwitchBody>;
/** Body of `POST /kill-switch/deactivate`. */
export type DeactivateKillSwitchRequest = z.input<typeof deactivateKillSwitchBody>;

/** An issue or pull request of the unified issue view (synced from a tracker connection). */
export type StoredIssue = z.output<typeof storedIssueSchema>;
/** A comment of a synced issue. */
export type StoredComment = z.output<typeof storedCommentSchema>;
/** `GET /issues/:id`: the issue with its comments and linked pull requests. */
export type StoredIssueDetail = z.output<typeof issueDetailSchema>;
/** Query of `GET /issues`. */
export type IssueListQuery = z.input<typeof issueListQuery>;
/** Body of `POST /issues`. */
export type CreateIssueRequest = z.input<typeof createIssueBody>;
/** Body of `POST /issues/:id/comments`. */
export type CreateCommentRequest = z.input<typeof createCommentBody>;
/** Query of `GET /issues/:id/similar`. */
export type SimilarIssuesQuery = z.input<typeof similarIssuesQuery>;
/** `GET /issues/:id/similar`: similar issues, or `{ available: false, reason }`. */
export type SimilarIssues = z.output<typeof similarIssuesSchema>;
/** Body of `POST /trackers/connections/:id/sync`. */
export type StartSyncRequest = z.input<typeof startSyncBody>;
/** A connection's issue sync, per project. */
export type SyncStatus = z.output<typeof syncStatusSchema>;

/** `GET /oauth/metadata`: the authorization server metadata (RFC 8414). */
export type OAuthMetadata = z.output<typeof oauthMetadataSchema>;
/** Form body of the OAuth token, revocation, consent and sign-in endpoints (string fields). */
export type OAuthFormRequest = z.input<typeof oauthFormBody>;
/** `POST /oauth/token`: the token response (RFC 6749 §5.1). */
export type OAuthTokenResponse = z.output<typeof oauthTokenSchema>;
/** Body of `POST /oauth/register`: client metadata (RFC 7591). */
export type OAuthRegistrationRequest = z.input<typeof oauthRegistrationBody>;
/** `POST /oauth/register`: the registered client. */
export type OAuthClientRegistration = z.output<typeof oauthClientRegistrationSchema>;
/** An active OAuth grant: a consent and the tokens issued from it. */
export type OAuthGrant = z.output<typeof oauthGrantSchema>;
/** `GET /oauth/grants`. */
export type OAuthGrantList = z.output<typeof oauthGrantListSchema>;

/** An installed tracker (`GET /trackers`). */
export type InstalledTracker = z.output<typeof installedTrackerSchema>;
/** A tracker connection (never a secret value). */
export type TrackerConnectionView = z.output<typeof trackerConnectionSchema>;
/** A tracker connection with its webhook secret, answered once (create, rotate). */
export type TrackerConnectionWithSecret = z.output<typeof trackerConnectionWithSecretSchema>;
/** `PATCH /trackers/connections/:id`: the connection, with `webhookSecret` when it was just rotated. */
export type UpdatedTrackerConnection = z.output<typeof updatedTrackerConnectionSchema>;
/** Body of `POST /trackers/connections`. */
export type CreateTrackerConnectionRequest = z.input<typeof createTrackerConnectionBody>;
/** Body of `PATCH /trackers/connections/:id`. */
export type UpdateTrackerConnectionRequest = z.input<typeof updateTrackerConnectionBody>;
/** `POST /trackers/connections/:id/test`. */
export type TrackerTestResult = z.output<typeof trackerTestSchema>;
/** A project a tracker connection reaches. */
export type TrackerProjectView = z.output<typeof trackerProjectSchema>;
/** Query of `GET /trackers/connections/:id/projects`. */
export type TrackerProjectsQuery = z.input<typeof trackerProjectsQuery>;
/** Whether you linked your own credential to a tracker connection, and its identity (never the secret). */
export type MyTrackerCredential = z.output<typeof myTrackerCredentialSchema>;
/** Body of `PUT /trackers/connections/:id/my-credential`. */
export type LinkMyTrackerCredentialRequest = z.input<typeof linkMyTrackerCredentialBody>;
/** What the webhook intake answers the tracker. */
export type TrackerWebhookAnswer = z.output<typeof webhookAnswerSchema>;

/**
 * Every route of the kernel's admin API, keyed `METHOD /path` (below `/api/v1`):
 * its body, query and success response. Error statuses answer {@link ApiError}.
 * A `response` of `void` means no body (204); `string` a non-JSON body.
 */
export interface CoreRoutes {
  'GET /health/live': { response: LiveResponse };
  'GET /health/ready': { response: ReadyResponse };
  'GET /health': { response: HealthResponse };
  'GET /events': { response: string };
  'GET /metrics': { response: string };
  'POST /auth/login': { body: LoginRequest; response: LoginResponse };
  'POST /auth/logout': { response: void };
  'POST /auth/password': { body: ChangePasswordRequest; response: PasswordChange };
  'GET /auth/me': { response: MeResponse };
  'GET /users': { query: UserListQuery; response: Page<User> };
  'POST /users': { body: CreateUserRequest; response: User };
  'GET /users/:id': { response: User };
  'PATCH /users/:id': { body: UpdateUserRequest; response: User };
  'POST /users/:id/password': { body: ResetPasswordRequest; response: PasswordReset };
  'DELETE /users/:id': { response: void };
  'GET /teams': { query: ListQuery; response: Page<Team> };
  'POST /teams': { body: CreateTeamRequest; response: Team };
  'GET /teams/:id': { response: Team };
  'PATCH /teams/:id': { body: RenameTeamRequest; response: Team };
  'DELETE /teams/:id': { response: void };
  'PUT /teams/:id/members': { body: SetTeamMembersRequest; response: Team };
  'GET /api-keys': { query: ApiKeyListQuery; response: Page<ApiKey> };
  'POST /api-keys': { body: CreateApiKeyRequest; response: CreatedApiKey };
  'GET /api-keys/:id': { response: ApiKey };
  'DELETE /api-keys/:id': { response: ApiKey };
  'GET /agents': { query: AgentListQuery; response: Page<Agent> };
  'POST /agents': { body: EnrollAgentRequest; response: Agent };
  'GET /agents/:id': { response: Agent };
  'POST /agents/:id/suspend': { body: AgentReasonRequest; response: Agent };
  'POST /agents/:id/resume': { response: Agent };
  'POST /agents/:id/decommission': { body: AgentReasonRequest; response: Agent };
  'POST /agents/permission-check': { body: PreToolUseRequest; query: PermissionCheckQuery; response: PreToolUseAnswer };
  'GET /runtime-sessions': { query: RuntimeSessionListQuery; response: Page<RuntimeSession> };
  'POST /runtime-sessions': { body: StartRuntimeSessionRequest; response: StartedRuntimeSession };
  'GET /runtime-sessions/:id': { response: RuntimeSession };
  'GET /runtime-sessions/:id/activity': { query: ListQuery; response: Page<SessionActivity> };
  'POST /runtime-sessions/:id/heartbeat': { response: StartedRuntimeSession };
  'POST /runtime-sessions/:id/end': { body: EndRuntimeSessionRequest; response: RuntimeSession };
  'GET /audit': { query: AuditQuery; response: AuditPage };
  'GET /audit/public-key': { response: AuditPublicKey };
  'GET /audit/:id': { response: AuditRecord };
  'POST /audit/verify': { response: AuditVerifyReport };
  'GET /policy': { response: PolicyVersion };
  'POST /policy': { body: ApplyPolicyRequest; response: PolicyVersion };
  'GET /policy/versions': { response: PolicyVersionList };
  'GET /policy/versions/:version': { response: PolicyVersion };
  'POST /policy/validate': { body: ValidatePolicyRequest; response: PolicyValidation };
  'POST /policy/diff': { body: DiffPolicyRequest; response: PolicyDiff };
  'POST /policy/rollback': { body: RollbackPolicyRequest; response: PolicyVersion };
  'GET /policy/export': { query: ExportPolicyQuery; response: string | PolicyVersion['document'] };
  'GET /policy/schema': { response: Record<string, unknown> };
  'POST /policy/simulate': { body: SimulatePolicyRequest; response: PolicySimulation };
  'GET /kill-switch': { response: KillSwitchState };
  'POST /kill-switch/activate': { body: ActivateKillSwitchRequest; response: KillSwitchState };
  'POST /kill-switch/deactivate': { body: DeactivateKillSwitchRequest; response: KillSwitchState };
  'GET /issues': { query: IssueListQuery; response: Page<StoredIssue> };
  'POST /issues': { body: CreateIssueRequest; response: StoredIssue };
  'GET /issues/:id': { response: StoredIssueDetail };
  'GET /issues/:id/similar': { query: SimilarIssuesQuery; response: SimilarIssues };
  'POST /issues/:id/comments': { body: CreateCommentRequest; response: StoredComment };
  'POST /trackers/connections/:id/sync': { body: StartSyncRequest; response: SyncStatus };
  'GET /trackers/connections/:id/sync': { response: SyncStatus };
  'GET /oauth/metadata': { response: OAuthMetadata };
  'GET /oauth/authorize': { response: string };
  'POST /oauth/authorize': { body: OAuthFormRequest; response: void };
  'POST /oauth/login': { body: OAuthFormRequest; response: void };
  'POST /oauth/token': { body: OAuthFormRequest; response: OAuthTokenResponse };
  'POST /oauth/register': { body: OAuthRegistrationRequest; response: OAuthClientRegistration };
  'POST /oauth/revoke': { body: OAuthFormRequest; response: void };
  'GET /oauth/grants': { response: OAuthGrantList };
  'DELETE /oauth/grants/:id': { response: void };
  'GET /trackers': { response: { items: InstalledTracker[] } };
  'GET /trackers/connections': { response: { items: TrackerConnectionView[] } };
  'POST /trackers/connections': { body: CreateTrackerConnectionRequest; response: TrackerConnectionWithSecret };
  'GET /trackers/connections/:id': { response: TrackerConnectionView };
  'PATCH /trackers/connections/:id': { body: UpdateTrackerConnectionRequest; response: UpdatedTrackerConnection };
  'DELETE /trackers/connections/:id': { response: void };
  'POST /trackers/connections/:id/test': { response: TrackerTestResult };
  'GET /trackers/connections/:id/projects': { query: TrackerProjectsQuery; response: Page<TrackerProjectView> };
  'GET /trackers/connections/:id/my-credential': { response: MyTrackerCredential };
  'PUT /trackers/connections/:id/my-credential': { body: LinkMyTrackerCredentialRequest; response: MyTrackerCredential };
  'DELETE /trackers/connections/:id/my-credential': { response: void };
  'POST /trackers/webhooks/:connectionId': { response: TrackerWebhookAnswer };
}
