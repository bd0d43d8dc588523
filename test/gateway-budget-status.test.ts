import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@preloop/core/testing';
import { reservationMicros } from '@preloop/gateway';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

// claude-haiku-4-5 in the default price table: $1 input, $1.25 cache writes, $5 output per million tokens.
const haiku = { input: 1, cacheWriteInput: 1.25, cachedInput: 0.1, output: 5 };

describe.each(testDialects())("budget status below one call's reservation on $name", (dialect) => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness(dialect);
  });
  afterAll(async () => {
    await harness?.close();
  });
  afterEach(async () => {
    for (const budget of (await harness.admin('GET', '/budgets')).body.items) await harness.admin('DELETE', `/budgets/${budget.id}`);
  });

  const statusOf = async (id: string) =>
    (await harness.admin('GET', '/budgets/status')).body.items.find((item: { id: string }) => item.id === id);

  it('says below_call_reservation when calls without an output limit are refused, though the limit is not reached', async () => {
    // A call without max_tokens reserves 2048 fixed input tokens and 8192 output tokens (the defaults): about 4.4 cents on haiku.
    const smallest = reservationMicros(haiku, 0, null, 8192, 2048);
    const created = await harness.admin('POST', '/budgets', {
      name: 'haiku daily',
      scope: { type: 'model', id: 'claude-mock' },
      period: 'day',
      hardLimitMicros: Math.floor(smallest / 2),
    });
    expect(created.status).toBe(201);
    const status = await statusOf(created.body.id);
    expect(status).toMatchObject({
      spentMicros: 0,
      remainingMicros: Math.floor(smallest / 2),
      callReservationMicros: smallest,
      state: 'below_call_reservation',
    });

    // It is true: such a call is refused, and the refusal says how to get under it.
    const refused = await harness
      .openaiClient()
      .chat.completions.create({ model: 'claude-mock', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect((refused as Error).message).toMatch(/Budget "haiku daily" \(daily hard limit \$0\.02\d*\) would be exceeded/);
    expect((refused as Error).message).toMatch(/a lower max_tokens lowers that/);
    expect((refused as Error).message).not.toMatch(/dayly/);

    // A call with a low enough max_tokens passes.
    const message = await harness
      .anthropicClient()
      .messages.create({ model: 'claude-mock', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content[0]).toMatchObject({ type: 'text' });
  });

  it('says ok with room for a call, names each period properly, and covers every alias for an account budget', async () => {
    const roomy = await harness.admin('POST', '/budgets', {
      name: 'roomy',
      scope: { type: 'model', id: 'claude-mock' },
      period: 'week',
      hardLimitMicros: 5_000_000,
    });
    expect(await statusOf(roomy.body.id)).toMatchObject({
      state: 'ok',
      callReservationMicros: reservationMicros(haiku, 0, null, 8192, 2048),
    });
    // An account budget is measured against the account's cheapest priced alias: here the embeddings model ($0.02 input, no output).
    const account = await harness.admin('POST', '/budgets', {
      name: 'account',
      scope: { type: 'account' },
      period: 'month',
      hardLimitMicros: 20,
    });
    const cheapest = reservationMicros({ input: 0.02, output: 0 }, 0, null, 8192, 2048);
    expect(cheapest).toBeGreaterThan(20);
    expect(await statusOf(account.body.id)).toMatchObject({ callReservationMicros: cheapest, state: 'below_call_reservation' });
    const refused = await harness
      .openaiClient()
      .chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect((refused as Error).message).toMatch(/\(monthly hard limit/);
    // Without a hard limit there is nothing to be below.
    const soft = await harness.admin('POST', '/budgets', {
      name: 'soft only',
      scope: { type: 'account' },
      period: 'day',
      softLimitMicros: 1,
    });
    expect(await statusOf(soft.body.id)).toMatchObject({ callReservationMicros: null, state: 'ok' });
  });
});
