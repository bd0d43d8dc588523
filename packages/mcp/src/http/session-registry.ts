import type { Principal } from '@preloop/core';

/** What the registry keeps of an MCP session. */
export interface RegisteredSession {
  /** The unguessable session id (256 random bits). */
  readonly id: string;
  /** The principal the session is bound to (see {@link principalKey}). */
  readonly principalKey: string;
  /** The account, for broadcasts. */
  readonly accountId: string;
  /** Epoch ms of the last request. */
  lastSeenAt: number;
  /** Closes the session's server and transport. */
  close(): Promise<void>;
}

/**
 * The identity a session is bound to: account, principal type and id. A
 * request carrying the session id with any other credential is answered as if
 * the session did not exist.
 *
 * @example
 * ```ts
 * principalKey(principal); // 'acc_default key api_key key_0193…'
 * ```
 */
export function principalKey(principal: Principal): string {
  return `${principal.accountId}\u0000${principal.type}\u0000${principal.id}`;
}

/** The live MCP sessions of one handler. */
export interface SessionRegistry<S extends RegisteredSession> {
  /** The session with `id` if it is bound to `key`; otherwise null (unknown and foreign look the same). */
  find(id: string, key: string): S | null;
  /** Adds a session, closing the least recently used of the same principal beyond the limit. */
  add(session: S): void;
  /** Forgets a session (it closed). */
  remove(id: string): void;
  /** Every live session. */
  all(): Iterable<S>;
  size(): number;
  /** Closes every session and stops the idle sweep. */
  close(): Promise<void>;
}

/**
 * Creates a session registry that closes sessions idle longer than `idleMs`
 * and keeps at most `maxPerPrincipal` sessions per principal.
 *
 * @example
 * ```ts
 * const registry = createSessionRegistry({ idleMs: 30 * 60_000, maxPerPrincipal: 100 });
 * ```
 */
export function createSessionRegistry<S extends RegisteredSession>(options: {
  idleMs: number;
  maxPerPrincipal: number;
}): SessionRegistry<S> {
  const sessions = new Map<string, S>();
  const sweep = setInterval(
    () => {
      const cutoff = Date.now() - options.idleMs;
      for (const session of sessions.values()) if (session.lastSeenAt < cutoff) void session.close();
    },
    Math.max(1000, Math.min(60_000, Math.floor(options.idleMs / 2))),
  );
  sweep.unref?.();
  return {
    find(id, key) {
      const session = sessions.get(id);
      return session && session.principalKey === key ? session : null;
    },
    add(session) {
      sessions.set(session.id, session);
      const own = [...sessions.values()].filter((candidate) => candidate.principalKey === session.principalKey);
      if (own.length > options.maxPerPrincipal) {
        own.sort((a, b) => a.lastSeenAt - b.lastSeenAt);
        for (const old of own.slice(0, own.length - options.maxPerPrincipal)) void old.close();
      }
    },
    remove(id) {
      sessions.delete(id);
    },
    all() {
      return sessions.values();
    },
    size() {
      return sessions.size;
    },
    async close() {
      clearInterval(sweep);
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(all.map((session) => session.close()));
    },
  };
}
