import { createHash } from 'node:crypto';
import { createId, createToken } from '../ids.js';
import { type IdentityActor, type IdentityContext, systemActor } from './identity-context.js';
import { toUserPrincipal } from './principal.js';
import { normalizeEmail, type User, type Users } from './users.js';
import type { LoginAttempt, LoginThrottle } from './login-throttle.js';

/** The name of the console session cookie. */
export const sessionCookieName = 'preloop_session';

/** A console (browser) session of a user. Only the SHA-256 of its token is stored. */
export interface ConsoleSession {
  id: string;
  accountId: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

/** A successful login: the user, the session, its token (the cookie value) and the `Set-Cookie` header value. */
export interface LoginResult {
  user: User;
  session: ConsoleSession;
  /** The session token: goes in the cookie, never stored. */
  token: string;
  /** The `Set-Cookie` header value to send. */
  cookie: string;
}

/** Console sessions: password login, sessions for host-authenticated users, logout. */
export interface ConsoleSessions {
  /**
   * Checks email and password and opens a session; null on bad credentials
   * (audited, generic); throws `RATE_LIMITED` after too many recent failures
   * (see {@link LoginThrottle}). `address` is the client's network address
   * (see `clientAddress`), used by the per-address limits.
   */
  login(email: string, password: string, options?: { secure?: boolean; address?: string | null }): Promise<LoginResult | null>;
  /** Opens a session for a user the host already authenticated. */
  create(user: User, options?: { secure?: boolean; actor?: IdentityActor }): Promise<LoginResult>;
  /** Revokes the session behind `token`; false when there was none. */
  logout(token: string, actor?: IdentityActor): Promise<boolean>;
}

/** Options of {@link createConsoleSessions}. */
export interface ConsoleSessionOptions {
  /** Session lifetime, in seconds. @default 604800 (7 days) */
  ttlSeconds?: number;
  /** Brute-force defence for password logins (see {@link createLoginThrottle}). */
  throttle: LoginThrottle;
}

/**
 * The SHA-256 (hex) under which a console session token is stored.
 *
 * @example
 * ```ts
 * hashSessionToken(token);
 * ```
 */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * True when the request came over https (its URL, or `X-Forwarded-Proto: https` from a proxy), so the cookie gets `Secure`.
 *
 * @example
 * ```ts
 * isSecureRequest(new Request('https://preloop.example/api/v1/auth/login')); // true
 * ```
 */
export function isSecureRequest(request: Request): boolean {
  return request.url.startsWith('https:') || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

/**
 * The `Set-Cookie` value of a console session: HttpOnly, SameSite=Lax, Path=/, Secure over https.
 *
 * @example
 * ```ts
 * sessionCookie(token, { maxAgeSeconds: 604800, secure: true });
 * // "preloop_session=…; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax; Secure"
 * ```
 */
export function sessionCookie(token: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  return `${sessionCookieName}=${token}; Path=/; Max-Age=${options.maxAgeSeconds}; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
}

/**
 * The `Set-Cookie` value that deletes the console session cookie.
 *
 * @example
 * ```ts
 * headers.append('set-cookie', clearSessionCookie({ secure: false }));
 * ```
 */
export function clearSessionCookie(options: { secure: boolean }): string {
  return sessionCookie('', { maxAgeSeconds: 0, secure: options.secure });
}

/**
 * The console session token in the request's `Cookie` header, or null.
 *
 * @example
 * ```ts
 * const token = readSessionCookie(request);
 * ```
 */
export function readSessionCookie(request: Request): string | null {
  const header = request.headers.get('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index === -1 || part.slice(0, index).trim() !== sessionCookieName) continue;
    const value = part.slice(index + 1).trim();
    return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
  }
  return null;
}

/**
 * Creates the console session store.
 *
 * @example
 * ```ts
 * const sessions = createConsoleSessions(context, users, { ttlSeconds: 604800, throttle: createLoginThrottle(store) });
 * const result = await sessions.login('ada@example.com', 'a long password');
 * ```
 */
export function createConsoleSessions(context: IdentityContext, users: Users, options: ConsoleSessionOptions): ConsoleSessions {
  const { db } = context;
  const ttlSeconds = options.ttlSeconds ?? 604_800;
  const { throttle } = options;
  let warnedNoAddress = false;

  async function open(user: User, secure: boolean, actor: IdentityActor | null): Promise<LoginResult> {
    const token = createToken(32);
    const now = Date.now();
    const session: ConsoleSession = {
      id: createId('cs'),
      accountId: user.accountId,
      userId: user.id,
      createdAt: now,
      expiresAt: now + ttlSeconds * 1000,
      revokedAt: null,
    };
    await db
      .insertInto('console_sessions')
      .values({
        id: session.id,
        account_id: session.accountId,
        user_id: session.userId,
        token_hash: hashSessionToken(token),
        created_at: now,
        expires_at: session.expiresAt,
        revoked_at: null,
      })
      .execute();
    await context.record({
      accountId: user.accountId,
      actor: actor ?? toUserPrincipal(user, { teamIds: [] }),
      action: 'auth.login',
      target: { type: 'user', id: user.id },
      outcome: 'success',
      data: { consoleSessionId: session.id, method: actor ? 'host' : 'password' },
    });
    return { user, session, token, cookie: sessionCookie(token, { maxAgeSeconds: ttlSeconds, secure }) };
  }

  return {
    async login(email, password, loginOptions = {}) {
      const normalized = normalizeEmail(String(email)).slice(0, 320);
      const address = loginOptions.address ?? null;
      if (address === null && !warnedNoAddress) {
        warnedNoAddress = true;
        context.logger?.warn(
          'login: no client address on the request, so the per-address login limits are off; mount with toNodeHandler or call setClientAddress',
        );
      }
      let attempt: LoginAttempt;
      try {
        // Counted as a failure before the password is hashed, so parallel guesses cannot all be evaluated.
        attempt = await throttle.begin(normalized, address);
      } catch (error) {
        await context.record({
          actor: { type: 'system', name: 'login' },
          action: 'auth.login',
          target: { type: 'user' },
          outcome: 'refused',
          data: { email: normalized, address, reason: 'throttled' },
        });
        throw error;
      }
      const user = await users.verifyCredentials(email, password);
      if (!user) {
        await context.record({
          actor: { type: 'system', name: 'login' },
          action: 'auth.login',
          target: { type: 'user' },
          outcome: 'failure',
          data: { email: normalized, address, reason: 'invalid_credentials' },
        });
        return null;
      }
      await attempt.succeed();
      return open(user, loginOptions.secure ?? false, null);
    },

    create(user, createOptions = {}) {
      return open(user, createOptions.secure ?? false, createOptions.actor ?? systemActor);
    },

    async logout(token, actor = systemActor) {
      const row = await db
        .selectFrom('console_sessions')
        .select(['id', 'account_id', 'user_id', 'revoked_at'])
        .where('token_hash', '=', hashSessionToken(token))
        .executeTakeFirst();
      if (!row || row.revoked_at !== null) return false;
      await db.updateTable('console_sessions').set({ revoked_at: Date.now() }).where('id', '=', row.id).execute();
      await context.invalidate([row.id]);
      await context.record({
        accountId: row.account_id,
        actor,
        action: 'auth.logout',
        target: { type: 'user', id: row.user_id },
        outcome: 'success',
        data: { consoleSessionId: row.id },
      });
      return true;
    },
  };
}
