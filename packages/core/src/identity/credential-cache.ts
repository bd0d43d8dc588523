/** Options of {@link createCredentialCache}. */
export interface CredentialCacheOptions {
  /** How long an entry may be served without a database check, in ms. @default 30000 */
  ttlMs?: number;
  /** Most entries kept; the oldest goes first. @default 10000 */
  maxEntries?: number;
  /** The clock. @default Date.now */
  now?: () => number;
}

/** A bounded, short-lived cache of authenticated credentials, dropped by tag (key, user, agent or session id). */
export interface CredentialCache<T> {
  /** The cached value, or undefined when absent, older than the TTL, or past its own expiry. */
  get(key: string): T | undefined;
  /**
   * Caches `value` unless an invalidation happened since `generation` was read
   * (so a lookup that raced a revocation never caches the stale answer).
   */
  set(
    key: string,
    value: T,
    options: { tags: ReadonlyArray<string | null | undefined>; expiresAt?: number | null; generation: number },
  ): void;
  /** Drops every entry carrying one of `tags`. */
  invalidate(tags: readonly string[]): void;
  /** Drops everything. */
  clear(): void;
  /** Increases on every invalidation; read it before a database lookup and pass it to `set`. */
  readonly generation: number;
  /** Entries held. */
  readonly size: number;
}

interface Entry<T> {
  value: T;
  tags: string[];
  /** Served until this time (the TTL, or the credential's own expiry if sooner). */
  until: number;
}

/**
 * Creates a credential cache. Correctness never depends on it: an entry lives
 * at most `ttlMs`, and every identity change drops the matching entries on every
 * instance through the Bus.
 *
 * @example
 * ```ts
 * const cache = createCredentialCache<Principal>({ ttlMs: 30_000 });
 * const generation = cache.generation;
 * const principal = await lookUp(keyHash);
 * cache.set(keyHash, principal, { tags: [principal.apiKeyId, principal.userId], generation });
 * ```
 */
export function createCredentialCache<T>(options: CredentialCacheOptions = {}): CredentialCache<T> {
  const ttlMs = options.ttlMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry<T>>();
  let generation = 0;

  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (now() >= entry.until) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value, setOptions) {
      if (setOptions.generation !== generation || ttlMs <= 0) return;
      const expiresAt = setOptions.expiresAt ?? Number.POSITIVE_INFINITY;
      const until = Math.min(now() + ttlMs, expiresAt);
      entries.delete(key);
      entries.set(key, { value, tags: setOptions.tags.filter((tag): tag is string => typeof tag === 'string' && tag !== ''), until });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    invalidate(tags) {
      generation++;
      if (tags.length === 0 || entries.size === 0) return;
      const dropped = new Set(tags);
      for (const [key, entry] of entries) {
        if (entry.tags.some((tag) => dropped.has(tag))) entries.delete(key);
      }
    },
    clear() {
      generation++;
      entries.clear();
    },
    get generation() {
      return generation;
    },
    get size() {
      return entries.size;
    },
  };
}
