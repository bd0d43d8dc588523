/**
 * Rate limits per API key and per agent, counted in the database through
 * core's shared rate-limit store, so every instance on one PostgreSQL (and
 * every process on one SQLite file) enforces one limit together.
 *
 * @module
 */

import { PreloopError, type Principal, type RateLimitCheck, type RateLimitStore } from '@preloop/core';

/** One rate limit. */
export interface RateLimit {
  /** Requests admitted within any minute (a sliding window; `burst` if that is higher). */
  requestsPerMinute: number;
  /**
   * Requests admitted within any ten seconds, so a quiet client cannot spend
   * its whole minute at once. @default requestsPerMinute / 6 (ten seconds' worth), at least 1
   */
  burst?: number;
}

/** Rate limits by subject; each applies when the caller has that kind of id. */
export interface RateLimits {
  /** Per API key (the key itself, or the key behind a runtime session). @default none */
  apiKey?: RateLimit;
  /** Per managed agent, across its keys and sessions. @default none */
  agent?: RateLimit;
}

/** A rate limiter. */
export interface RateLimiter {
  /** Takes one request for `principal`; rejects with `RATE_LIMITED` (with `details.retryAfterSeconds`) when a limit is reached, counting nothing. */
  take(principal: Principal, now?: number): Promise<void>;
}

const burstWindowSeconds = 10;

/**
 * Creates a rate limiter over `store` (the kernel's `preloop.rateLimits`);
 * with no limits configured `take` does nothing and touches no database.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter(preloop.rateLimits, { apiKey: { requestsPerMinute: 600 } });
 * await limiter.take(principal);
 * ```
 */
export function createRateLimiter(store: RateLimitStore, limits: RateLimits = {}): RateLimiter {
  const subjects: Array<{ limit: Required<RateLimit>; id: (principal: Principal) => string | null; name: string; label: string }> = [];
  const normalize = (limit: RateLimit): Required<RateLimit> => ({
    requestsPerMinute: limit.requestsPerMinute,
    burst: Math.max(1, limit.burst ?? Math.ceil(limit.requestsPerMinute / 6)),
  });
  if (limits.apiKey) subjects.push({ limit: normalize(limits.apiKey), id: (p) => p.apiKeyId, name: 'api-key', label: 'API key' });
  if (limits.agent) subjects.push({ limit: normalize(limits.agent), id: (p) => p.agentId, name: 'agent', label: 'agent' });

  return {
    async take(principal, now = Date.now()) {
      if (subjects.length === 0) return;
      const checks: Array<RateLimitCheck & { message: string }> = [];
      for (const subject of subjects) {
        const id = subject.id(principal);
        if (!id) continue;
        const { burst } = subject.limit;
        const requestsPerMinute = Math.max(subject.limit.requestsPerMinute, burst);
        checks.push(
          {
            key: `gateway:${subject.name}:${id}:burst`,
            rule: { limit: burst, windowSeconds: burstWindowSeconds },
            message: `Burst limit of ${burst} requests per ${burstWindowSeconds} seconds for this ${subject.label} reached`,
          },
          {
            key: `gateway:${subject.name}:${id}:minute`,
            rule: { limit: requestsPerMinute, windowSeconds: 60 },
            message: `Rate limit of ${requestsPerMinute} requests per minute for this ${subject.label} reached`,
          },
        );
      }
      if (checks.length === 0) return;
      const result = await store.take(checks, now);
      if (result.allowed) return;
      const { retryAfterSeconds } = result;
      throw new PreloopError('RATE_LIMITED', `${(result.refusedBy as (typeof checks)[number]).message}; retry in ${retryAfterSeconds} s.`, {
        details: { retryAfterSeconds },
      });
    },
  };
}
