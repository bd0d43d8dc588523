/**
 * The JSON shapes of the Preloop admin API, as the console reads them. They
 * mirror `@preloop/core` (and the approvals, MCP and gateway packages) without
 * importing them, so the elements stay free of server code. Times are epoch
 * milliseconds; money is integer micro-dollars.
 *
 * @module
 */

/** A console role, from most to least powerful. */
export type Role = 'owner' | 'admin' | 'approver' | 'viewer';

/** Every console role, most powerful first. */
export const roles: readonly Role[] = ['owner', 'admin', 'approver', 'viewer'];

/** A page of a list, with the cursor of the next page (null on the last page). */
export interface Page<T> {
  /** The items of this page. */
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** Cursor pagination of every list. */
export interface ListParams {
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  /** Page size (1–200). @default 50 */
  limit?: number;
}

/** The kinds of principal that can call Preloop. */
export type PrincipalType = 'user' | 'api_key' | 'agent' | 'runtime_session';

/** Who is calling, as the admin API describes it. */
export interface Principal {
  /** What authenticated. */
  type: PrincipalType;
  /** The id of that thing (user, API key, agent or runtime session id). */
  id: string;
  /** The account the principal belongs to. */
  accountId: string;
  /** A human-readable name. */
  name: string;
  /** The console role bounding what it may do, or null for agents. */
  role: Role | null;
  /** The human behind the principal, if any. */
  userId: string | null;
  /** The API key used, if any. */
  apiKeyId: string | null;
  /** The managed agent acting, if any. */
  agentId: string | null;
  /** The runtime session of the call, if any. */
  runtimeSessionId: string | null;
  /** Teams of the user behind the principal. */
  teamIds: string[];
  /** Scopes of the credential. */
  scopes: string[];
}

/** A console user. */
export interface User {
  id: string;
  accountId: string;
  /** Lower-cased email. */
  email: string;
  name: string;
  role: Role;
  /** A disabled user cannot log in. */
  disabled: boolean;
  /** False for users who sign in only through the host's own authentication. */
  hasPassword: boolean;
  createdAt: number;
  updatedAt: number;
}

/** `GET /auth/me`: the calling principal and its user. */
export interface Me {
  principal: Principal;
  user: User | null;
}

/** `POST /auth/login`: the user and when the session cookie expires. */
export interface LoginResult {
  user: User;
  expiresAt: number;
}

/** What `POST /users` takes. */
export interface CreateUserInput {
  email: string;
  name: string;
  role: Role;
  password?: string;
}

/** What `PATCH /users/:id` takes. */
export interface UpdateUserInput {
  name?: string;
  role?: Role;
  disabled?: boolean;
  password?: string | null;
}

/** A team: a group of users, used to name approvers. */
export interface Team {
  id: string;
  accountId: string;
  name: string;
  memberIds: string[];
  createdAt: number;
}

/** An API key scope. */
export type ApiKeyScope = 'mcp' | 'gateway' | 'admin:read' | 'admin:write';

/** Every API key scope. */
export const apiKeyScopes: readonly ApiKeyScope[] = ['mcp', 'gateway', 'admin:read', 'admin:write'];

/** An API key's record (never the key itself). */
export interface ApiKey {
  id: string;
  accountId: string;
  name: string;
  /** The first characters of the key, to recognize it. */
  prefix: string;
  scopes: ApiKeyScope[];
  userId: string | null;
  agentId: string | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** What `POST /api-keys` takes. */
export interface CreateApiKeyInput {
  name: string;
  scopes?: ApiKeyScope[];
  expiresAt?: number;
  agentId?: string;
}

/** A new API key: its record, and the key itself, shown this once. */
export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The plaintext key; it is never shown again. */
  key: string;
}

/** Lifecycle state of a managed agent. */
export type AgentState = 'active' | 'suspended' | 'decommissioned';

/** A managed agent. */
export interface Agent {
  id: string;
  accountId: string;
  name: string;
  /** What runs, for example `claude_code` or `codex`. */
  kind: string;
  state: AgentState;
  stateReason: string | null;
  tags: string[];
  ownerUserId: string | null;
  createdAt: number;
  updatedAt: number;
  lastSeenAt: number | null;
}

/** What `POST /agents` takes. */
export interface EnrollAgentInput {
  name: string;
  kind: string;
  tags?: string[];
  ownerUserId?: string;
}

/** Filters of `GET /agents`. */
export interface AgentListParams extends ListParams {
  state?: AgentState;
  kind?: string;
  tag?: string;
}

/** One agent run. */
export interface RuntimeSession {
  id: string;
  accountId: string;
  agentId: string | null;
  apiKeyId: string | null;
  userId: string | null;
  name: string;
  /** Where it runs, for example `cli` or `ci`. */
  source: string;
  externalId: string | null;
  metadata: Record<string, unknown>;
  audience: string[];
  state: 'active' | 'ended';
  startedAt: number;
  lastHeartbeatAt: number;
  endedAt: number | null;
  endReason: string | null;
}

/** Filters of `GET /runtime-sessions`. */
export interface SessionListParams extends ListParams {
  agentId?: string;
  apiKeyId?: string;
  userId?: string;
  source?: string;
  state?: 'active' | 'ended';
}

/** Something that happened in a runtime session. */
export interface SessionActivity {
  id: string;
  accountId: string;
  sessionId: string;
  time: number;
  /** For example `tool_call`, `model_call`, `approval`. */
  kind: string;
  /** For example `success`, `error`, `denied`, `pending`. */
  status: string;
  summary: string;
  data: Record<string, unknown>;
}

/** A model call the gateway captured on a runtime session (`@preloop/gateway`). */
export interface GatewayEvent {
  id: string;
  sessionId: string;
  /** The usage record of the call. */
  usageId: string;
  time: number;
  /** The model alias called. */
  alias: string;
  status: string;
  /** One line: model, tokens, cost, duration. */
  summary: string;
  /** The captured (redacted, bounded) request body, when capture is on. */
  requestBody: unknown;
  /** The captured response body, when capture is on. */
  responseBody: unknown;
}

/** A stored audit record: one link of the hash chain. */
export interface AuditRecord {
  id: string;
  accountId: string;
  seq: number;
  time: number;
  actorType: string;
  actorId: string | null;
  principal: Record<string, unknown> | null;
  runtimeSessionId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** Filters of `GET /audit`. */
export interface AuditQuery extends ListParams {
  /** An exact action, or a prefix ending in `*`. */
  action?: string;
  actorId?: string;
  targetType?: string;
  targetId?: string;
  outcome?: string;
  runtimeSessionId?: string;
  /** Earliest time, inclusive. */
  from?: number;
  /** Latest time, exclusive. */
  to?: number;
}

/** The result of `POST /audit/verify`. */
export interface AuditVerifyReport {
  ok: boolean;
  accountId: string;
  records: number;
  checkpoints: number;
  headSeq: number;
  firstBroken?: { seq: number; id: string | null; reason: string; message: string };
  durationMs: number;
}

/** One stored policy version. */
export interface PolicyVersion {
  version: number;
  /** The document as written (YAML or JSON text). */
  source: string;
  document: Record<string, unknown>;
  comment: string | null;
  createdBy: string | null;
  createdAt: number;
  active: boolean;
}

/** One problem in a policy document. */
export interface PolicyIssue {
  /** Where, for example `rules[2].when`. */
  path: string;
  message: string;
  /** The 1-based line in the text, when known. */
  line?: number;
}

/** The result of `POST /policy/validate`. */
export interface PolicyValidation {
  valid: boolean;
  issues: PolicyIssue[];
  /** The embedded tests' report, when the document is valid. */
  tests: { passed: number; failed: Array<{ name: string; message?: string; [extra: string]: unknown }> } | null;
}

/** What policy decided about one tool call. */
export interface PolicyDecision {
  action: 'allow' | 'deny' | 'require_approval';
  reason?: string;
  workflow?: string;
  explanation: { scope: string; rule: string | null; conditionValue?: unknown; default?: boolean; hidden?: boolean };
}

/** The result of `POST /policy/simulate`. */
export interface PolicySimulation {
  visible: boolean;
  decision: PolicyDecision;
}

/** What `POST /policy/simulate` takes. */
export interface SimulateInput {
  tool: string;
  args?: Record<string, unknown>;
  readOnly?: boolean;
  server?: string | null;
  subject?: {
    type?: PrincipalType;
    id?: string;
    apiKeyId?: string | null;
    agentId?: string | null;
    userId?: string | null;
    teamIds?: string[];
    role?: Role | null;
  };
  /** A proposed document to simulate against instead of the active one. */
  document?: string | Record<string, unknown>;
}

/** The kill switch state. */
export interface KillSwitchState {
  active: string[];
  reason: string | null;
  activatedBy: string | null;
  activatedAt: number | null;
}

/** `GET /health`. */
export interface Health {
  status: 'ok';
  dialect: 'sqlite' | 'postgres';
  time: number;
}

/** The life of an approval request. */
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled' | 'executed';

/** One approver's vote (`GET /approvals/:id`). */
export interface ApprovalVote {
  approverId: string;
  decision: 'approve' | 'deny';
  comment: string | null;
  answer: string | null;
  /** Where it came from: `api`, `link`, … */
  channel: string;
  createdAt: number;
}

/** One entry of an approval request's timeline. */
export interface ApprovalTimelineEntry {
  id: string;
  time: number;
  /** requested, joined, vote, approved, denied, expired, escalated, cancelled, execution_claimed, executed, notified, … */
  type: string;
  actorId: string | null;
  data: Record<string, unknown>;
}

/** An approval request, as `@preloop/approvals` shows it. */
export interface ApprovalRequest {
  id: string;
  accountId: string;
  status: ApprovalStatus;
  kind: 'tool_call' | 'request' | 'question';
  /** The tool and the hash of its pinned definition. */
  tool: { name: string; definitionHash: string | null };
  /** The exact arguments, as bound at creation. */
  args: Record<string, unknown>;
  /** SHA-256 (hex) of the canonical JSON of `args`. */
  argsHash: string;
  /** Who asked. */
  subject: { type: PrincipalType; id: string; name: string; userId: string | null; apiKeyId: string | null; agentId: string | null };
  runtimeSessionId: string | null;
  /** The workflow it runs under. */
  workflow: { name: string; quorum: number; requireReason: boolean; escalates: boolean };
  /** Why policy asked for approval. */
  reason: string | null;
  /** The agent's own justification (untrusted). */
  justification: string | null;
  /** For questions: the text, the options and whether free text is allowed. */
  question: { text: string; options: string[]; allowFreeText: boolean } | null;
  /** Distinct approvers who voted each way so far. */
  votes: { approve: number; deny: number };
  createdAt: number;
  /** The current deadline; escalation moves it once. */
  expiresAt: number;
  escalatedAt: number | null;
  decidedAt: number | null;
  /** The user whose vote resolved it. */
  decidedBy: string | null;
  /** The resolving approver's comment. */
  comment: string | null;
  /** The answer to a question. */
  answer: string | null;
  /** Why it ended without an approver saying so: `timeout`, `flood_control: …`, a cancel reason. */
  outcomeReason: string | null;
  executedAt: number | null;
}

/** A request with its votes and timeline (`GET /approvals/:id`). */
export interface ApprovalDetail extends ApprovalRequest {
  voteList: ApprovalVote[];
  timeline: ApprovalTimelineEntry[];
  /** True when the executed call's result is stored. */
  hasResult: boolean;
}

/** Filters of `GET /approvals`. */
export interface ApprovalListParams extends ListParams {
  status?: ApprovalStatus;
  kind?: 'tool_call' | 'request' | 'question';
  tool?: string;
  /** `<principal type>:<principal id>`. */
  subject?: string;
}

/** What `POST /approvals/:id/decide` takes. */
export interface DecideApprovalInput {
  decision: 'approve' | 'deny';
  comment?: string;
  /** The answer to a question (`ask_user`). */
  answer?: string;
}

/** What `POST /approvals/:id/decide` returns. */
export interface DecideApprovalResult {
  /** The request as it now stands. */
  request: ApprovalRequest;
  /** False when this approver had already voted the same way. */
  counted: boolean;
  /** True when this vote resolved the request. */
  resolved: boolean;
}

/** Prices of a model, in US dollars per million tokens. */
export interface ModelPrices {
  input: number;
  output: number;
  cachedInput?: number;
  cacheWriteInput?: number;
  [extra: string]: unknown;
}

/** A model alias served by the gateway (`@preloop/gateway`). The credential is write-only. */
export interface ModelAlias {
  id: string;
  accountId: string;
  /** What clients send as `model`. */
  alias: string;
  /** The provider plugin's id (`openai`, `anthropic`…). */
  provider: string;
  /** The upstream model id. */
  model: string;
  baseUrl: string | null;
  /** The secret store name of the credential, or null. */
  credentialSecret: string | null;
  /** True when a credential is configured (its value is never returned). */
  hasCredential: boolean;
  /** Prices, or null to use the default price table. */
  prices: ModelPrices | null;
  /** The alias tried when the upstream fails before the first byte. */
  fallback: string | null;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

/** What `POST /models` takes. */
export interface CreateModelInput {
  alias: string;
  provider: string;
  model: string;
  baseUrl?: string | null;
  /** The provider API key; stored encrypted as a secret, never returned. */
  apiKey?: string;
  prices?: ModelPrices | null;
  fallback?: string | null;
  description?: string | null;
}

/** A usage summary grouping. */
export type UsageGroupBy = 'model' | 'agent' | 'key' | 'session' | 'day';

/** One group of a usage summary. */
export interface UsageSummaryRow {
  /** The alias, agent id, API key id, session id, or the day's start (epoch ms, UTC, as a string); null for calls without one. */
  key: string | null;
  calls: number;
  failedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Spend of the priced calls, in micro-dollars. */
  costMicros: number;
  /** Calls whose model had no price (not in `costMicros`). */
  unpricedCalls: number;
  estimatedCalls: number;
}

/** `GET /usage/summary`. */
export interface UsageSummary {
  groupBy: UsageGroupBy;
  from: number;
  to: number;
  /** Groups, dearest first. */
  rows: UsageSummaryRow[];
  totals: Omit<UsageSummaryRow, 'key'>;
}

/** Parameters of `GET /usage/summary`. */
export interface UsageSummaryParams {
  groupBy: UsageGroupBy;
  /** @default 30 days ago */
  from?: number;
  /** @default now */
  to?: number;
}

/** A spend budget and its current period (`GET /budgets/status`). */
export interface BudgetStatus {
  id: string;
  name: string;
  scope: { type: 'account' | 'agent' | 'api_key' | 'model'; id: string | null };
  period: string;
  hardLimitMicros: number | null;
  softLimitMicros: number | null;
  periodStart: number;
  periodEnd: number;
  spentMicros: number;
  reservedMicros: number;
  [extra: string]: unknown;
}

/** An upstream MCP server (`@preloop/mcp`). Credentials are write-only: only their names are shown. */
export interface McpServer {
  id: string;
  accountId: string;
  name: string;
  transport: 'http' | 'stdio';
  url: string | null;
  command: string | null;
  args: string[];
  headerNames: string[];
  envNames: string[];
  namespaced: boolean;
  trustOnFirstUse: boolean;
  enabled: boolean;
  timeoutMs: number;
  /** `api` (admin API) or `config` (the configuration file). */
  source: 'api' | 'config';
  /** `new` until the first scan, then `ok` or `error`. */
  status: 'new' | 'ok' | 'error';
  lastError: string | null;
  lastScanAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** Pin status of a tool: trusted (`builtin`, `plugin`) or an upstream pin state. */
export type ToolPinStatus = 'builtin' | 'plugin' | 'pinned' | 'pending' | 'quarantined' | 'removed' | 'invalid';

/** One row of the tool catalog (`GET /tools`). */
export interface CatalogTool {
  /** The name agents see, for example `github.create_issue`. */
  name: string;
  source: 'builtin' | 'plugin' | 'upstream';
  server: string | null;
  status: ToolPinStatus;
  /** True when agents can list and call it (policy still decides per subject). */
  available: boolean;
  /** True when its name collides with another tool, so it is hidden. */
  conflict: boolean;
  flags: string[];
  description: string | null;
  pinnedHash: string | null;
  liveHash: string | null;
  pinnedAt: number | null;
  pinnedBy: string | null;
  changedAt: number | null;
}

/** An upstream tool with both definitions and their diff (`GET /tools/:name`). */
export interface UpstreamToolDetail {
  id: string;
  serverName: string;
  name: string;
  exposedName: string;
  status: ToolPinStatus;
  liveDefinition: Record<string, unknown>;
  liveHash: string;
  pinnedDefinition: Record<string, unknown> | null;
  pinnedHash: string | null;
  /** What a re-approval would accept; null when live and pinned agree. */
  diff: { changes: Array<{ path: string; kind: 'added' | 'removed' | 'changed'; before?: unknown; after?: unknown }>; text: string } | null;
  [extra: string]: unknown;
}
