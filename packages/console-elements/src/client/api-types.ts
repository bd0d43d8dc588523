/**
 * The JSON shapes of the Preloop admin API, as the console reads them. None is
 * written here: each is the type the server's own route schema derives,
 * imported with `import type` from the types-only `./api` entry of the package
 * that serves the route (`@preloop/core/api`, `@preloop/approvals/api`,
 * `@preloop/mcp/api`, `@preloop/gateway/api`), so nothing of the server
 * reaches the browser and a shape the server changes changes here too. The
 * console's names for a few of them (`Me`, `CatalogTool`, `CreateModelInput`,
 * …) are aliases. Times are epoch milliseconds; money is integer micro-dollars.
 *
 * @module
 */
import type { ApiKeyScope, KillSwitchScope, Role } from '@preloop/core';
import type {
  AgentListQuery,
  CreateApiKeyRequest,
  CreateUserRequest,
  EnrollAgentRequest,
  HealthResponse,
  ListQuery,
  LoginResponse,
  MeResponse,
  PasswordChange,
  PasswordReset,
  RuntimeSessionListQuery,
  SimulatePolicyRequest,
  UpdateUserRequest,
} from '@preloop/core/api';
import type { ApprovalRequestView, ApprovalVoteView, DecisionRefusal, ResolveExecutionBody, ViewerDecision } from '@preloop/approvals/api';
import type { BudgetInput, BudgetUpdate, ModelAliasInput, ModelAliasUpdate } from '@preloop/gateway/api';
import type { CatalogEntry, McpServerInput, McpServerPatch, McpTransportKind } from '@preloop/mcp/api';

export type {
  AgentState,
  ApiKeyScope,
  ApprovalKind,
  ApprovalStatus,
  AuditBreak,
  AuditBreakReason,
  FactorTally,
  KillSwitchScope,
  PolicyDocument,
  PolicyExplanation,
  PolicyTestFailure,
  PolicyTestReport,
  PrincipalType,
  Role,
  RuntimeAudience,
} from '@preloop/core';
export type {
  Agent,
  ApiError,
  ApiKey,
  AuditPage,
  AuditQuery,
  AuditRecord,
  AuditVerifyReport,
  CoreRoutes,
  CreatedApiKey,
  KillSwitchState,
  Page,
  PolicyDecision,
  PolicyDiff,
  PolicySimulation,
  PolicyValidation,
  PolicyVersion,
  Principal,
  RuntimeSession,
  SessionActivity,
  Team,
  User,
} from '@preloop/core/api';
export type {
  IssueListQuery,
  SimilarIssues,
  StoredComment,
  StoredIssue,
  StoredIssueDetail,
  SyncStatus,
} from '@preloop/core/api';
export type {
  ApprovalDetail,
  ApprovalListItem,
  ApprovalDelivery,
  ApprovalDeliveryStatus,
  ApprovalListParams,
  ApprovalReadiness,
  ApprovalTimelineEntry,
  DecideApprovalInput,
  DecideApprovalResult,
  NotificationPreferences,
  ReadinessUser,
  WorkflowReadiness,
} from '@preloop/approvals/api';
export type { McpScanReport, McpServer, ToolStats, UpstreamToolDetail } from '@preloop/mcp/api';
export type {
  Budget,
  BudgetPeriod,
  BudgetScopeType,
  BudgetStatus,
  GatewayEvent,
  ModelAlias,
  ModelPrices,
  UsageGroupBy,
  UsageSummary,
  UsageSummaryParams,
  UsageSummaryRow,
} from '@preloop/gateway/api';
export type {
  ExecutionListQuery,
  ExecutionLogLineView as ExecutionLogLine,
  ExecutionPage,
  ExecutionStatus,
  ExecutionView as Execution,
  FlowBody,
  FlowTrigger,
  FlowView as Flow,
  SavedFlow,
} from '@preloop/flows/api';

export type {
  DeviceList,
  DevicePairing,
  DeviceView as Device,
  PushConfig,
  PushPayload,
  RegisterDeviceInput,
} from '@preloop/plugin-push/api';

