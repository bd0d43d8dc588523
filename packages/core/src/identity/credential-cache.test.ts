import { describe, expect, it } from 'vitest';
import { createCredentialCache } from './credential-cache.js';

describe('credential cache', () => {
  it('serves an entry until its TTL or its own expiry, whichever comes first', () => {
    let now = 1_000;
    const cache = createCredentialCache<string>({ ttlMs: 100, now: () => now });
    cache.set('a', 'A', { tags: ['k1'], generation: cache.generation });
    cache.set('b', 'B', { tags: ['k2'], expiresAt: 1_050, generation: cache.generation });
    expect(cache.get('a')).toBe('A');
    now = 1_050;
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    now = 1_100;
    expect(cache.get('a')).toBeUndefined();
  });

  it('drops entries by tag', () => {
    const cache = createCredentialCache<string>();
    cache.set('a', 'A', { tags: ['key_1', 'usr_1'], generation: cache.generation });
    cache.set('b', 'B', { tags: ['key_2', 'usr_1'], generation: cache.generation });
    cache.set('c', 'C', { tags: ['key_3', 'usr_2'], generation: cache.generation });
    cache.invalidate(['usr_1']);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, undefined, 'C']);
  });

  it('never caches a lookup that raced an invalidation', () => {
    const cache = createCredentialCache<string>();
    const generation = cache.generation;
    cache.invalidate(['key_1']); // a revocation lands while the lookup is in flight
    cache.set('a', 'stale', { tags: ['key_1'], generation });
    expect(cache.get('a')).toBeUndefined();
  });

  it('stays bounded, dropping the oldest entries', () => {
    const cache = createCredentialCache<number>({ maxEntries: 3 });
    for (let i = 0; i < 5; i++) cache.set(`k${i}`, i, { tags: [], generation: cache.generation });
    expect(cache.size).toBe(3);
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k4')).toBe(4);
  });
});
