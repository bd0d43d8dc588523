import { describe, expect, it } from 'vitest';
import { createTestPreloop } from '../testing/create-test-preloop.js';
import { describePostgres } from '../testing/describe-postgres.js';
import { testDialects } from '../testing/test-databases.js';
import { createMemoryBus } from './bus.js';

const receive = (subscribe: (handler: (payload: unknown) => void) => () => void, timeoutMs = 5000) =>
  new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message within timeout')), timeoutMs);
    const stop = subscribe((payload) => {
      clearTimeout(timer);
      stop();
      resolve(payload);
    });
  });

describe('memory bus', () => {
  it('delivers a copy to subscribers and stops after unsubscribe', async () => {
    const bus = createMemoryBus();
    const seen: unknown[] = [];
    const stop = bus.subscribe('c', (payload) => seen.push(payload));
    const payload = { n: 1 };
    await bus.publish('c', payload);
    await new Promise((resolve) => setTimeout(resolve, 5));
    stop();
    await bus.publish('c', { n: 2 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(seen).toEqual([{ n: 1 }]);
    expect(seen[0]).not.toBe(payload);
  });
});

describe.each(testDialects())('kernel bus on $name', (dialect) => {
  it('delivers a kernel’s own signal back to it', async () => {
    const { preloop, cleanup } = await createTestPreloop(dialect);
    try {
      const message = receive((handler) => preloop.bus.subscribe('test', handler));
      await preloop.bus.publish('test', { hello: 'self' });
      expect(await message).toEqual({ hello: 'self' });
    } finally {
      await cleanup();
    }
  });
});

describePostgres('bus across kernels', (dialect) => {
  it('a signal published by one kernel reaches another kernel on the same PostgreSQL', async () => {
    const first = await createTestPreloop(dialect);
    const { createPreloop } = await import('../kernel/create-preloop.js');
    const { createLogger } = await import('../logger.js');
    const { testSecretKey } = await import('../testing/create-test-preloop.js');
    const second = await createPreloop({ database: first.url, secretKey: testSecretKey, logger: createLogger({ level: 'silent' }) });
    try {
      const message = receive((handler) => second.bus.subscribe('approvals', handler));
      await first.preloop.bus.publish('approvals', { id: 'apr_1', status: 'approved' });
      expect(await message).toEqual({ id: 'apr_1', status: 'approved' });
    } finally {
      await second.close();
      await first.cleanup();
    }
  });
});