/** One problem in a policy document: where (`rules[2].when`), what, and the 1-based line when known. */
export type { PolicyValidationIssue as PolicyIssue } from '@preloop/core';

/** An approval request as the admin API, notifiers and the console show it (`@preloop/approvals/api`'s `ApprovalRequestView`). */
export type ApprovalRequest = ApprovalRequestView;
/** One approver's vote on a request (`GET /approvals/:id`). */
export type ApprovalVote = ApprovalVoteView;
/** Whether the signed-in principal may decide a request (the `viewer` field of `GET /approvals` items and `GET /approvals/:id`). */
export type ApprovalViewer = ViewerDecision;
/** Why the signed-in principal may not decide a request. */
export type ApprovalRefusal = DecisionRefusal;
/** What `POST /approvals/:id/resolve-execution` takes. */
export type ResolveExecutionInput = ResolveExecutionBody;

/** Cursor pagination of every list (`?cursor=&limit=`). */
export type ListParams = ListQuery;
/** `GET /auth/me`: the calling principal and its user. */
export type Me = MeResponse;
/** `POST /auth/login`: the user and when the session cookie expires. */
export type LoginResult = LoginResponse;
/** `POST /auth/password`: the user, and how many of their other console sessions ended. */
export type PasswordChangeResult = PasswordChange;
/** `POST /users/:id/password`: with `generatedPassword` when the server chose it (shown once). */
export type PasswordResetResult = PasswordReset;
/** `GET /health`. */
export type Health = HealthResponse;
/** What `POST /users` takes. */
export type CreateUserInput = CreateUserRequest;
/** What `PATCH /users/:id` takes. */
export type UpdateUserInput = UpdateUserRequest;
/** What `POST /api-keys` takes (the key acts for the calling user). */
export type CreateApiKeyInput = CreateApiKeyRequest;
/** What `POST /agents` takes. */
export type EnrollAgentInput = EnrollAgentRequest;
/** Filters of `GET /agents`. */
export type AgentListParams = AgentListQuery;
/** Filters of `GET /runtime-sessions`. */
export type SessionListParams = RuntimeSessionListQuery;
/** What `POST /policy/simulate` takes. */
export type SimulateInput = SimulatePolicyRequest;

/** How Preloop reaches an upstream MCP server. */
export type McpTransport = McpTransportKind;
/** One row of the tool catalog (`GET /tools`). */
export type CatalogTool = CatalogEntry;
/** What `POST /mcp-servers` takes. */
export type CreateMcpServerInput = McpServerInput;
/** What `PATCH /mcp-servers/:id` takes. */
export type UpdateMcpServerInput = McpServerPatch;

/** What `POST /models` takes. */
export type CreateModelInput = ModelAliasInput;
/** What `PATCH /models/:alias` takes. */
export type UpdateModelInput = ModelAliasUpdate;
/** What `POST /budgets` takes. */
export type CreateBudgetInput = BudgetInput;
/** What `PATCH /budgets/:id` takes. */
export type UpdateBudgetInput = BudgetUpdate;

/**
 * Returns `list` after checking, at compile time, that it names every member
 * of the union `T`. Core keeps these lists as run-time values, which the
 * elements may not import; a member core adds later fails this package's build.
 */
function everyMember<T extends string>() {
  return <const L extends readonly T[]>(list: L & ([T] extends [L[number]] ? unknown : { missing: Exclude<T, L[number]> })): L => list;
}

/** Every console role, most powerful first. */
export const roles = everyMember<Role>()(['owner', 'admin', 'approver', 'viewer']);

/** Every API key scope. */
export const apiKeyScopes = everyMember<ApiKeyScope>()(['mcp', 'gateway', 'admin:read', 'admin:write', 'metrics:read']);

/** Every scope the kill switch can stop. */
export const killSwitchScopes = everyMember<KillSwitchScope>()(['tools', 'models', 'flows']);
