import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateway } from '../runtime/gateway-plugin.js';
import type { GatewayRuntime } from '../runtime/gateway-runtime.js';
import type { GatewayUsageRow } from './gateway-tables.js';
import { pruneGatewayRecords, resolveRetention } from './retention.js';

const day = 86_400_000;
const now = Date.UTC(2026, 11, 1);

function usageRow(accountId: string, id: string, time: number): GatewayUsageRow {
  return {
    id,
    account_id: accountId,
    time,
    principal_type: 'api_key',
    principal_id: 'key_1',
    user_id: null,
    api_key_id: 'key_1',
    agent_id: null,
    runtime_session_id: 'rs_1',
    alias: 'gpt',
    provider: 'openai',
    upstream_model: 'gpt-4o-mini',
    operation: 'chat',
    streamed: 0,
    status: 'ok',
    http_status: 200,
    error_code: null,
    input_tokens: 100,
    output_tokens: 50,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_micros: 1234,
    cost_source: 'price_table',
    usage_estimated: 0,
    latency_ms: 300,
    ttfb_ms: 120,
    fallback_from: null,
  };
}

describe.each(testDialects())('gateway retention on $name', (dialect) => {
  let test: TestPreloop;
  let runtime: GatewayRuntime;

  beforeAll(async () => {
    test = await createTestPreloop(dialect, {
      plugins: [gateway({ reclaimIntervalMs: 0, retention: { usageDays: 90, capturedBodiesDays: 7, intervalMs: 0, batchSize: 4 } })],
    });
    runtime = test.preloop.service('gateway');
  });
  afterAll(async () => {
    await test?.cleanup();
  });

  /** Calls aged 1, 10, 100 and 200 days, `perAge` of each, each with a session event holding captured bodies. */
  async function seed(accountId: string, perAge: number): Promise<void> {
    const rows = [1, 10, 100, 200].flatMap((age) =>
      Array.from({ length: perAge }, (_, index) => usageRow(accountId, `use_${accountId}_${age}_${index}`, now - age * day)),
    );
    await runtime.db.insertInto('gateway_usage').values(rows).execute();
    await runtime.db
      .insertInto('gateway_events')
      .values(
        rows.map((row) => ({
          id: `gev_${row.id}`,
          account_id: accountId,
          runtime_session_id: 'rs_1',
          usage_id: row.id,
          time: row.time,
          alias: 'gpt',
          status: 'ok',
          summary: 'gpt: 100 in, 50 out',
          request_body: '{"messages":[]}',
          response_body: '{"choices":[]}',
        })),
      )
      .execute();
  }

  it('clears captured bodies after capturedBodiesDays and deletes events and usage rows after usageDays, in batches, leaving budget windows alone', async () => {
    const accountId = test.preloop.accountId;
    await seed(accountId, 5);
    const budget = await runtime.budgets.create(
      accountId,
      { name: 'monthly', scope: { type: 'account' }, period: 'month', hardLimitMicros: 1_000_000 },
      { type: 'system' },
    );
    await runtime.db
      .insertInto('gateway_budget_windows')
      .values({
        budget_id: budget.id,
        period_start: now - 400 * day,
        account_id: accountId,
        spent_micros: 777,
        reserved_micros: 0,
        soft_notified_at: null,
      })
      .execute();

    // batchSize 4: ten old rows per table take several statements.
    expect(await runtime.prune(now)).toEqual({ bodiesCleared: 5, eventsDeleted: 10, usageDeleted: 10 });

    const usage = await runtime.db
      .selectFrom('gateway_usage')
      .select(['time', 'cost_micros', 'input_tokens'])
      .where('account_id', '=', accountId)
      .execute();
    expect(usage.map((row) => Math.round((now - Number(row.time)) / day)).sort((a, b) => a - b)).toEqual([
      1, 1, 1, 1, 1, 10, 10, 10, 10, 10,
    ]);
    expect(usage.every((row) => Number(row.cost_micros) === 1234 && Number(row.input_tokens) === 100)).toBe(true);
    const events = await runtime.db.selectFrom('gateway_events').selectAll().where('account_id', '=', accountId).execute();
    expect(events).toHaveLength(10);
    for (const event of events) {
      const fresh = now - Number(event.time) < 7 * day;
      expect(event.request_body === null && event.response_body === null).toBe(!fresh);
      expect(event.summary).toBe('gpt: 100 in, 50 out');
    }
    const window = await runtime.db
      .selectFrom('gateway_budget_windows')
      .selectAll()
      .where('budget_id', '=', budget.id)
      .executeTakeFirstOrThrow();
    expect(Number(window.spent_micros)).toBe(777);
    // Nothing left to do: a second run changes nothing.
    expect(await runtime.prune(now)).toEqual({ bodiesCleared: 0, eventsDeleted: 0, usageDeleted: 0 });
  });

  it('is safe when several instances prune at once: every old row goes exactly once, no run fails', async () => {
    const accountId = 'acc_concurrent';
    await seed(accountId, 9);
    const retention = resolveRetention({ usageDays: 90, capturedBodiesDays: 7, batchSize: 3 });
    const runs = await Promise.all([1, 2, 3].map(() => pruneGatewayRecords(runtime.db, test.preloop.dialect, retention, now)));
    expect(runs.reduce((sum, run) => sum + run.usageDeleted, 0)).toBe(18);
    expect(runs.reduce((sum, run) => sum + run.eventsDeleted, 0)).toBe(18);
    expect(runs.reduce((sum, run) => sum + run.bodiesCleared, 0)).toBe(9);
    const left = await runtime.db.selectFrom('gateway_usage').select('id').where('account_id', '=', accountId).execute();
    expect(left).toHaveLength(18);
  });

  it('keeps everything with false, stops a run after maxBatchesPerRun, and refuses bad options naming them', async () => {
    const accountId = 'acc_options';
    await seed(accountId, 2);
    const keep = resolveRetention({ usageDays: false, capturedBodiesDays: false });
    expect(await pruneGatewayRecords(runtime.db, test.preloop.dialect, keep, now)).toEqual({
      bodiesCleared: 0,
      eventsDeleted: 0,
      usageDeleted: 0,
    });
    const bounded = resolveRetention({ usageDays: 90, capturedBodiesDays: false, batchSize: 1, maxBatchesPerRun: 2 });
    expect(await pruneGatewayRecords(runtime.db, test.preloop.dialect, bounded, now)).toEqual({
      bodiesCleared: 0,
      eventsDeleted: 2,
      usageDeleted: 2,
    });
    expect(resolveRetention()).toMatchObject({ usageDays: 400, capturedBodiesDays: 30, intervalMs: 3_600_000 });
    expect(() => resolveRetention({ usageDays: 0 })).toThrow(/retention\.usageDays: a positive number of days, or false/);
    expect(() => resolveRetention({ capturedBodiesDays: -1 })).toThrow(/retention\.capturedBodiesDays/);
    expect(() => resolveRetention({ batchSize: 0 })).toThrow(/retention\.batchSize/);
  });
});
