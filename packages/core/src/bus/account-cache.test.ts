import { describe, expect, it } from 'vitest';
import { createAccountCache } from './account-cache.js';
import { createMemoryBus } from './bus.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('account cache', () => {
  it('loads once, drops on a signal of its kind from any instance, ignores other kinds, and does not keep a failed load', async () => {
    const bus = createMemoryBus();
    let loads = 0;
    let fail = false;
    const load = async (accountId: string) => {
      loads += 1;
      if (fail) throw new Error('database down');
      return `${accountId}:${loads}`;
    };
    const first = createAccountCache({ bus, channel: 'test', kind: 'policy', ttlMs: 60_000, load });
    const second = createAccountCache({ bus, channel: 'test', kind: 'policy', ttlMs: 60_000, load });
    const other = createAccountCache({ bus, channel: 'test', kind: 'models', ttlMs: 60_000, load });
    expect(await first.get('a')).toBe('a:1');
    expect(await first.get('a')).toBe('a:1');
    expect(await other.get('a')).toBe('a:2');
    await second.invalidate('a');
    await tick();
    expect(await first.get('a')).toBe('a:3');
    expect(await other.get('a')).toBe('a:2');
    first.drop('a');
    fail = true;
    await expect(first.get('a')).rejects.toThrow('database down');
    fail = false;
    expect(await first.get('a')).toBe('a:5');
    for (const cache of [first, second, other]) cache.close();
  });

  it('re-reads after the TTL even without a signal', async () => {
    let loads = 0;
    const cache = createAccountCache({ bus: createMemoryBus(), channel: 'test', kind: 'k', ttlMs: 1, load: async () => ++loads });
    expect(await cache.get('a')).toBe(1);
    await tick();
    expect(await cache.get('a')).toBe(2);
    cache.close();
  });
});
