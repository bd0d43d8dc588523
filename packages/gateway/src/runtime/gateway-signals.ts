/**
 * Cross-instance cache invalidation for the gateway: a change to an account's
 * model aliases or budgets is announced on the Bus, and every instance drops
 * its cached copy; entries also expire after a TTL so a lost signal heals.
 *
 * @module
 */

import type { Bus } from '@preloop/core';

/** The Bus channel of gateway configuration changes. */
export const gatewayBusChannel = 'gateway';

/** A gateway configuration change. */
export interface GatewaySignal {
  accountId: string;
  kind: 'models' | 'budgets';
}

/** A per-account cache of a value loaded from the database. */
export interface AccountCache<T> {
  /** The cached value, loaded when missing or older than the TTL; a failed load is not kept. */
  get(accountId: string): Promise<T>;
  /** Drops this instance's copy. */
  drop(accountId: string): void;
  close(): void;
}

/**
 * Creates a per-account cache dropped by {@link GatewaySignal}s of `kind`.
 *
 * @example
 * ```ts
 * const cache = createAccountCache(preloop.bus, 'models', 30_000, (accountId) => loadModels(accountId));
 * ```
 */
export function createAccountCache<T>(bus: Bus, kind: GatewaySignal['kind'], ttlMs: number, load: (accountId: string) => Promise<T>): AccountCache<T> {
  const entries = new Map<string, { value: Promise<T>; loadedAt: number }>();
  const unsubscribe = bus.subscribe(gatewayBusChannel, (payload) => {
    const signal = payload as GatewaySignal | null;
    if (signal?.kind === kind && typeof signal.accountId === 'string') entries.delete(signal.accountId);
  });
  return {
    get(accountId) {
      const entry = entries.get(accountId);
      const now = Date.now();
      if (entry && now - entry.loadedAt < ttlMs) return entry.value;
      const value = load(accountId);
      const fresh = { value, loadedAt: now };
      entries.set(accountId, fresh);
      value.catch(() => {
        if (entries.get(accountId) === fresh) entries.delete(accountId);
      });
      return value;
    },
    drop(accountId) {
      entries.delete(accountId);
    },
    close() {
      unsubscribe();
      entries.clear();
    },
  };
}
