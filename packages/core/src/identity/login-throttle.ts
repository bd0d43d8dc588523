import { PreloopError } from '../errors.js';
import type { RateLimitCheck, RateLimitStore } from '../rate-limit/rate-limit-store.js';

/** Options of {@link createLoginThrottle} (the kernel option `loginThrottle`). */
export interface LoginThrottleOptions {
  /** Failed logins allowed per email from one client address within the window. @default 5 */
  maxFailures?: number;
  /**
   * Failed logins allowed per email from all addresses together: a ceiling far
   * above `maxFailures`, so an attacker cannot lock a user out from elsewhere
   * without spreading a large attack over many addresses. @default 100
   */
  maxFailuresPerEmail?: number;
  /** Failed logins allowed per client address, whatever the emails (guessing many accounts from one client). @default 20 */
  maxFailuresPerAddress?: number;
  /** The window of those three limits, in seconds (a sliding window). @default 900 */
  windowSeconds?: number;
  /**
   * Failed logins allowed across the server per minute, whatever the email or
   * address: bounds the password-hashing work a distributed attack can cause. @default 600
   */
  maxFailuresGlobalPerMinute?: number;
}

/** An attempt already counted as a failure; a successful login gives the count back. */
export interface LoginAttempt {
  /** The password was right: the attempt is not a failure, and the email+address failures are forgotten. */
  succeed(): Promise<void>;
}

/** Refuses password logins after too many recent failures (brute-force defence), counting before any password is checked. */
export interface LoginThrottle {
  /**
   * Counts the attempt as a failure before the password is checked (so parallel
   * guesses cannot all be evaluated); throws `RATE_LIMITED` (429, with
   * `details.retryAfterSeconds` and `details.limit`) when a limit is reached.
   * `address` is the client's network address, or null when unknown.
   */
  begin(email: string, address: string | null): Promise<LoginAttempt>;
}

/** The address used when the adapter recorded none: such clients share the email+address counter of each email (and skip the per-address one). */
export const unknownAddress = 'unknown';

/**
 * Creates the login throttle over the shared rate-limit store, so the counts
 * hold across instances (PostgreSQL) and processes (one SQLite file). Four
 * counters, all taken before the password is checked: email+address (the one a
 * guessing client meets first), email (a high ceiling), address, and global.
 * A right password given back by `succeed` never counts.
 *
 * @example
 * ```ts
 * const throttle = createLoginThrottle(store, { maxFailures: 5, windowSeconds: 900 });
 * const attempt = await throttle.begin(email, clientAddress(request));
 * if (await passwordIsRight()) await attempt.succeed();
 * ```
 */
export function createLoginThrottle(store: RateLimitStore, options: LoginThrottleOptions = {}): LoginThrottle {
  const windowSeconds = options.windowSeconds ?? 900;
  const rule = (limit: number, seconds = windowSeconds) => ({ limit, windowSeconds: seconds });
  const perEmailAddress = rule(options.maxFailures ?? 5);
  const perEmail = rule(options.maxFailuresPerEmail ?? 100);
  const perAddress = rule(options.maxFailuresPerAddress ?? 20);
  const global = rule(options.maxFailuresGlobalPerMinute ?? 600, 60);
  const messages = new Map<string, string>([
    ['email+address', 'Too many failed logins for this email from this address'],
    ['email', 'Too many failed logins for this email'],
    ['address', 'Too many failed logins from this address'],
    ['global', 'Too many failed logins on this server'],
  ]);
  return {
    async begin(email, address) {
      const from = address ?? unknownAddress;
      const pairKey = `login:email+address:${email}\u0000${from}`;
      // Without an address every client would share one per-address counter, and one guesser could lock out everybody: skip that one.
      const checks: Array<RateLimitCheck & { name: string }> = [
        { name: 'email+address', key: pairKey, rule: perEmailAddress },
        ...(address ? [{ name: 'address', key: `login:address:${address}`, rule: perAddress }] : []),
        { name: 'email', key: `login:email:${email}`, rule: perEmail },
        { name: 'global', key: 'login:global', rule: global },
      ];
      const result = await store.take(checks);
      if (!result.allowed) {
        const name = (result.refusedBy as (typeof checks)[number]).name;
        const { retryAfterSeconds } = result;
        throw new PreloopError('RATE_LIMITED', `${messages.get(name)}; try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`, {
          details: { retryAfterSeconds, limit: name },
        });
      }
      return {
        async succeed() {
          await result.release();
          await store.reset([checks[0]!]);
        },
      };
    },
  };
}
