import type { Kysely } from 'kysely';
import type { KernelTables } from '../storage/schema.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { busReconnectedChannel, type Bus } from '../bus/bus.js';
import type { PreloopEvents } from '../events/create-event-bus.js';
import type { AuthenticateOptions } from '../kernel/preloop.js';
import type { Logger } from '../logger.js';
import type { RateLimitStore } from '../rate-limit/rate-limit-store.js';
import { createAgents, type Agents } from './agents.js';
import { createApiKeys, type ApiKeys } from './api-keys.js';
import { createAuthenticator } from './authenticate.js';
import { createConsoleSessions, type ConsoleSessions } from './console-sessions.js';
import { createCredentialCache } from './credential-cache.js';
import { createLoginThrottle, type LoginThrottleOptions } from './login-throttle.js';
import { createIdentityContext, identityBusChannel, type IdentityBusMessage } from './identity-context.js';
import { createPasswordChanges, type PasswordChanges } from './password-changes.js';
import { prepareDummyHash } from './passwords.js';
import type { Principal } from './principal.js';
import { createRuntimeCredentials, maxRuntimeCredentialTtlSeconds, type RuntimeCredentials } from './runtime-credentials.js';
import { createRuntimeSessions, type RuntimeSessions, type SessionActivity, type SessionActivityInput } from './runtime-sessions.js';
import { createTeams, type Teams } from './teams.js';
import { createUsers, type Users } from './users.js';

/** Options of {@link createIdentity}. */
export interface IdentityOptions {
  db: Kysely<KernelTables>;
  dialect: 'sqlite' | 'postgres';
  events: PreloopEvents;
  bus: Bus;
  audit: AuditTrail;
  /** The kernel's secret key; runtime credentials are signed with a key derived from it. */
  secretKey: string;
  /** Lifetime of runtime credentials, in seconds. @default 900 */
  runtimeCredentialTtlSeconds: number;
  /** Lifetime of console sessions, in seconds. @default 604800 */
  consoleSessionTtlSeconds: number;
  /** How long an authenticated credential is served from memory, in ms; 0 disables the cache. @default 30000 */
  cacheTtlMs?: number;
  /** Most cached credentials. @default 10000 */
  cacheMaxEntries?: number;
  /** Where Bus and last-use write failures are logged. @default none */
  logger?: Logger;
  /** The shared rate-limit counters (the login throttle counts there). */
  rateLimits: RateLimitStore;
  /** Login throttle limits. @default see {@link LoginThrottleOptions} */
  loginThrottle?: LoginThrottleOptions;
}

/** Users, teams, API keys, managed agents, runtime sessions and console sessions, and `authenticate`. */
export interface Identity {
  readonly users: Users;
  readonly teams: Teams;
  readonly apiKeys: ApiKeys;
  readonly agents: Agents;
  readonly runtimeSessions: RuntimeSessions;
  readonly consoleSessions: ConsoleSessions;
  /** Password changes (own, checked against the current one and the login throttle) and resets (by an admin). */
  readonly passwords: PasswordChanges;
  /** Issues and verifies runtime credentials (signature and claims only). */
  readonly runtimeCredentials: RuntimeCredentials;
  /**
   * The principal behind a request, from `Authorization: Bearer` (an API key
   * `plk_…`, else a runtime credential) or the `preloop_session` cookie; null
   * when none is valid. Credentials in the query string are refused. Never throws.
   */
  authenticate(request: Request, options?: AuthenticateOptions): Promise<Principal | null>;
  /** Appends to a runtime session's activity (shorthand for `runtimeSessions.recordActivity`). */
  recordActivity(sessionId: string, input: SessionActivityInput): Promise<SessionActivity>;
  /** Drops every cached credential on this instance (the Bus does it on the others). */
  clearCache(): void;
  /** Unsubscribes from the Bus and waits for pending writes. */
  close(): Promise<void>;
}

/**
 * Builds the identity module of a kernel. `createPreloop` calls it; hosts use it
 * through `preloop.identity`.
 *
 * @example
 * ```ts
 * const identity = createIdentity({ db, dialect: 'sqlite', events, bus, audit, secretKey, runtimeCredentialTtlSeconds: 900, consoleSessionTtlSeconds: 604800, rateLimits: createRateLimitStore({ db, dialect: 'sqlite' }) });
 * const { key } = await identity.apiKeys.create('acc_default', { name: 'ci', scopes: ['mcp'], userId });
 * const principal = await identity.authenticate(new Request('http://localhost/mcp', { headers: { authorization: `Bearer ${key}` } }));
 * ```
 */
export function createIdentity(options: IdentityOptions): Identity {
  const cache = createCredentialCache<Principal>({ ttlMs: options.cacheTtlMs ?? 30_000, maxEntries: options.cacheMaxEntries ?? 10_000 });
  const apply = (message: IdentityBusMessage | null): void => {
    if (message && message.kind === 'invalidate' && Array.isArray(message.tags))
      cache.invalidate(message.tags.filter((tag) => typeof tag === 'string'));
    else cache.clear(); // anything unexpected: drop everything (fail safe)
  };
  const unsubscribeSignals = options.bus.subscribe(identityBusChannel, (payload) => apply(payload as IdentityBusMessage | null));
  // After a Bus outage, revocations sent meanwhile may be lost: drop every cached credential.
  const unsubscribeReconnected = options.bus.subscribe(busReconnectedChannel, () => cache.clear());
  const unsubscribe = () => {
    unsubscribeSignals();
    unsubscribeReconnected();
  };
  const context = createIdentityContext(
    {
      db: options.db,
      dialect: options.dialect,
      events: options.events,
      bus: options.bus,
      audit: options.audit,
      logger: options.logger ?? null,
    },
    apply,
  );
  const runtimeCredentials = createRuntimeCredentials({
    secretKey: options.secretKey,
    ttlSeconds: options.runtimeCredentialTtlSeconds,
    maxTtlSeconds: maxRuntimeCredentialTtlSeconds,
  });
  const users = createUsers(context);
  const teams = createTeams(context);
  const runtimeSessions = createRuntimeSessions(context, runtimeCredentials);
  const authenticator = createAuthenticator({
    db: options.db,
    events: options.events,
    credentials: runtimeCredentials,
    cache,
    teams,
    logger: options.logger ?? null,
  });
  const throttle = createLoginThrottle(options.rateLimits, options.loginThrottle);
  void prepareDummyHash().catch(() => {});

  return {
    users,
    teams,
    apiKeys: createApiKeys(context),
    agents: createAgents(context),
    runtimeSessions,
    consoleSessions: createConsoleSessions(context, users, { ttlSeconds: options.consoleSessionTtlSeconds, throttle }),
    passwords: createPasswordChanges(context, users, throttle),
    runtimeCredentials,
    authenticate: (request, authenticateOptions) => authenticator.authenticate(request, authenticateOptions),
    recordActivity: (sessionId, input) => runtimeSessions.recordActivity(sessionId, input),
    clearCache: () => cache.clear(),
    async close() {
      unsubscribe();
      await authenticator.close();
    },
  };
}
