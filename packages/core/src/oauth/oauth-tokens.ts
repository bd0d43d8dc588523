import { createHash, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { PreloopError } from '../errors.js';
import { createToken } from '../ids.js';
import { toBoolean } from '../identity/identity-context.js';
import { type Principal, type Role, toUserPrincipal } from '../identity/principal.js';
import type { AuthenticateOptions } from '../kernel/preloop.js';
import type { KernelTables } from '../storage/schema.js';
import { parseJsonColumn } from '../storage/schema.js';
import { oauthDatabase } from './oauth-tables.js';

/** Prefix of OAuth access tokens (opaque, 256 bits; stored as a SHA-256 hash). */
export const accessTokenPrefix = 'ploa_';
/** Prefix of OAuth refresh tokens (opaque, 256 bits; stored as a SHA-256 hash). */
export const refreshTokenPrefix = 'plor_';
/** Prefix of authorization codes. */
export const authorizationCodePrefix = 'ploc_';

/** The OAuth error codes of RFC 6749 §5.2 (and RFC 7591, RFC 7009) the server answers. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'invalid_client_metadata'
  | 'invalid_redirect_uri'
  | 'unsupported_token_type'
  | 'access_denied'
  | 'server_error';

/**
 * An OAuth protocol error: a `PreloopError` with the code `OAUTH_<ERROR>`, its
 * status, and the RFC 6749 error in `details.oauthError`.
 *
 * @example
 * ```ts
 * throw oauthError('invalid_grant', 'The authorization code was already used.');
 * ```
 */
export function oauthError(error: OAuthErrorCode, description: string, status = error === 'invalid_client' ? 401 : 400): PreloopError {
  return new PreloopError(`OAUTH_${error.toUpperCase()}`, description, { status, details: { oauthError: error } });
}

/**
 * The SHA-256 (hex) under which a code or token is stored.
 *
 * @example
 * ```ts
 * hashOAuthSecret('ploa_…'); // '9f86d0…'
 * ```
 */
export function hashOAuthSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * A new opaque secret with its prefix (`ploa_`, `plor_` or `ploc_`) and 256 bits of entropy.
 *
 * @example
 * ```ts
 * const token = createOAuthSecret(accessTokenPrefix);
 * ```
 */
export function createOAuthSecret(prefix: string): string {
  return `${prefix}${createToken(32)}`;
}

/**
 * True when `verifier` is a PKCE code verifier (RFC 7636: 43–128 unreserved
 * characters) whose S256 challenge is `challenge`.
 *
 * @example
 * ```ts
 * verifyPkce(verifier, challenge); // true
 * ```
 */
export function verifyPkce(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

/**
 * The canonical form of a resource indicator (RFC 8707), compared exactly: an
 * absolute http(s) URL without fragment; a bare origin loses its trailing
 * slash. Null when `value` is not one.
 *
 * @example
 * ```ts
 * canonicalResource('https://preloop.example.com/'); // 'https://preloop.example.com'
 * ```
 */
export function canonicalResource(value: string | null | undefined): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hash || value.includes('#') || url.username || url.password)
    return null;
  const href = url.href;
  return url.pathname === '/' && !url.search ? href.slice(0, -1) : href;
}

/**
 * The principal behind an OAuth access token, or null: the token must be
 * unexpired and unrevoked, its grant unrevoked, issued for exactly
 * `options.resource` (RFC 8707; no resource given: refused), carry the
 * `options.audience` scope, and its user (and agent, if it acts as one) must
 * still be active. Not cached: a revocation takes effect on the next request,
 * on every instance.
 *
 * @example
 * ```ts
 * const principal = await resolveOAuthPrincipal(db, token, { audience: 'mcp', resource: 'https://x/mcp' }, teams.teamIdsOf);
 * ```
 */
export async function resolveOAuthPrincipal(
  db: Kysely<KernelTables>,
  token: string,
  options: AuthenticateOptions,
  teamIdsOf: (accountId: string, userId: string) => Promise<string[]>,
): Promise<Principal | null> {
  const resource = canonicalResource(options.resource);
  if (resource === null || !/^ploa_[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const row = await oauthDatabase(db)
    .selectFrom('oauth_tokens as t')
    .innerJoin('oauth_grants as g', 'g.id', 't.grant_id')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .leftJoin('agents as a', 'a.id', 'g.agent_id')
    .select([
      't.kind',
      't.expires_at',
      't.revoked_at',
      'g.account_id',
      'g.user_id',
      'g.agent_id',
      'g.scopes',
      'g.resource',
      'g.revoked_at as grant_revoked_at',
      'u.account_id as user_account_id',
      'u.name as user_name',
      'u.role as user_role',
      'u.disabled as user_disabled',
      'a.id as agent_found',
      'a.account_id as agent_account_id',
      'a.name as agent_name',
      'a.state as agent_state',
    ])
    .where('t.token_hash', '=', hashOAuthSecret(token))
    .executeTakeFirst();
  if (row?.kind !== 'access' || row.revoked_at !== null || row.grant_revoked_at !== null) return null;
  if (Number(row.expires_at) <= Date.now() || canonicalResource(row.resource) !== resource) return null;
  if (row.user_account_id !== row.account_id || toBoolean(row.user_disabled)) return null;
  if (row.agent_id !== null && (row.agent_found === null || row.agent_account_id !== row.account_id || row.agent_state !== 'active'))
    return null;
  const scopes = parseJsonColumn<string[]>(row.scopes, []);
  if (options.audience !== undefined && !scopes.includes(options.audience)) return null;
  if (row.agent_id !== null) {
    return {
      type: 'agent',
      id: row.agent_id,
      accountId: row.account_id,
      name: row.agent_name ?? row.agent_id,
      role: null,
      userId: row.user_id,
      apiKeyId: null,
      agentId: row.agent_id,
      runtimeSessionId: null,
      teamIds: [],
      scopes,
    };
  }
  return toUserPrincipal(
    { id: row.user_id, accountId: row.account_id, name: row.user_name, role: row.user_role as Role },
    { teamIds: await teamIdsOf(row.account_id, row.user_id), scopes },
  );
}
