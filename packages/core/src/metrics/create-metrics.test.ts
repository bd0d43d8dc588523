import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../bus/bus.js';
import { createEvents } from '../events/create-event-bus.js';
import { createLogger } from '../logger.js';
import { testSecretKey } from '../testing/create-test-preloop.js';
import { createPreloop } from '../kernel/create-preloop.js';
import type { Preloop } from '../kernel/preloop.js';
import { createMetrics } from './create-metrics.js';

const count = (text: string, surface: string) =>
  Number(new RegExp(`^preloop_http_requests_total\\{surface="${surface}",status="(\\d+)"\\} (\\d+)$`, 'm').exec(text)?.[2] ?? 0);

describe('createMetrics', () => {
  const kernels: Preloop[] = [];
  afterAll(async () => {
    for (const kernel of kernels) await kernel.close();
  });

  it('keeps one registry per kernel: two kernels in one process neither collide nor see each other’s requests', async () => {
    const logger = createLogger({ level: 'silent' });
    const first = await createPreloop({ database: ':memory:', secretKey: testSecretKey, logger });
    const second = await createPreloop({ database: ':memory:', secretKey: testSecretKey, logger });
    kernels.push(first, second);
    for (let index = 0; index < 3; index++) expect((await first.api(new Request('http://localhost/api/v1/health/live'))).status).toBe(200);
    expect(count(await first.metrics.scrape(), 'admin')).toBe(3);
    expect(count(await second.metrics.scrape(), 'admin')).toBe(0);
    // The process's default metrics appear once in each kernel's scrape.
    expect((await second.metrics.scrape()).match(/^# TYPE nodejs_eventloop_lag_seconds gauge$/gm)).toHaveLength(1);
  });

  it('records a handler that throws as a 500 and rethrows; measures the Bus publish-to-receive lag', async () => {
    const bus = createMemoryBus();
    const metrics = createMetrics({ events: createEvents(), bus, busHeartbeatMs: 60_000 });
    const failing = metrics.instrument('mcp', async (): Promise<Response> => {
      throw new Error('boom');
    });
    await expect(failing()).rejects.toThrow('boom');
    const text = await metrics.scrape();
    expect(text).toMatch(/^preloop_http_requests_total\{surface="mcp",status="500"\} 1$/m);
    await expect.poll(async () => /^preloop_bus_lag_seconds_count 1$/m.test(await metrics.scrape())).toBe(true);
    metrics.close();
    await bus.close();
  });
});
