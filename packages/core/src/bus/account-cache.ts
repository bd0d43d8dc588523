import { busReconnectedChannel, type Bus } from './bus.js';

/** The message that tells every instance to drop its cached copy of one account's value of a kind. */
export interface AccountCacheSignal {
  accountId: string;
  kind: string;
}

/** Options of {@link createAccountCache}. */
export interface AccountCacheOptions<T> {
  /** Where changes are announced. */
  bus: Bus;
  /** The Bus channel, shared by the caches of one package (for example `governance`). */
  channel: string;
  /** Which value this cache holds on that channel (for example `policy`). */
  kind: string;
  /** Re-read after this many milliseconds even without a signal, so a lost signal heals itself. */
  ttlMs: number;
  /** Loads an account's value from the database. */
  load(accountId: string): Promise<T>;
}

/** A per-account cache kept consistent across instances through the Bus. */
export interface AccountCache<T> {
  /** The cached value, loading it when missing or stale. A failed load is not kept. */
  get(accountId: string): Promise<T>;
  /** Drops this instance's copy only. */
  drop(accountId: string): void;
  /** Drops this instance's copy and tells every instance to drop theirs (rejects when the Bus cannot publish). */
  invalidate(accountId: string): Promise<void>;
  /** Stops listening and forgets everything. */
  close(): void;
}

/**
 * Creates a per-account cache of a value derived from the database (the
 * compiled policy, the kill-switch state, model aliases, budgets). A change
 * announced on the Bus drops the value on every instance; `ttlMs` bounds how
 * stale it can get if a signal is lost, and a Bus that reconnects after an
 * outage drops every value.
 *
 * @example
 * ```ts
 * const cache = createAccountCache({ bus, channel: 'governance', kind: 'policy', ttlMs: 5000, load: loadPolicy });
 * const policy = await cache.get('acc_default');
 * await cache.invalidate('acc_default'); // after a change
 * ```
 */
export function createAccountCache<T>(options: AccountCacheOptions<T>): AccountCache<T> {
  const { bus, channel, kind, ttlMs, load } = options;
  const entries = new Map<string, { value: Promise<T>; loadedAt: number }>();
  const unsubscribe = bus.subscribe(channel, (payload) => {
    const signal = payload as AccountCacheSignal | null;
    if (signal?.kind === kind && typeof signal.accountId === 'string') entries.delete(signal.accountId);
  });
  // Signals sent while the Bus was down are lost: forget everything once it is back.
  const unsubscribeReconnected = bus.subscribe(busReconnectedChannel, () => entries.clear());
  return {
    get(accountId) {
      const entry = entries.get(accountId);
      const now = Date.now();
      if (entry && now - entry.loadedAt < ttlMs) return entry.value;
      const fresh = { value: load(accountId), loadedAt: now };
      entries.set(accountId, fresh);
      fresh.value.catch(() => {
        if (entries.get(accountId) === fresh) entries.delete(accountId);
      });
      return fresh.value;
    },
    drop(accountId) {
      entries.delete(accountId);
    },
    async invalidate(accountId) {
      entries.delete(accountId);
      await bus.publish(channel, { accountId, kind } satisfies AccountCacheSignal);
    },
    close() {
      unsubscribe();
      unsubscribeReconnected();
      entries.clear();
    },
  };
}
