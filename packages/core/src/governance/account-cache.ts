import type { Bus } from '../bus/bus.js';

/** The Bus channel on which governance changes are announced to every instance. */
export const governanceBusChannel = 'governance';

/** A governance change announcement. */
export interface GovernanceSignal {
  accountId: string;
  kind: 'policy' | 'kill-switch';
}

/**
 * A per-account cache of a derived value (the compiled policy, the kill-switch
 * state), dropped when the Bus announces a change of its kind, and re-read
 * after `ttlMs` anyway so a lost signal heals itself.
 *
 * @example
 * ```ts
 * const cache = createAccountCache(bus, 'policy', 5000, (accountId) => loadPolicy(accountId));
 * const policy = await cache.get('acc_default');
 * ```
 */
export function createAccountCache<T>(bus: Bus, kind: GovernanceSignal['kind'], ttlMs: number, load: (accountId: string) => Promise<T>) {
  const entries = new Map<string, { value: Promise<T>; loadedAt: number }>();
  const unsubscribe = bus.subscribe(governanceBusChannel, (payload) => {
    const signal = payload as GovernanceSignal;
    if (signal?.kind === kind) entries.delete(signal.accountId);
  });
  return {
    /** The cached value, loading it when missing or stale. A failed load is not cached. */
    get(accountId: string): Promise<T> {
      const entry = entries.get(accountId);
      if (entry && Date.now() - entry.loadedAt < ttlMs) return entry.value;
      const value = load(accountId);
      entries.set(accountId, { value, loadedAt: Date.now() });
      value.catch(() => entries.delete(accountId));
      return value;
    },
    /** Drops this instance's entry and tells every instance to drop theirs. */
    async invalidate(accountId: string): Promise<void> {
      entries.delete(accountId);
      await bus.publish(governanceBusChannel, { accountId, kind } satisfies GovernanceSignal);
    },
    close(): void {
      unsubscribe();
      entries.clear();
    },
  };
}
