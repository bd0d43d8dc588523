/**
 * The JSON shapes of the Preloop admin API, as the console reads them. The
 * kernel's records (users, keys, agents, sessions, audit, policy, kill switch,
 * approval requests) are `@preloop/core`'s own types, imported as types only:
 * nothing of core reaches the browser. What core does not export is declared
 * here: request bodies and query parameters of its routes (derived from core's
 * types where they match), and the shapes of the approvals, MCP and gateway
 * plugins (`approval-types.ts`, `mcp-types.ts`, `gateway-types.ts`). Times are
 * epoch milliseconds; money is integer micro-dollars.
 *
 * @module
 */
import type {
  AuditQuery as KernelAuditQuery,
  CreateApiKeyInput as KernelCreateApiKeyInput,
  CreateUserInput as KernelCreateUserInput,
  EnrollAgentInput as KernelEnrollAgentInput,
  AgentState,
  ApiKeyScope,
  KillSwitchScope,
  Principal,
  Role,
  User,
} from '@preloop/core';

export type {
  Agent,
  AgentState,
  ApiKey,
  ApiKeyScope,
  ApprovalKind,
  ApprovalStatus,
  AuditBreak,
  AuditBreakReason,
  AuditRecord,
  AuditVerifyReport,
  CreatedApiKey,
  KillSwitchScope,
  KillSwitchState,
  Page,
  PolicyDecision,
  PolicyDocument,
  PolicyExplanation,
  PolicySimulation,
  PolicyTestFailure,
  PolicyTestReport,
  PolicyValidation,
  PolicyVersion,
  Principal,
  PrincipalType,
  Role,
  RuntimeAudience,
  RuntimeSession,
  SessionActivity,
  Team,
  UpdateUserInput,
  User,
} from '@preloop/core';

export type * from './approval-types.js';
export type * from './gateway-types.js';
export type * from './mcp-types.js';

/** One problem in a policy document: where (`rules[2].when`), what, and the 1-based line when known. */
export type { PolicyValidationIssue as PolicyIssue } from '@preloop/core';

/** The approval request core's approval contract shows to the admin API, notifiers and the console. */
export type { ApprovalRequestView as ApprovalRequest } from '@preloop/core';

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

/** A kernel input as its admin API route takes it in JSON: optional fields are left out, never null. */
/** A kernel input type as a request body: fields the server takes as null may be left out instead. */
export type RouteBody<T> = { [K in keyof T]: Exclude<T[K], null> };

/** Cursor pagination of every list. */
export interface ListParams {
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  /** Page size (1–200). @default 50 */
  limit?: number;
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

/** `POST /auth/password`: the user, and how many of their other console sessions ended. */
export interface PasswordChangeResult {
  user: User;
  endedSessions: number;
}

/** `POST /users/:id/password`: with `generatedPassword` when the server chose it (shown once). */
export interface PasswordResetResult extends PasswordChangeResult {
  generatedPassword: string | null;
}

/** What `POST /users` takes. */
export type CreateUserInput = RouteBody<KernelCreateUserInput>;

/** What `POST /api-keys` takes. The key acts for the calling user, so there is no `userId`. */
export type CreateApiKeyInput = RouteBody<Omit<KernelCreateApiKeyInput, 'userId'>>;

/** What `POST /agents` takes. */
export type EnrollAgentInput = RouteBody<KernelEnrollAgentInput>;

/** Filters of `GET /agents`. */
export interface AgentListParams extends ListParams {
  state?: AgentState;
  kind?: string;
  tag?: string;
}

/** Filters of `GET /runtime-sessions`. */
export interface SessionListParams extends ListParams {
  agentId?: string;
  apiKeyId?: string;
  userId?: string;
  source?: string;
  state?: 'active' | 'ended';
}

/** Filters of `GET /audit`: core's audit query without the account (the caller's) and with the API's paging. */
export type AuditQuery = Omit<KernelAuditQuery, 'accountId' | 'cursor' | 'limit'> & ListParams;

/** What `POST /policy/simulate` takes. */
export interface SimulateInput {
  tool: string;
  args?: Record<string, unknown>;
  readOnly?: boolean;
  server?: string | null;
  /** Who calls; unset fields take the route's defaults (an API key with no teams). */
  subject?: Partial<Pick<Principal, 'type' | 'id' | 'apiKeyId' | 'agentId' | 'userId' | 'teamIds' | 'role'>>;
  /** A proposed document to simulate against instead of the active one. */
  document?: string | Record<string, unknown>;
}

/** `GET /health`. */
export interface Health {
  status: 'ok';
  dialect: 'sqlite' | 'postgres';
  time: number;
}
