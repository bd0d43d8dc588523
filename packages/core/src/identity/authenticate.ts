import type { Kysely } from 'kysely';
import type { KernelTables } from '../storage/schema.js';
import type { PreloopEvents } from '../events/create-event-bus.js';
import type { AuthenticateOptions } from '../kernel/preloop.js';
import type { Logger } from '../logger.js';
import { parseJsonColumn } from '../storage/schema.js';
import { apiKeyPrefix, hashApiKey, isPreloopApiKey } from './api-key-format.js';
import { hashSessionToken, readSessionCookie } from './console-sessions.js';
import type { CredentialCache } from './credential-cache.js';
import { toBoolean } from './identity-context.js';
import { type Principal, type Role, toUserPrincipal } from './principal.js';
import type { RuntimeCredentials } from './runtime-credentials.js';
import type { Teams } from './teams.js';
import { toStoreUnavailableError } from '../storage/store-unavailable.js';
import { accessTokenPrefix, resolveOAuthPrincipal } from '../oauth/oauth-tokens.js';

/** Query parameters that carry credentials elsewhere; a request naming one is refused (tokens in URLs leak to logs). */
export const queryCredentialParameters: readonly string[] = [
  'access_token',
  'api_key',
  'apikey',
  'api-key',
  'preloop_session',
  'session_token',
];

/** `last_used_at` / `last_seen_at` are written at most this often per credential. */
export const lastUsedIntervalMs = 60_000;

const jwtPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** A JWS in compact form: both header and payload are base64url JSON objects (`eyJ` is `{"`). */
const jwtInQueryPattern = /^eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
const bearerPattern = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** What the authenticator needs. */
export interface AuthenticatorDependencies {
  db: Kysely<KernelTables>;
  events: PreloopEvents;
  credentials: RuntimeCredentials;
  cache: CredentialCache<Principal>;
  teams: Pick<Teams, 'teamIdsOf'>;
  logger?: Logger | null;
}

/** Turns a request into a principal: API key, runtime credential or console session cookie. */
export interface Authenticator {
  /** The principal behind `request`, or null. Any error is a refusal, except an unreachable database: that throws `STORE_UNAVAILABLE`. */
  authenticate(request: Request, options?: AuthenticateOptions): Promise<Principal | null>;
  /** Waits for pending `last_used_at` writes. */
  close(): Promise<void>;
}

/**
 * True when the URL carries something that looks like a credential: a known
 * credential parameter, an API key, or a JWT.
 *
 * @example
 * ```ts
 * hasCredentialInQuery('https://x/mcp?access_token=abc'); // true
 * ```
 */
export function hasCredentialInQuery(url: string): boolean {
  const start = url.indexOf('?');
  if (start === -1) return false;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(url.slice(start + 1).split('#')[0]);
  } catch {
    return true;
  }
  for (const [name, value] of params) {
    if (queryCredentialParameters.includes(name.toLowerCase())) return true;
    if (value.startsWith(apiKeyPrefix) || jwtInQueryPattern.test(value)) return true;
  }
  return false;
}

function copy(principal: Principal): Principal {
  return { ...principal, teamIds: [...principal.teamIds], scopes: [...principal.scopes] };
}

/**
 * Creates the authenticator. Lookups are cached (see {@link CredentialCache});
 * every identity change drops the matching entries on every instance.
 *
 * @example
 * ```ts
 * const authenticator = createAuthenticator({ db, events, credentials, cache, teams });
 * const principal = await authenticator.authenticate(request, { audience: 'mcp' });
 * ```
 */
