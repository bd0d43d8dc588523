import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describePostgres, testDialects } from '@preloop/core/testing';
import { periodStart, type Budget } from '@preloop/gateway';
import { reserveBudgets } from '../packages/gateway/src/budgets/budget-ledger.js';
import { openAICanaryKey, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

const system = { type: 'system' as const };

/** Usage the mock reports: 10 prompt tokens and as many completion tokens as `max_*tokens` allows (up to 20). */
function cheapUsage(harness: GatewayHarness) {
  harness.upstream.handle = (request) => {
    const max = request.body?.max_completion_tokens ?? request.body?.max_tokens ?? 20;
    const output = Math.min(20, max);
    if (request.path === '/v1/chat/completions') {
      return {
        json: {
          id: 'c',
          object: 'chat.completion',
          created: 1,
          model: request.body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 10, completion_tokens: output, total_tokens: 10 + output },
        },
      };
    }
    return undefined;
  };
}

describe.each(testDialects())('budgets on $name', (dialect) => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness(dialect, { gateway: { budgets: { fixedInputTokens: 0 } } });
    const runtime = harness.preloop.service('gateway');
    // $1 per million tokens either way: one micro-dollar per token.
    await runtime.models.create(
      harness.preloop.accountId,
      {
        alias: 'metered',
        provider: 'openai',
        model: 'metered-model',
        baseUrl: `${harness.upstream.url}/v1`,
        apiKey: openAICanaryKey,
        prices: { input: 1, output: 1 },
      },
      system,
    );
    cheapUsage(harness);
  });
  afterAll(async () => {
    await harness?.close();
  });
  afterEach(async () => {
    cheapUsage(harness);
    for (const budget of (await harness.admin('GET', '/budgets')).body.items) await harness.admin('DELETE', `/budgets/${budget.id}`);
  });

  const ask = (model = 'metered', key?: string) =>
    harness
      .openaiClient(key ? { apiKey: key } : {})
      .chat.completions.create({ model, max_completion_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });

  it('refuses calls that could pass a hard limit, in each ingress shape, and never spends past it', async () => {
    const created = await harness.admin('POST', '/budgets', {
      name: 'metered monthly',
      scope: { type: 'model', id: 'metered' },
      period: 'month',
      hardLimitMicros: 1000,
      softLimitMicros: 500,
    });
    expect(created.status).toBe(201);
    const soft: unknown[] = [];
    harness.preloop.events.on('gateway-budget-soft-limit', (event) => soft.push(event));
    let admitted = 0;
    let refusal: any = null;
    for (let index = 0; index < 60 && !refusal; index++) {
      try {
        await ask();
        admitted++;
      } catch (error) {
        refusal = error;
      }
    }
    expect(refusal).toMatchObject({ status: 429, type: 'insufficient_quota', code: 'budget_exceeded' });
    expect(refusal.headers.get('x-should-retry')).toBe('false');
    expect(refusal.message).toMatch(/Budget "metered monthly"/);
    expect(admitted).toBeGreaterThan(5);
    await harness.flush();
    const status = await harness.admin('GET', '/budgets/status');
    const budget = status.body.items.find((item: { name: string }) => item.name === 'metered monthly');
    expect(budget.spentMicros).toBe(admitted * 30);
    expect(budget.spentMicros).toBeLessThanOrEqual(1000);
    expect(budget.reservedMicros).toBe(0);
    // Past the soft limit, and what is left is below the reservation of a call without an output limit (8192 tokens).
    expect(budget.state).toBe('below_call_reservation');
    // No headroom left at all: the Anthropic ingress is refused too, in its own shape.
    await harness.admin('PATCH', `/budgets/${created.body.id}`, { hardLimitMicros: budget.spentMicros });
    await expect(
      harness.anthropicClient().messages.create({ model: 'metered', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({
      status: 429,
      error: { error: { type: 'rate_limit_error', message: expect.stringMatching(/Budget "metered monthly"/) } },
    });
    expect(soft).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const denied = await harness.preloop.audit.query({
      accountId: harness.preloop.accountId,
      action: 'model.call',
      outcome: 'denied',
    } as never);
    expect(denied.items.some((record) => record.data.code === 'BUDGET_EXCEEDED')).toBe(true);
    await harness.admin('DELETE', `/budgets/${created.body.id}`);
  });

  it('scopes budgets to an API key, and releases the reservation of a failed call', async () => {
    const { key, apiKey } = await harness.preloop.identity.apiKeys.create(harness.preloop.accountId, {
      name: 'limited',
      scopes: ['gateway'],
    });
    const created = await harness.admin('POST', '/budgets', {
      name: 'limited key',
      scope: { type: 'api_key', id: apiKey.id },
      period: 'day',
      hardLimitMicros: 100,
    });
    expect(created.status).toBe(201);
    await expect(ask('metered', key)).rejects.toMatchObject({ status: 429 });
    await ask('metered');
    await harness.admin('PATCH', `/budgets/${created.body.id}`, { hardLimitMicros: 10_000 });
    harness.upstream.handle = () => ({ status: 500, json: { error: { message: 'boom', type: 'server_error' } } });
    await expect(ask('metered', key)).rejects.toMatchObject({ status: 500 });
    cheapUsage(harness);
    await harness.flush();
    const status = (await harness.admin('GET', '/budgets/status')).body.items.find((item: { id: string }) => item.id === created.body.id);
    expect(status).toMatchObject({ spentMicros: 0, reservedMicros: 0, hardLimitMicros: 10_000, state: 'ok' });
    await ask('metered', key);
    await harness.flush();
    expect(
      (await harness.admin('GET', '/budgets/status')).body.items.find((item: { id: string }) => item.id === created.body.id).spentMicros,
    ).toBe(30);
    await harness.admin('DELETE', `/budgets/${created.body.id}`);
  });

  it('reserves on every budget that applies, all or none', async () => {
    const account = await harness.admin('POST', '/budgets', {
      name: 'everything',
      scope: { type: 'account' },
      period: 'day',
      hardLimitMicros: 1_000_000,
    });
    const model = await harness.admin('POST', '/budgets', {
      name: 'metered only',
      scope: { type: 'model', id: 'metered' },
      period: 'day',
      hardLimitMicros: 50,
    });
    await expect(ask('metered')).rejects.toMatchObject({ status: 429, message: expect.stringMatching(/Budget "metered only"/) });
    const statusOf = async (id: string) =>
      (await harness.admin('GET', '/budgets/status')).body.items.find((item: { id: string }) => item.id === id);
    expect(await statusOf(account.body.id)).toMatchObject({ spentMicros: 0, reservedMicros: 0 });
    await harness.admin('PATCH', `/budgets/${model.body.id}`, { hardLimitMicros: 10_000 });
    await ask('metered');
    await harness.flush();
    expect(await statusOf(account.body.id)).toMatchObject({ spentMicros: 30, reservedMicros: 0 });
    expect(await statusOf(model.body.id)).toMatchObject({ spentMicros: 30, reservedMicros: 0 });
  });

  it('refuses an unpriced model under a hard limit (its cost cannot be bounded)', async () => {
    const created = await harness.admin('POST', '/budgets', {
      name: 'account',
      scope: { type: 'account' },
      period: 'week',
      hardLimitMicros: 1_000_000_000,
    });
    await expect(ask('free-mock')).rejects.toMatchObject({ status: 429, message: expect.stringMatching(/has no price/) });
    await ask('metered');
    await harness.admin('DELETE', `/budgets/${created.body.id}`);
  });

  it('reclaims a reservation left by a stopped instance, charging it in full', async () => {
    const runtime = harness.preloop.service('gateway');
    const created = await harness.admin('POST', '/budgets', {
      name: 'crash',
      scope: { type: 'account' },
      period: 'month',
      hardLimitMicros: 10_000,
    });
    const budget = created.body as Budget;
    const now = Date.now();
    const call = {
      accountId: harness.preloop.accountId,
      time: now,
      principalType: 'api_key',
      principalId: 'k',
      userId: null,
      apiKeyId: 'k',
      agentId: null,
      runtimeSessionId: null,
      alias: 'metered',
      provider: 'openai',
      upstreamModel: 'metered-model',
      operation: 'chat.completions',
      streamed: true,
    };
    await reserveBudgets(runtime.db, harness.preloop.dialect, [budget], 700, now - 1, call);
    expect(
      (await harness.admin('GET', '/budgets/status')).body.items.find((item: { id: string }) => item.id === budget.id).reservedMicros,
    ).toBe(700);
    expect(await runtime.reclaim()).toBe(1);
    expect(await runtime.reclaim()).toBe(0);
    const window = await runtime.db
      .selectFrom('gateway_budget_windows')
      .selectAll()
      .where('budget_id', '=', budget.id)
      .where('period_start', '=', periodStart('month', now))
      .executeTakeFirstOrThrow();
    expect(window).toMatchObject({ spent_micros: 700, reserved_micros: 0 });
    const abandoned = await runtime.db.selectFrom('gateway_usage').selectAll().where('status', '=', 'abandoned').execute();
    expect(abandoned).toHaveLength(1);
    expect(abandoned[0]).toMatchObject({ cost_micros: 700, cost_source: 'reservation', error_code: 'reservation_expired' });
    await harness.admin('DELETE', `/budgets/${budget.id}`);
  });
});

describePostgres('budgets across two instances on one database', (dialect) => {
  let first: GatewayHarness;
  let second: GatewayHarness;
  beforeAll(async () => {
    first = await startGatewayHarness(dialect);
    second = await startGatewayHarness(dialect, { database: first.preloop.options.database as string });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('lets 300 concurrent calls on two kernels reserve at most the $1.00 limit (each may cost $0.05)', async () => {
    const runtime = first.preloop.service('gateway');
    // Input free, output $1000 per million: max_completion_tokens 50 reserves exactly $0.05, and the mock spends all 50.
    await runtime.models.create(
      first.preloop.accountId,
      {
        alias: 'dear',
        provider: 'openai',
        model: 'dear-model',
        baseUrl: `${first.upstream.url}/v1`,
        apiKey: openAICanaryKey,
        prices: { input: 0, output: 1000 },
      },
      system,
    );
    for (const harness of [first, second]) {
      harness.upstream.handle = (request) => ({
        delayMs: 20,
        json: {
          id: 'c',
          object: 'chat.completion',
          created: 1,
          model: request.body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, finish_reason: 'length', logprobs: null }],
          usage: { prompt_tokens: 10, completion_tokens: 50, total_tokens: 60 },
        },
      });
    }
    const created = await first.admin('POST', '/budgets', {
      name: 'one dollar',
      scope: { type: 'account' },
      period: 'month',
      hardLimitMicros: 1_000_000,
    });
    expect(created.status).toBe(201);
    // Both instances see the alias and the budget (the second through the Bus or a fresh cache).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const clients = [first.openaiClient(), second.openaiClient({ apiKey: first.apiKey })];
    const results = await Promise.allSettled(
      Array.from({ length: 300 }, (_, index) =>
        clients[index % 2]!.chat.completions.create({
          model: 'dear',
          max_completion_tokens: 50,
          messages: [{ role: 'user', content: 'spend' }],
        }),
      ),
    );
    const admitted = results.filter((result) => result.status === 'fulfilled').length;
    const refused = results.filter(
      (result) => result.status === 'rejected' && (result.reason as { status?: number }).status === 429,
    ).length;
    expect(admitted + refused).toBe(300);
    // Every admitted call spends exactly what it reserved, so exactly 20 fit under the limit.
    expect(admitted).toBe(20);
    await first.flush();
    await second.flush();
    const records = await runtime.db.selectFrom('gateway_usage').selectAll().where('alias', '=', 'dear').execute();
    const spent = records.reduce((sum, record) => sum + Number(record.cost_micros ?? 0), 0);
    expect(records.filter((record) => record.status === 'success')).toHaveLength(admitted);
    expect(spent).toBe(admitted * 50_000);
    expect(spent).toBeLessThanOrEqual(1_000_000);
    const status = (await first.admin('GET', '/budgets/status')).body.items[0];
    expect(status).toMatchObject({ spentMicros: spent, reservedMicros: 0 });
    expect(await runtime.db.selectFrom('gateway_reservations').selectAll().execute()).toHaveLength(0);
  });
});
