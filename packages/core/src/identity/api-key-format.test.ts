import { describe, expect, it } from 'vitest';
import { apiKeyDisplayPrefix, crc32, generateApiKey, hashApiKey, isPreloopApiKey } from './api-key-format.js';

describe('API key format', () => {
  it('is plk_, 32 random base62 characters and a 6-character checksum', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^plk_[0-9A-Za-z]{38}$/);
    expect(isPreloopApiKey(key)).toBe(true);
  });

  it('computes the standard CRC32', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
  });

  it('recognizes a leaked key offline and rejects any altered character', () => {
    const key = generateApiKey();
    for (let i = 4; i < key.length; i++) {
      const replacement = key[i] === 'a' ? 'b' : 'a';
      expect(isPreloopApiKey(key.slice(0, i) + replacement + key.slice(i + 1))).toBe(false);
    }
    expect(isPreloopApiKey(`ghp_${key.slice(4)}`)).toBe(false);
    expect(isPreloopApiKey(key.slice(0, -1))).toBe(false);
    expect(isPreloopApiKey(`${key} `)).toBe(false);
    expect(isPreloopApiKey('plk_')).toBe(false);
    expect(isPreloopApiKey(42 as never)).toBe(false);
  });

  it('draws unique keys with every base62 character in use', () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateApiKey()));
    expect(keys.size).toBe(2000);
    const alphabet = new Set([...keys].flatMap((key) => [...key.slice(4, 36)]));
    expect(alphabet.size).toBe(62);
  });

  it('stores only a SHA-256 and a short display prefix', () => {
    const key = generateApiKey();
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(apiKeyDisplayPrefix(key)).toBe(key.slice(0, 10));
  });
});
