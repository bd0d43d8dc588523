import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPreloopError } from '../errors.js';
import { genesisHash, hashAuditRecord } from '../audit/hash-chain.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units, drops whitespace and follows JSON for odd values', () => {
    expect(canonicalJson({ b: 1, a: [true, null, undefined], c: { z: 'é', y: 1.5e-7 }, d: undefined })).toBe(
      '{"a":[true,null,null],"b":1,"c":{"y":1.5e-7,"z":"é"}}',
    );
    expect(canonicalJson({ n: Number.NaN, date: new Date(0), f: () => 1 })).toBe('{"date":"1970-01-01T00:00:00.000Z","n":null}');
    expect(canonicalJson({ '\ufb33': 4, '\ud83d\ude00': 3, é: 1, e: 2 })).toBe('{"e":2,"é":1,"\ud83d\ude00":3,"\ufb33":4}');
    expect(canonicalJson([undefined, null])).toBe('[null,null]');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('writes the same text and hashes as before it moved to core (stored hashes still verify)', () => {
    // Vectors computed with the two former copies (core's audit chain and @preloop/approvals), which agreed on them.
    const vectors: Array<[unknown, string, string]> = [
      [
        { b: 1, a: [true, null, undefined], c: { z: 'é', y: 1.5e-7 }, d: undefined },
        '{"a":[true,null,null],"b":1,"c":{"y":1.5e-7,"z":"é"}}',
        'af7ab204c3087db891cc48296cfe541426328b29d6cc7f444e59ed7c5fdaffe8',
      ],
      [
        {
          n: Number.NaN,
          date: new Date(0),
          neg: -0,
          big: 1e21,
          small: 1e-7,
          s: '\u2028\ud800"\\\u0001',
          é: 1,
          e: 2,
          '\ud83d\ude00': 3,
          '\ufb33': 4,
        },
        '{"big":1e+21,"date":"1970-01-01T00:00:00.000Z","e":2,"n":null,"neg":0,"s":"\u2028\\ud800\\"\\\\\\u0001","small":1e-7,"é":1,"😀":3,"\ufb33":4}',
        '3d9bbba1d59a6a83ec866339c55425401a4c5f34e05444e2c0255f85cf6f6d52',
      ],
      [
        [1, 'two', { three: [3.0, 0.1, 100, 1e300] }],
        '[1,"two",{"three":[3,0.1,100,1e+300]}]',
        'e7828b5f2249d07a1bce57d1eee82c820c7296e119170d730fa6408a6adf1520',
      ],
    ];
    for (const [value, text, hash] of vectors) {
      expect(canonicalJson(value)).toBe(text);
      expect(sha256Hex(canonicalJson(value))).toBe(hash);
    }
    const content = {
      id: 'aud_1',
      accountId: 'acc',
      seq: 1,
      time: 5,
      actorType: 'system' as const,
      actorId: null,
      principal: null,
      runtimeSessionId: null,
      action: 'tool.call',
      targetType: 'tool',
      targetId: 'deploy',
      outcome: 'success' as const,
      data: { args: { env: 'prod', n: [1, 2.5, { z: 'é', a: null }] }, u: undefined },
    };
    expect(hashAuditRecord(genesisHash, content)).toBe('58f808fae779aa0eaff80fb092a22a39452db43b306542df7087f4d19b850ad7');
  });

  it('is a fixed point of parse, and independent of key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        const shuffled = JSON.parse(JSON.stringify(value), function (this: unknown, _key, inner) {
          if (inner && typeof inner === 'object' && !Array.isArray(inner)) return Object.fromEntries(Object.entries(inner).reverse());
          return inner;
        });
        expect(canonicalJson(shuffled)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses cycles, BigInts and deep nesting with a VALIDATION_ERROR naming the path', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const caught = (run: () => unknown): unknown => {
      try {
        run();
      } catch (error) {
        return error;
      }
      return null;
    };
    const cycle = caught(() => canonicalJson(cyclic, { label: 'approval arguments', path: 'args' }));
    expect(isPreloopError(cycle) && cycle.code).toBe('VALIDATION_ERROR');
    expect((cycle as Error).message).toBe('Invalid approval arguments: holds a cycle.');
    expect((cycle as { details?: unknown }).details).toEqual({ issues: [{ path: 'args', message: 'holds a cycle' }] });
    expect(() => canonicalJson({ n: 1n })).toThrow(/BigInt/);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i += 1) deep = [deep];
    expect(() => canonicalJson(deep, { maxDepth: 64 })).toThrow(/nests deeper than 64 levels/);
    expect(canonicalJson(deep)).toBe(`${'['.repeat(100)}1${']'.repeat(100)}`);
    // A shared (not cyclic) object is fine.
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });
});
