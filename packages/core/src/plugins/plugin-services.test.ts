import { describe, expect, expectTypeOf, it } from 'vitest';
import { isPreloopError } from '../errors.js';
import { createPreloop } from '../kernel/create-preloop.js';
import type { Preloop } from '../kernel/preloop.js';
import { createLogger } from '../logger.js';
import { definePlugin } from './define-plugin.js';
import type { ServiceOf } from './plugin-services.js';

const silent = createLogger({ level: 'silent' });

const counter = () => {
  let count = 0;
  return definePlugin({ id: 'counter', init: () => ({ next: () => ++count }) });
};
// Its init reads the service of the plugin it depends on, registered before it runs.
const doubler = () =>
  definePlugin({
    id: 'doubler',
    dependencies: ['counter'],
    async init(preloop: Preloop) {
      const source = (preloop as Preloop<{ counter: ServiceOf<ReturnType<typeof counter>> }>).service('counter');
      return { twice: () => source.next() * 2 };
    },
  });
const quiet = () => definePlugin({ id: 'quiet', init: () => {} });

describe('plugin services', () => {
  it("keeps what each plugin's init returns, typed by plugin id", async () => {
    const preloop = await createPreloop({ database: ':memory:', logger: silent, plugins: [doubler(), counter(), quiet()] });
    try {
      expectTypeOf(preloop.service('counter').next).returns.toEqualTypeOf<number>();
      expectTypeOf(preloop.service('doubler').twice).returns.toEqualTypeOf<number>();
      expect(preloop.service('counter').next()).toBe(1);
      expect(preloop.service('doubler').twice()).toBe(4);
      // A kernel with services is still a Preloop for code that takes one.
      const plain: Preloop = preloop;
      expect(plain.accountId).toBe('acc_default');
    } finally {
      await preloop.close();
    }
  });

  it('names the plugin id when no service is registered under it', async () => {
    const preloop = await createPreloop({ database: ':memory:', logger: silent, plugins: [quiet()] });
    const missing = (id: string) => {
      try {
        (preloop as unknown as Preloop<Record<string, unknown>>).service(id);
        return null;
      } catch (error) {
        return error;
      }
    };
    try {
      // @ts-expect-error a plugin whose init returns nothing has no service
      expect(() => preloop.service('quiet')).toThrow(/no plugin "quiet" with a service/);
      // @ts-expect-error an id no plugin has
      expect(() => preloop.service('approval')).toThrow(/preloop\.service\('approval'\)/);
      const error = missing('gateway');
      expect(isPreloopError(error, 'SERVICE_NOT_REGISTERED')).toBe(true);
      expect(error).toMatchObject({ status: 500, details: { plugin: 'gateway' } });
    } finally {
      await preloop.close();
    }
    // A closed kernel serves no service.
    expect(isPreloopError(missing('counter'), 'SERVICE_NOT_REGISTERED')).toBe(true);
  });
});
