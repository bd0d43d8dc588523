import { describe, expect, it } from 'vitest';
import { isPreloopError } from '../errors.js';
import { definePlugin } from './define-plugin.js';
import { orderPlugins } from './order-plugins.js';

describe('orderPlugins', () => {
  it('puts dependencies first', () => {
    const a = definePlugin({ id: 'a', dependencies: ['b'] });
    const b = definePlugin({ id: 'b', dependencies: ['c'] });
    const c = definePlugin({ id: 'c' });
    expect(orderPlugins([a, b, c]).map((p) => p.id)).toEqual(['c', 'b', 'a']);
  });

  it('refuses a plugin whose dependency is missing, naming both', () => {
    const error = (() => {
      try {
        orderPlugins([definePlugin({ id: 'webhook', dependencies: ['approvals'] })]);
      } catch (e) {
        return e;
      }
    })();
    expect(isPreloopError(error, 'CONFIGURATION_ERROR')).toBe(true);
    expect((error as Error).message).toContain('"webhook" depends on "approvals"');
  });

  it('refuses a duplicate id', () => {
    expect(() => orderPlugins([definePlugin({ id: 'x' }), definePlugin({ id: 'x' })])).toThrow(/duplicate plugin id "x"/);
  });

  it('refuses a dependency cycle', () => {
    expect(() => orderPlugins([definePlugin({ id: 'a', dependencies: ['b'] }), definePlugin({ id: 'b', dependencies: ['a'] })])).toThrow(
      /dependency cycle/,
    );
  });

  it('refuses a plugin without an id', () => {
    expect(() => orderPlugins([{ id: '' }])).toThrow(/plugins\[0\]/);
  });
});
