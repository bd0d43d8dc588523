import { PreloopError } from '../errors.js';

/** Options of {@link createLoginThrottle}. */
export interface LoginThrottleOptions {
  /** Failed logins allowed per email within the window before further attempts are refused. @default 5 */
  maxFailures?: number;
  /** The window, in seconds; the refusal lasts until the oldest counted failure leaves it. @default 900 */
  windowSeconds?: number;
  /** Most emails tracked at once (the oldest are forgotten first). @default 10000 */
  maxTracked?: number;
  /** The clock. @default Date.now */
  now?: () => number;
}

/** Refuses password logins for an email after too many recent failures (brute-force defence). */
export interface LoginThrottle {
  /** Throws `RATE_LIMITED` (429) naming when to retry, when the email has too many recent failures. */
  check(email: string): void;
  /** Counts a failed login. */
  fail(email: string): void;
  /** Forgets the failures of an email after a successful login. */
  succeed(email: string): void;
}

/**
 * Creates a per-instance login throttle keyed by normalized email: after
 * `maxFailures` failures within `windowSeconds`, attempts are refused with 429
 * before any password is checked, whether or not the password is right.
 * Several instances each keep their own counts, so the effective limit is
 * `maxFailures` per instance.
 *
 * @example
 * ```ts
 * const throttle = createLoginThrottle({ maxFailures: 5, windowSeconds: 900 });
 * throttle.check(email);
 * ```
 */
export function createLoginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const maxFailures = options.maxFailures ?? 5;
  const windowMs = (options.windowSeconds ?? 900) * 1000;
  const maxTracked = options.maxTracked ?? 10_000;
  const now = options.now ?? Date.now;
  const failures = new Map<string, number[]>();
  const recent = (email: string): number[] => {
    const since = now() - windowMs;
    const times = (failures.get(email) ?? []).filter((time) => time > since);
    if (times.length) failures.set(email, times);
    else failures.delete(email);
    return times;
  };
  return {
    check(email) {
      const times = recent(email);
      if (times.length < maxFailures) return;
      const retryAfterSeconds = Math.max(1, Math.ceil((times[times.length - maxFailures]! + windowMs - now()) / 1000));
      throw new PreloopError('RATE_LIMITED', `Too many failed logins for this email; try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`, {
        details: { retryAfterSeconds },
      });
    },
    fail(email) {
      const times = recent(email);
      times.push(now());
      failures.delete(email);
      failures.set(email, times);
      if (failures.size > maxTracked) failures.delete(failures.keys().next().value!);
    },
    succeed(email) {
      failures.delete(email);
    },
  };
}
