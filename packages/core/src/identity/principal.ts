/** Console roles, from most to least powerful. */
export const roles = ['owner', 'admin', 'approver', 'viewer'] as const;

/** A console role: owner, admin, approver or viewer. */
export type Role = (typeof roles)[number];

/** The kinds of principal that can call Preloop. */
export type PrincipalType = 'user' | 'api_key' | 'agent' | 'runtime_session';

/**
 * Who is calling: the result of `authenticate(request)`. Every tool call, model
 * call, approval and audit record names its principal.
 */
export interface Principal {
  /** What authenticated: a console user, an API key, a managed agent's key, or a runtime credential. */
  type: PrincipalType;
  /** The id of that thing (user id, API key id, agent id or runtime session id). */
  id: string;
  /** The account (organization) the principal belongs to. */
  accountId: string;
  /** A human-readable name for logs and the console. */
  name: string;
  /** The console role that bounds what this principal may do in the admin API, or null for agents. */
  role: Role | null;
  /** The human behind the principal (a user, or the owner of the API key), if any. */
  userId: string | null;
  /** The API key used, if any. */
  apiKeyId: string | null;
  /** The managed agent acting, if any. */
  agentId: string | null;
  /** The runtime session this call belongs to, if any. */
  runtimeSessionId: string | null;
  /** Teams of the user behind the principal. */
  teamIds: string[];
  /** Scopes granted to the credential (for example `mcp`, `gateway`, `admin:read`). */
  scopes: string[];
  /**
   * The channel the principal came through when it is not the plain credential
   * itself, for example `device:dev_…` for a paired phone (`authenticate` hooks
   * set it). A decision records it as its channel, so the audit names the device. @default undefined
   */
  via?: string;
}

/**
 * True when `role` is at least as powerful as `minimum`.
 *
 * @example
 * ```ts
 * roleAtLeast('admin', 'approver'); // true
 * ```
 */
export function roleAtLeast(role: Role | null, minimum: Role): boolean {
  if (role === null) return false;
  return roles.indexOf(role) <= roles.indexOf(minimum);
}

/** What {@link toUserPrincipal} needs of a console user. */
export interface UserPrincipalInput {
  id: string;
  accountId: string;
  name: string;
  role: Role;
}

/**
 * The principal of a console user acting as themself (a console session, an
 * OAuth token a user granted, a paired phone, a chat click): no API key, agent
 * or runtime session; `teamIds`, `scopes` (default none) and `via` as given.
 *
 * @example
 * ```ts
 * const principal = toUserPrincipal(user, { teamIds: await preloop.identity.teams.teamIdsOf(user.accountId, user.id) });
 * ```
 */
export function toUserPrincipal(
  user: UserPrincipalInput,
  options: { teamIds: readonly string[]; scopes?: readonly string[]; via?: string },
): Principal {
  return {
    type: 'user',
    id: user.id,
    accountId: user.accountId,
    name: user.name,
    role: user.role,
    userId: user.id,
    apiKeyId: null,
    agentId: null,
    runtimeSessionId: null,
    teamIds: [...options.teamIds],
    scopes: [...(options.scopes ?? [])],
    ...(options.via === undefined ? {} : { via: options.via }),
  };
}
