import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preloop, Principal } from '@preloop/core';
import { createTestPreloop, testDialects, testSecretKey, type TestDialect, type TestPreloop } from '@preloop/core/testing';
import { createRateLimiter } from './rate-limiter.js';

const run = promisify(execFile);
const repositoryRoot = resolve(import.meta.dirname, '../../../..');

const principal = (overrides: Partial<Principal> = {}): Principal => ({
  type: 'api_key',
  id: 'k1',
  accountId: 'acc',
  name: 'k',
  role: null,
  userId: null,
  apiKeyId: 'k1',
  agentId: null,
  runtimeSessionId: null,
  teamIds: [],
  scopes: ['gateway'],
  ...overrides,
});

/** A dialect whose databases several processes can open (SQLite: a file, not :memory:). */
const shareable = (dialect: TestDialect): TestDialect =>
  dialect.name === 'postgres'
    ? dialect
    : {
        name: 'sqlite',
        async create() {
          const dir = mkdtempSync(join(tmpdir(), 'preloop-rate-limits-'));
          return { url: `sqlite:${join(dir, 'preloop.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
        },
      };

const minute = 60_000;

describe.each(testDialects())('gateway rate limiter on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  beforeAll(async () => {
    test = await createTestPreloop(shareable(dialect));
    preloop = test.preloop;
  });
  afterAll(() => test.cleanup());

  it('does nothing without limits', async () => {
    const limiter = createRateLimiter(preloop.rateLimits);
    for (let index = 0; index < 100; index++) await limiter.take(principal(), 0);
  });

  it('admits a burst, then the rest of the minute at most a burst per ten seconds, with a retry hint', async () => {
    const limiter = createRateLimiter(preloop.rateLimits, { apiKey: { requestsPerMinute: 4, burst: 2 } });
    const t0 = 1000 * minute;
    await limiter.take(principal(), t0);
    await limiter.take(principal(), t0);
    await expect(limiter.take(principal(), t0)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/Burst limit of 2 requests per 10 seconds/),
      details: { retryAfterSeconds: 10 },
    });
    await limiter.take(principal(), t0 + 20_000);
    await limiter.take(principal(), t0 + 20_000);
    await expect(limiter.take(principal(), t0 + 40_000)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/4 requests per minute for this API key/),
    });
    await limiter.take(principal({ apiKeyId: 'k2', id: 'k2' }), t0 + 40_000);
  });

  it('limits an agent across its keys, and gives back the key’s hit when the agent refuses', async () => {
    const limiter = createRateLimiter(preloop.rateLimits, {
      apiKey: { requestsPerMinute: 600, burst: 5 },
      agent: { requestsPerMinute: 60, burst: 1 },
    });
    const t0 = 2000 * minute;
    await limiter.take(principal({ agentId: 'a1', apiKeyId: 'k3' }), t0);
    await expect(limiter.take(principal({ agentId: 'a1', apiKeyId: 'k4' }), t0)).rejects.toThrow(/agent/);
    for (let index = 0; index < 5; index++) await limiter.take(principal({ agentId: null, apiKeyId: 'k4' }), t0);
    await expect(limiter.take(principal({ agentId: null, apiKeyId: 'k4' }), t0)).rejects.toThrow(/API key/);
  });

  it('two processes on one database admit the limit together: 10 of 30 at 10/min (before: 20 of 30, each process its own 10)', async () => {
    const at = String(3000 * minute + 30_000);
    const startAt = String(Date.now() + 4_000);
    const child = () =>
      run(
        process.execPath,
        [
          '--conditions=@preloop/source',
          '--import',
          'tsx',
          'packages/gateway/src/http/rate-limiter-process.ts',
          test.url,
          '15',
          at,
          startAt,
        ],
        {
          cwd: repositoryRoot,
          env: { ...process.env, PRELOOP_SECRET_KEY: testSecretKey },
        },
      );
    const outputs = await Promise.all([child(), child()]);
    const admitted = outputs.map((output) => (JSON.parse(output.stdout.trim()) as { admitted: number }).admitted);
    const total = admitted[0]! + admitted[1]!;
    // Hits are counted in the database before admission, so the pair never admits more than the limit (a race may refuse one early).
    expect(total, `admitted ${admitted.join(' + ')}`).toBeLessThanOrEqual(10);
    expect(total).toBeGreaterThanOrEqual(8);
  }, 60_000);
});
