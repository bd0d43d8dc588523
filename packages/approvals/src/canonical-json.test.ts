import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bindingKey, canonicalJson, sha256Hex } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys, drops whitespace and follows JSON for odd values', () => {
    expect(canonicalJson({ b: 1, a: [true, null, undefined], c: { z: 'é', y: 1.5e-7 }, d: undefined })).toBe('{"a":[true,null,null],"b":1,"c":{"y":1.5e-7,"z":"é"}}');
    expect(canonicalJson({ n: Number.NaN, date: new Date(0) })).toBe('{"date":"1970-01-01T00:00:00.000Z","n":null}');
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

  it('refuses cycles, BigInts and deep nesting', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/BigInt/);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i += 1) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/deeper/);
  });

  it('binds every part of a call', () => {
    const base = { accountId: 'acc', kind: 'tool_call', subject: 'agent:a1', runtimeSessionId: 's1', tool: 'deploy', argsHash: sha256Hex('{}'), definitionHash: 'd1' };
    const key = bindingKey(base);
    for (const [field, value] of Object.entries({ accountId: 'acc2', kind: 'question', subject: 'agent:a2', runtimeSessionId: null, tool: 'deploy2', argsHash: sha256Hex('[]'), definitionHash: null })) {
      expect(bindingKey({ ...base, [field]: value })).not.toBe(key);
    }
    expect(bindingKey({ ...base })).toBe(key);
  });
});