export function createAuthenticator(deps: AuthenticatorDependencies): Authenticator {
  const { db, cache, credentials } = deps;
  const lastWritten = new Map<string, number>();
  const pending = new Set<Promise<unknown>>();

  function touch(table: 'api_keys' | 'agents', column: 'last_used_at' | 'last_seen_at', id: string, stored: number | null): void {
    const now = Date.now();
    if (!lastWritten.has(id)) {
      if (lastWritten.size >= 10_000) lastWritten.clear();
      lastWritten.set(id, stored ?? 0);
    }
    if (now - lastWritten.get(id)! < lastUsedIntervalMs) return;
    lastWritten.set(id, now);
    const write = db
      .updateTable(table)
      .set({ [column]: now })
      .where('id', '=', id)
      .where((eb) => eb.or([eb(column, 'is', null), eb(column, '<', now - lastUsedIntervalMs)]))
      .execute()
      .catch((error) => deps.logger?.debug('identity: could not record last use', { error }))
      .finally(() => pending.delete(write));
    pending.add(write);
  }

  async function fromApiKey(key: string): Promise<Principal | null> {
    if (!isPreloopApiKey(key)) return null;
    const keyHash = hashApiKey(key);
    const cacheKey = `k:${keyHash}`;
    const cached = cache.get(cacheKey);
    if (cached) {
      touch('api_keys', 'last_used_at', cached.apiKeyId!, null);
      if (cached.agentId) touch('agents', 'last_seen_at', cached.agentId, null);
      return cached;
    }
    const generation = cache.generation;
    const row = await db
      .selectFrom('api_keys as k')
      .leftJoin('users as u', 'u.id', 'k.user_id')
      .leftJoin('agents as a', 'a.id', 'k.agent_id')
      .select([
        'k.id',
        'k.account_id',
        'k.name',
        'k.scopes',
        'k.user_id',
        'k.agent_id',
        'k.expires_at',
        'k.revoked_at',
        'k.last_used_at',
        'u.id as user_found',
        'u.account_id as user_account_id',
        'u.role as user_role',
        'u.disabled as user_disabled',
        'a.id as agent_found',
        'a.account_id as agent_account_id',
        'a.name as agent_name',
        'a.state as agent_state',
        'a.last_seen_at as agent_last_seen_at',
      ])
      .where('k.key_hash', '=', keyHash)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null) return null;
    const expiresAt = row.expires_at === null ? null : Number(row.expires_at);
    if (expiresAt !== null && expiresAt <= Date.now()) return null;
    if (row.user_id !== null && (row.user_found === null || row.user_account_id !== row.account_id || toBoolean(row.user_disabled)))
      return null;
    if (row.agent_id !== null && (row.agent_found === null || row.agent_account_id !== row.account_id || row.agent_state !== 'active'))
      return null;
    const scopes = parseJsonColumn<string[]>(row.scopes, []);
    const principal: Principal =
      row.agent_id !== null
        ? {
            type: 'agent',
            id: row.agent_id,
            accountId: row.account_id,
            name: row.agent_name ?? row.name,
            role: null,
            userId: row.user_id,
            apiKeyId: row.id,
            agentId: row.agent_id,
            runtimeSessionId: null,
            teamIds: [],
            scopes,
          }
        : {
            type: 'api_key',
            id: row.id,
            accountId: row.account_id,
            name: row.name,
            role: (row.user_role as Role | null) ?? null,
            userId: row.user_id,
            apiKeyId: row.id,
            agentId: null,
            runtimeSessionId: null,
            teamIds: row.user_id ? await deps.teams.teamIdsOf(row.account_id, row.user_id) : [],
            scopes,
          };
    cache.set(cacheKey, principal, { tags: [row.id, row.user_id, row.agent_id], expiresAt, generation });
    touch('api_keys', 'last_used_at', row.id, row.last_used_at === null ? null : Number(row.last_used_at));
    if (row.agent_id)
      touch('agents', 'last_seen_at', row.agent_id, row.agent_last_seen_at === null ? null : Number(row.agent_last_seen_at));
    return principal;
  }

  async function fromRuntimeCredential(token: string, audience: string | undefined): Promise<Principal | null> {
    const claims = await credentials.verify(token, audience === undefined ? {} : { audience });
    if (!claims) return null;
    const cacheKey = `rs:${claims.sid}`;
    let principal = cache.get(cacheKey);
    if (!principal) {
      const generation = cache.generation;
      const row = await db
        .selectFrom('runtime_sessions as s')
        .leftJoin('agents as a', 'a.id', 's.agent_id')
        .leftJoin('api_keys as k', 'k.id', 's.api_key_id')
        .leftJoin('users as ku', 'ku.id', 'k.user_id')
        .select([
          's.id',
          's.account_id',
          's.agent_id',
          's.api_key_id',
          's.user_id',
          's.name',
          's.audience',
          's.ended_at',
          'a.id as agent_found',
          'a.state as agent_state',
          'k.id as key_found',
          'k.revoked_at as key_revoked_at',
          'k.expires_at as key_expires_at',
          'k.user_id as key_user_id',
          'ku.id as key_user_found',
          'ku.disabled as key_user_disabled',
        ])
        .where('s.id', '=', claims.sid)
        .executeTakeFirst();
      if (!row || row.ended_at !== null || row.account_id !== claims.acc || (row.agent_id ?? null) !== claims.agt) return null;
      if (row.agent_id !== null && (row.agent_found === null || row.agent_state !== 'active')) return null;
      const keyExpiresAt = row.key_expires_at === null || row.key_expires_at === undefined ? null : Number(row.key_expires_at);
      if (row.api_key_id !== null) {
        if (row.key_found === null || row.key_revoked_at !== null || (keyExpiresAt !== null && keyExpiresAt <= Date.now())) return null;
        if (row.key_user_id !== null && (row.key_user_found === null || toBoolean(row.key_user_disabled))) return null;
      }
      principal = {
        type: 'runtime_session',
        id: row.id,
        accountId: row.account_id,
        name: row.name,
        role: null,
        userId: row.user_id,
        apiKeyId: row.api_key_id,
        agentId: row.agent_id,
        runtimeSessionId: row.id,
        teamIds: [],
        scopes: parseJsonColumn<string[]>(row.audience, ['mcp', 'gateway']),
      };
      cache.set(cacheKey, principal, {
        tags: [row.id, row.agent_id, row.api_key_id, row.key_user_id],
        expiresAt: keyExpiresAt,
        generation,
      });
    }
    // Checked on every call, cached or not: the claims must match the session they name.
    if (principal.accountId !== claims.acc || principal.agentId !== claims.agt) return null;
    const scopes = principal.scopes.filter((scope) => claims.aud.includes(scope));
    if (scopes.length === 0) return null;
    return { ...principal, scopes };
  }

  async function fromCookie(token: string): Promise<Principal | null> {
    const tokenHash = hashSessionToken(token);
    const cacheKey = `cs:${tokenHash}`;
    const cached = cache.get(cacheKey);
    if (cached) return cached;
    const generation = cache.generation;
    const row = await db
      .selectFrom('console_sessions as cs')
      .innerJoin('users as u', 'u.id', 'cs.user_id')
      .select([
        'cs.id as session_id',
        'cs.account_id',
        'cs.expires_at',
        'cs.revoked_at',
        'u.id',
        'u.account_id as user_account_id',
        'u.name',
        'u.role',
        'u.disabled',
      ])
      .where('cs.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (
      !row ||
      row.revoked_at !== null ||
      Number(row.expires_at) <= Date.now() ||
      toBoolean(row.disabled) ||
      row.user_account_id !== row.account_id
    )
      return null;
    const principal = toUserPrincipal(
      { id: row.id, accountId: row.account_id, name: row.name, role: row.role as Role },
      { teamIds: await deps.teams.teamIdsOf(row.account_id, row.id) },
    );
    cache.set(cacheKey, principal, { tags: [row.session_id, row.id], expiresAt: Number(row.expires_at), generation });
    return principal;
  }

  async function resolve(request: Request, options: AuthenticateOptions): Promise<Principal | null> {
    if (hasCredentialInQuery(request.url)) return null;
    const authorization = request.headers.get('authorization');
    if (authorization !== null) {
      const token = bearerPattern.exec(authorization)?.[1];
      if (!token) return null;
      if (token.startsWith(apiKeyPrefix)) {
        const principal = await fromApiKey(token);
        if (principal && options.audience !== undefined && !principal.scopes.includes(options.audience)) return null;
        return principal;
      }
      // OAuth access tokens (MCP clients): only where the caller names the resource, and only for that resource (RFC 8707).
      if (token.startsWith(accessTokenPrefix))
        return resolveOAuthPrincipal(db, token, options, (account, user) => deps.teams.teamIdsOf(account, user));
      return jwtPattern.test(token) ? fromRuntimeCredential(token, options.audience) : null;
    }
    // Cookies are for the console only: an MCP or gateway endpoint (an audience) never accepts them (CSRF).
    if (options.audience !== undefined) return null;
    const cookie = readSessionCookie(request);
    return cookie ? fromCookie(cookie) : null;
  }

  return {
    async authenticate(request, options = {}) {
      try {
        const found = await resolve(request, options);
        if (!found) return null;
        if (deps.events.listenerCount('principal-authenticated') > 0)
          deps.events.emit('principal-authenticated', { principal: copy(found) });
        return copy(found);
      } catch (error) {
        // An unreachable database says nothing about the credential: answer 503 (the caller's boundary maps it), not 401.
        const unavailable = toStoreUnavailableError(error);
        if (unavailable) throw unavailable;
        deps.logger?.warn('identity: authentication failed with an error; refusing', { error });
        return null;
      }
    },
    async close() {
      await Promise.allSettled([...pending]);
    },
  };
}
