import { isPreloopError } from '@preloop/core';
import { sha256Hex } from '@preloop/core/internal';
import { describe, expect, it } from 'vitest';
import { bindingKey, canonicalArgs } from './binding-key.js';

describe('approval binding', () => {
  it('canonical arguments use core canonical JSON and refuse cycles, BigInts and nesting past 64 levels, naming args', () => {
    expect(canonicalArgs({ b: 1, a: { d: [3, { z: 1, y: 2 }] } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalArgs(cyclic)).toThrow('Invalid approval arguments: holds a cycle.');
    expect(() => canonicalArgs({ n: 1n })).toThrow(/BigInt/);
    let deep: unknown = 1;
    for (let i = 0; i < 70; i += 1) deep = [deep];
    try {
      canonicalArgs(deep);
      expect.unreachable();
    } catch (error) {
      expect(isPreloopError(error, 'VALIDATION_ERROR')).toBe(true);
      expect((error as { details: unknown }).details).toEqual({ issues: [{ path: 'args', message: 'nests deeper than 64 levels' }] });
    }
  });

  it('binds every part of a call, with the key stored requests already hold', () => {
    const base = {
      accountId: 'acc',
      kind: 'tool_call',
      subject: 'agent:a1',
      runtimeSessionId: 's1',
      tool: 'deploy',
      argsHash: sha256Hex('{}'),
      definitionHash: 'd1',
    };
    const key = bindingKey(base);
    expect(key).toBe('d8f1d194c5c6f35cfd659d79773892f1934584272b45f7c3baabdb2472ed0880');
    for (const [field, value] of Object.entries({
      accountId: 'acc2',
      kind: 'question',
      subject: 'agent:a2',
      runtimeSessionId: null,
      tool: 'deploy2',
      argsHash: sha256Hex('[]'),
      definitionHash: null,
    })) {
      expect(bindingKey({ ...base, [field]: value })).not.toBe(key);
    }
    expect(bindingKey({ ...base })).toBe(key);
  });
});
