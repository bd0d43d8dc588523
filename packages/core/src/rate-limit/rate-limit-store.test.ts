import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preloop } from '../kernel/preloop.js';
import { createTestPreloop, type TestPreloop } from '../testing/create-test-preloop.js';
import { testDialects } from '../testing/test-databases.js';

describe.each(testDialects())('rate-limit store on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  beforeAll(async () => {
    test = await createTestPreloop(dialect);
    preloop = test.preloop;
  });
  afterAll(() => test.cleanup());
  const rule = { limit: 3, windowSeconds: 60 };
  const minute = 60_000;

  it('admits the limit within a window, refuses the next without counting it, and says when to retry', async () => {
    const t0 = 100 * minute;
    for (let i = 0; i < 3; i++) expect((await preloop.rateLimits.take([{ key: 'a', rule }], t0 + i)).allowed).toBe(true);
    const refused = await preloop.rateLimits.take([{ key: 'a', rule }], t0 + 10);
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
    expect((await preloop.rateLimits.take([{ key: 'b', rule }], t0 + 10)).allowed).toBe(true);
    // Half-way through the next window the previous one weighs half: 3 × 0.5 = 1.5, so one more fits, not two.
    expect((await preloop.rateLimits.take([{ key: 'a', rule }], t0 + 1.5 * minute)).allowed).toBe(true);
    expect((await preloop.rateLimits.take([{ key: 'a', rule }], t0 + 1.5 * minute)).allowed).toBe(false);
    expect((await preloop.rateLimits.take([{ key: 'a', rule }], t0 + 3 * minute)).allowed).toBe(true);
  });

  it('gives back the hits already taken when a later check refuses, and on release; reset forgets a key', async () => {
    const t0 = 200 * minute;
    const tight = { limit: 1, windowSeconds: 60 };
    expect((await preloop.rateLimits.take([{ key: 'x', rule: tight }], t0)).allowed).toBe(true);
    for (let i = 0; i < 5; i++)
      expect(
        (
          await preloop.rateLimits.take(
            [
              { key: 'y', rule },
              { key: 'x', rule: tight },
            ],
            t0,
          )
        ).allowed,
      ).toBe(false);
    expect((await preloop.rateLimits.take([{ key: 'y', rule }], t0)).allowed).toBe(true); // y was never charged by the refusals
    const held = await preloop.rateLimits.take([{ key: 'z', rule: tight }], t0);
    expect(held.allowed).toBe(true);
    if (held.allowed) await held.release();
    expect((await preloop.rateLimits.take([{ key: 'z', rule: tight }], t0)).allowed).toBe(true);
    await preloop.rateLimits.reset([{ key: 'x', rule: tight }]);
    expect((await preloop.rateLimits.take([{ key: 'x', rule: tight }], t0)).allowed).toBe(true);
  });

  it('admits at most the limit of 30 parallel hits', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        preloop.rateLimits.take([{ key: 'parallel', rule: { limit: 10, windowSeconds: 60 } }], 300 * minute),
      ),
    );
    const admitted = results.filter((result) => result.allowed).length;
    expect(admitted).toBeGreaterThanOrEqual(1);
    expect(admitted).toBeLessThanOrEqual(10);
  });

  it('never stores the key in clear', async () => {
    await preloop.rateLimits.take([{ key: 'login:email:ada@example.com', rule }]);
    const rows = await preloop.db.selectFrom('rate_limit_counters').select('key').execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain('ada@example.com');
  });
});
