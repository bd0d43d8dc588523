import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@preloop/core/testing';
import type {} from '@preloop/gateway';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

// Timeouts do not depend on the database: SQLite only.
const sqlite = testDialects().filter((dialect) => dialect.name === 'sqlite');

describe.each(sqlite)('first-byte timeout of non-streaming calls on $name', (dialect) => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    // The total timeout is far beyond the test's own timeout: only the first-byte timeout can end these calls in time.
    harness = await startGatewayHarness(dialect, { gateway: { timeouts: { firstByteMs: 300, totalMs: 600_000 } } });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('answers 504 when a non-streaming upstream sends no response headers, aborts it and records a timeout', async () => {
    harness.upstream.handle = () => ({ json: {}, delayMs: 120_000 });
    const before = harness.upstream.requests.length;
    try {
      await expect(
        harness.openaiClient().chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'x' }] }),
      ).rejects.toMatchObject({
        status: 504,
        code: 'upstream_timeout',
      });
      await expect(
        harness.anthropicClient().messages.create({ model: 'claude-mock', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
      ).rejects.toMatchObject({
        status: 504,
        error: { error: { type: 'api_error' } },
      });
      for (const request of harness.upstream.requests.slice(before)) {
        await request.closed;
        expect(request.aborted).toBe(true);
      }
    } finally {
      harness.upstream.handle = null;
    }
    await harness.flush();
    const rows = await harness.preloop
      .service('gateway')
      .db.selectFrom('gateway_usage')
      .select(['status', 'error_code'])
      .orderBy('id', 'desc')
      .limit(2)
      .execute();
    expect(rows).toEqual([
      { status: 'timeout', error_code: 'upstream_timeout' },
      { status: 'timeout', error_code: 'upstream_timeout' },
    ]);
  });

  it('lets a non-streaming answer whose headers came in time finish under the total timeout', async () => {
    const completion = await harness
      .openaiClient()
      .chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]?.message.content).toContain('mock');
  });
});
