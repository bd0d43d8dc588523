/**
 * Token-bucket rate limits per API key and per agent, in memory on each
 * instance (with N instances behind a balancer the effective limit is up to
 * N times the configured one).
 *
 * @module
 */

import { PreloopError, type Principal } from '@preloop/core';

/** One rate limit. */
export interface RateLimit {
  /** Sustained requests per minute. */
  requestsPerMinute: number;
  /** Requests allowed at once after a quiet period. @default requestsPerMinute / 6 (ten seconds' worth), at least 1 */
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
  /** Takes one request for `principal`; throws `RATE_LIMITED` (with `details.retryAfterSeconds`) when a bucket is empty. */
  take(principal: Principal, now?: number): void;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const maxBuckets = 100_000;

/**
 * Creates a rate limiter; with no limits configured `take` does nothing.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ apiKey: { requestsPerMinute: 600 } });
 * limiter.take(principal);
 * ```
 */
export function createRateLimiter(limits: RateLimits = {}): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const checks: Array<{ limit: Required<RateLimit>; key: (principal: Principal) => string | null; label: string }> = [];
  const normalize = (limit: RateLimit): Required<RateLimit> => ({
    requestsPerMinute: limit.requestsPerMinute,
    burst: Math.max(1, limit.burst ?? Math.ceil(limit.requestsPerMinute / 6)),
  });
  if (limits.apiKey) checks.push({ limit: normalize(limits.apiKey), key: (p) => (p.apiKeyId ? `k:${p.apiKeyId}` : null), label: 'API key' });
  if (limits.agent) checks.push({ limit: normalize(limits.agent), key: (p) => (p.agentId ? `a:${p.agentId}` : null), label: 'agent' });

  const refill = (bucket: Bucket, limit: Required<RateLimit>, now: number) => {
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.updatedAt) * limit.requestsPerMinute) / 60_000);
    bucket.updatedAt = now;
  };

  return {
    take(principal, now = Date.now()) {
      if (checks.length === 0) return;
      const taken: Bucket[] = [];
      for (const check of checks) {
        const key = check.key(principal);
        if (key === null) continue;
        let bucket = buckets.get(key);
        if (!bucket) {
          if (buckets.size >= maxBuckets) buckets.clear();
          bucket = { tokens: check.limit.burst, updatedAt: now };
          buckets.set(key, bucket);
        } else refill(bucket, check.limit, now);
        if (bucket.tokens < 1) {
          for (const earlier of taken) earlier.tokens += 1;
          const retryAfterSeconds = Math.ceil(((1 - bucket.tokens) * 60) / check.limit.requestsPerMinute);
          throw new PreloopError('RATE_LIMITED', `Rate limit of ${check.limit.requestsPerMinute} requests per minute for this ${check.label} reached; retry in ${retryAfterSeconds} s.`, {
            details: { retryAfterSeconds },
          });
        }
        bucket.tokens -= 1;
        taken.push(bucket);
      }
    },
  };
}
