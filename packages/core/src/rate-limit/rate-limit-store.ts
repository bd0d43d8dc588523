import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { KernelTables } from '../storage/schema.js';
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
  /** Forgets the counts of these checks, every window (for example the email+address failures after a successful login). */
  reset(checks: readonly RateLimitCheck[]): Promise<void>;
}

/** Options of {@link createRateLimitStore}. */
export interface RateLimitStoreOptions {
  db: Kysely<KernelTables>;
  dialect: DialectName;
  /** Expired counters are deleted at most this often, in ms. @default 60000 */
  sweepIntervalMs?: number;
}

/** A counter's row: the key and window stored as a SHA-256 digest (no email or address in clear), and the current window's start. */
interface Slot {
  check: RateLimitCheck;
  key: string;
  windowMs: number;
  windowStart: number;
}

const toSlot = (check: RateLimitCheck, now: number): Slot => {
  const windowMs = Math.max(1, Math.round(check.rule.windowSeconds * 1000));
  return {
    check,
    key: createHash('sha256').update(`${check.key}\u0000${windowMs}`).digest('base64url'),
    windowMs,
    windowStart: Math.floor(now / windowMs) * windowMs,
  };
};

/**
 * Creates the database-backed rate-limit store. Each counter is a sliding
 * window approximated from two fixed windows (the previous window's count
 * weighted by how much of it still overlaps, plus the current one). One `take`
 * is two statements whatever the number of checks: a multi-row
 * `INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count`
 * (atomic on SQLite and PostgreSQL) and one read of the previous windows;
 * a refusal adds a third that gives the hits back.
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

  const bySlot =
    (slots: readonly Slot[], previous = false) =>
    (eb: any) =>
      eb.or(
        slots.map((slot) =>
          eb.and([eb('key', '=', slot.key), eb('window_start', '=', previous ? slot.windowStart - slot.windowMs : slot.windowStart)]),
        ),
      );

  async function giveBack(slots: readonly Slot[]): Promise<void> {
    if (slots.length === 0) return;
    await db.updateTable('rate_limit_counters').set({ count: sql`count - 1` }).where(bySlot(slots)).where('count', '>', 0).execute();
  }

  function sweep(now: number): void {
    if (now - lastSweep < sweepIntervalMs) return;
    lastSweep = now;
    void db
      .deleteFrom('rate_limit_counters')
      .where('expires_at', '<', now)
      .execute()
      .catch(() => {});
  }

  return {
    async take(checks, now = Date.now()) {
      sweep(now);
      const seen = new Set<string>();
      const slots = checks.map((check) => toSlot(check, now)).filter((slot) => !seen.has(slot.key) && seen.add(slot.key));
      if (slots.length === 0) return { allowed: true, release: async () => {} };
      const counted = await db
        .insertInto('rate_limit_counters')
        .values(
          slots.map((slot) => ({
            key: slot.key,
            window_start: slot.windowStart,
            count: 1,
            expires_at: slot.windowStart + 2 * slot.windowMs,
          })),
        )
        .onConflict((conflict) => conflict.columns(['key', 'window_start']).doUpdateSet({ count: sql`rate_limit_counters.count + 1` }))
        .returning(['key', 'count'])
        .execute();
      const previous = await db.selectFrom('rate_limit_counters').select(['key', 'count']).where(bySlot(slots, true)).execute();
      const countOf = (rows: Array<{ key: string; count: unknown }>, key: string) =>
        Number(rows.find((row) => row.key === key)?.count ?? 0);
      for (const slot of slots) {
        const count = countOf(counted, slot.key);
        const before = countOf(previous, slot.key);
        const estimate = before * (1 - (now - slot.windowStart) / slot.windowMs) + count;
        if (estimate <= slot.check.rule.limit) continue;
        await giveBack(slots);
        // When does the estimate fall back under the limit? Within this window if the previous one's weight is what tips it, else at its end.
        const room = slot.check.rule.limit - (count - 1);
        const retryAt = room > 0 && before > 0 ? slot.windowStart + slot.windowMs * (1 - room / before) : slot.windowStart + slot.windowMs;
        return { allowed: false, refusedBy: slot.check, retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)) };
      }
      let released = false;
      return {
        allowed: true,
        async release() {
          if (released) return;
          released = true;
          await giveBack(slots);
        },
      };
    },
    async reset(checks) {
      if (checks.length === 0) return;
      await db
        .deleteFrom('rate_limit_counters')
        .where(
          'key',
          'in',
          checks.map((check) => toSlot(check, 0).key),
        )
        .execute();
    },
  };
}
