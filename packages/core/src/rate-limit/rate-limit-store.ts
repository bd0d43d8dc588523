import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../storage/database.js';

/** One limit: at most `limit` hits within any `windowSeconds` (a sliding window). */
export interface RateLimitRule {
  /** Hits allowed within the window. */
  limit: number;
  /** The window, in seconds. */
  windowSeconds: number;
}

/** One counter to take a hit from: its key (any text; stored hashed) and its rule. */
export interface RateLimitCheck {
  key: string;
  rule: RateLimitRule;
}

/** The answer to {@link RateLimitStore.take}. */
export type RateLimitResult =
  | {
      allowed: true;
      /** Gives the hits back (for example after a successful login, which is not a failure). */
      release(): Promise<void>;
    }
  | {
      allowed: false;
      /** The check that refused. */
      refusedBy: RateLimitCheck;
      /** Seconds until that counter admits again (at least 1). */
      retryAfterSeconds: number;
    };

/**
 * Rate-limit counters in the database, so every instance on one PostgreSQL
 * (and every process on one SQLite file) shares them: two instances admit the
 * limit, not twice the limit.
 */
export interface RateLimitStore {
  /**
   * Takes one hit from every check, in order, each with one atomic upsert; when
   * one refuses, the hits already taken are given back and nothing is counted.
   * The count is taken before the caller does the work, so N parallel callers
   * are never all admitted.
   */
  take(checks: readonly RateLimitCheck[], now?: number): Promise<RateLimitResult>;
  /** Forgets a key's counts (for example the email+address failures after a successful login). */
  reset(key: string): Promise<void>;
}

/** Options of {@link createRateLimitStore}. */
export interface RateLimitStoreOptions {
  db: Kysely<any>;
  dialect: DialectName;
  /** Expired counters are deleted at most this often, in ms. @default 60000 */
  sweepIntervalMs?: number;
}

/** Keys are stored as a SHA-256 digest: no email or address in clear in the counters table. */
const storedKey = (key: string): string => createHash('sha256').update(key).digest('base64url');

/**
 * Creates the database-backed rate-limit store. Each counter is a sliding
 * window approximated from two fixed windows (the previous window's count
 * weighted by how much of it still overlaps, plus the current one), updated
 * with `INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count`
 * on both SQLite and PostgreSQL.
 *
 * @example
 * ```ts
 * const store = createRateLimitStore({ db, dialect: 'sqlite' });
 * const result = await store.take([{ key: `login:${email}|${address}`, rule: { limit: 5, windowSeconds: 900 } }]);
 * if (!result.allowed) throw tooMany(result.retryAfterSeconds);
 * ```
 */
export function createRateLimitStore(options: RateLimitStoreOptions): RateLimitStore {
  const { db } = options;
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  let lastSweep = 0;

  async function increment(key: string, windowStart: number, expiresAt: number, by: 1 | -1): Promise<number> {
    if (by === -1) {
      await db.updateTable('rate_limit_counters').set({ count: sql`count - 1` }).where('key', '=', key).where('window_start', '=', windowStart).where('count', '>', 0).execute();
      return 0;
    }
    const row = await db
      .insertInto('rate_limit_counters')
      .values({ key, window_start: windowStart, count: 1, expires_at: expiresAt })
      .onConflict((conflict) => conflict.columns(['key', 'window_start']).doUpdateSet({ count: sql`rate_limit_counters.count + 1` }))
      .returning('count')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async function hit(check: RateLimitCheck, now: number): Promise<{ allowed: boolean; key: string; windowStart: number; retryAfterSeconds: number }> {
    const windowMs = Math.max(1, Math.round(check.rule.windowSeconds * 1000));
    const key = storedKey(check.key);
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const count = await increment(key, windowStart, windowStart + 2 * windowMs, 1);
    const previousRow = await db.selectFrom('rate_limit_counters').select('count').where('key', '=', key).where('window_start', '=', windowStart - windowMs).executeTakeFirst();
    const previous = Number(previousRow?.count ?? 0);
    const overlap = 1 - (now - windowStart) / windowMs;
    const estimate = previous * overlap + count;
    if (estimate <= check.rule.limit) return { allowed: true, key, windowStart, retryAfterSeconds: 0 };
    await increment(key, windowStart, 0, -1);
    // When does the estimate fall back under the limit? Within this window if the previous one's weight is what tips it, else at its end.
    const room = check.rule.limit - (count - 1);
    const retryAt = room > 0 && previous > 0 ? windowStart + windowMs * (1 - room / previous) : windowStart + windowMs;
    return { allowed: false, key, windowStart, retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)) };
  }

  function sweep(now: number): void {
    if (now - lastSweep < sweepIntervalMs) return;
    lastSweep = now;
    void db.deleteFrom('rate_limit_counters').where('expires_at', '<', now).execute().catch(() => {});
  }

  return {
    async take(checks, now = Date.now()) {
      sweep(now);
      const taken: Array<{ key: string; windowStart: number }> = [];
      const giveBack = async () => {
        for (const item of taken.splice(0)) await increment(item.key, item.windowStart, 0, -1);
      };
      for (const check of checks) {
        const result = await hit(check, now);
        if (!result.allowed) {
          await giveBack();
          return { allowed: false, refusedBy: check, retryAfterSeconds: result.retryAfterSeconds };
        }
        taken.push(result);
      }
      return { allowed: true, release: giveBack };
    },
    async reset(key) {
      await db.deleteFrom('rate_limit_counters').where('key', '=', storedKey(key)).execute();
    },
  };
}
