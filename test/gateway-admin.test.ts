import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@preloop/core/testing';
import { applyModelConfig } from '@preloop/gateway';
import { anthropicCanaryKey, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe.each(testDialects())('gateway admin API on $name', (dialect) => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness(dialect, { gateway: { capture: { bodies: true } } });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('answers the budget, alias and usage routes and their refusals with the bodies their contracts declare', async () => {
    const input = { name: 'contract-budget', scope: { type: 'account' }, period: 'month', softLimitMicros: 5_000_000 };
    const created = await harness.admin('POST', '/budgets', input);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'contract-budget',
      scope: { type: 'account', id: null },
      period: 'month',
      hardLimitMicros: null,
      softLimitMicros: 5_000_000,
    });
    expect((await harness.admin('POST', '/budgets', input)).status).toBe(409);
    const id = created.body.id as string;
    expect((await harness.admin('GET', `/budgets/${id}`)).body).toEqual(created.body);
    expect((await harness.admin('GET', '/budgets/bdg_missing')).status).toBe(404);
    expect((await harness.admin('PATCH', `/budgets/${id}`, { hardLimitMicros: 9_000_000 })).body).toMatchObject({
      id,
      hardLimitMicros: 9_000_000,
    });
    expect((await harness.admin('PATCH', '/budgets/bdg_missing', { name: 'renamed' })).status).toBe(404);
    expect((await harness.admin('GET', '/budgets/status')).body.items).toContainEqual(
      expect.objectContaining({ id, state: 'ok', spentMicros: expect.any(Number) }),
    );
    expect((await harness.admin('DELETE', `/budgets/${id}`)).status).toBe(204);
    expect((await harness.admin('DELETE', `/budgets/${id}`)).status).toBe(404);
    for (const method of ['GET', 'PATCH', 'DELETE'])
      expect((await harness.admin(method, '/models/no-such-alias', method === 'PATCH' ? { model: 'x' } : undefined)).status).toBe(404);
    expect((await harness.admin('GET', '/runtime-sessions/rs_missing/gateway-events')).status).toBe(404);
    expect((await harness.admin('GET', '/usage?limit=1')).body).toMatchObject({
      items: expect.any(Array),
      nextCursor: expect.toBeOneOf([null, expect.any(String)]),
    });
    expect((await harness.admin('GET', '/usage/summary?groupBy=day')).body).toMatchObject({ groupBy: 'day', rows: expect.any(Array) });
  });

  it('creates, reads, updates and deletes model aliases; the credential is stored, never returned', async () => {
    const secretKey = 'sk-admin-created-0123456789abcdefghij';
    const created = await harness.admin('POST', '/models', {
      alias: 'team/fast',
      provider: 'openai',
      model: 'gpt-4o-mini',
      baseUrl: `${harness.upstream.url}/v1`,
      apiKey: secretKey,
      prices: { input: 0.2, output: 0.8 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      alias: 'team/fast',
      provider: 'openai',
      model: 'gpt-4o-mini',
      hasCredential: true,
      prices: { input: 0.2, output: 0.8 },
    });
    expect(JSON.stringify(created.body)).not.toContain(secretKey);
    expect(await harness.preloop.secrets.get(harness.preloop.accountId, 'gateway.models.team/fast')).toBe(secretKey);
    const fetched = await harness.admin('GET', `/models/${encodeURIComponent('team/fast')}`);
    expect(fetched.status).toBe(200);
    expect(JSON.stringify((await harness.admin('GET', '/models')).body)).not.toContain(secretKey);
    expect((await harness.admin('POST', '/models', { alias: 'team/fast', provider: 'openai', model: 'x' })).status).toBe(409);
    const unknown = await harness.admin('POST', '/models', { alias: 'x', provider: 'gemini', model: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/installed: openai, anthropic/);
    expect((await harness.admin('POST', '/models', { alias: 'bad alias', provider: 'openai', model: 'x' })).status).toBe(400);

    // The upstream rejects the key: the alias is updated to a working one and takes effect at once.
    harness.upstream.handle = null;
    await expect(
      harness.openaiClient().chat.completions.create({ model: 'team/fast', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 502 });
    const updated = await harness.admin('PATCH', `/models/${encodeURIComponent('team/fast')}`, {
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      baseUrl: harness.upstream.url,
      apiKey: anthropicCanaryKey,
    });
    expect(updated.body).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5', hasCredential: true });
    const answer = await harness.openaiClient().chat.completions.create({ model: 'team/fast', messages: [{ role: 'user', content: 'x' }] });
    expect(answer.choices[0]!.message.content).toMatch(/mock Anthropic/);
    expect((await harness.admin('DELETE', `/models/${encodeURIComponent('team/fast')}`)).status).toBe(204);
    expect(await harness.preloop.secrets.has(harness.preloop.accountId, 'gateway.models.team/fast')).toBe(false);
    await expect(
      harness.openaiClient().chat.completions.create({ model: 'team/fast', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 404 });
    const audit = await harness.preloop.audit.query({ accountId: harness.preloop.accountId, limit: 100 } as never);
    expect(audit.items.map((record) => record.action)).toEqual(
      expect.arrayContaining(['gateway.model.create', 'gateway.model.update', 'gateway.model.delete']),
    );
    expect(JSON.stringify(audit.items)).not.toContain(secretKey);
  });

  it('refuses writes to a viewer', async () => {
    const viewer = await harness.preloop.identity.users.create(harness.preloop.accountId, {
      email: `viewer-${Math.random()}@example.com`,
      name: 'V',
      role: 'viewer',
    });
    const { key } = await harness.preloop.identity.apiKeys.create(harness.preloop.accountId, {
      name: 'viewer',
      scopes: ['admin:read', 'admin:write'],
      userId: viewer.id,
    });
    const response = await harness.preloop.api(
      new Request('http://localhost/api/v1/models', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ alias: 'v', provider: 'openai', model: 'x' }),
      }),
    );
    expect(response.status).toBe(403);
    const read = await harness.preloop.api(
      new Request('http://localhost/api/v1/usage/summary', { headers: { authorization: `Bearer ${key}` } }),
    );
    expect(read.status).toBe(200);
  });

  it('records runtime-session calls as gateway events (bodies captured and redacted) and session activity', async () => {
    const agent = await harness.preloop.identity.agents.enroll(harness.preloop.accountId, { name: 'coder', kind: 'claude_code' });
    const { session, credential } = await harness.preloop.identity.runtimeSessions.start(harness.preloop.accountId, {
      name: 'fix bug',
      agentId: agent.id,
      audience: ['gateway'],
    });
    const client = harness.anthropicClient({ apiKey: credential.token });
    await client.messages.create({
      model: 'claude-mock',
      max_tokens: 32,
      metadata: { user_id: 'u' },
      messages: [{ role: 'user', content: 'my password is sk-live-abcdefghijklmnopqrstuvwx, fix it' }],
    });
    await client.messages
      .stream({ model: 'gpt-mock', max_tokens: 32, messages: [{ role: 'user', content: 'stream please' }] })
      .finalMessage();
    await harness.flush();
    const events = await harness.admin('GET', `/runtime-sessions/${session.id}/gateway-events`);
    expect(events.status).toBe(200);
    expect(events.body.items).toHaveLength(2);
    expect(events.body.items[0]).toMatchObject({
      sessionId: session.id,
      alias: 'claude-mock',
      status: 'success',
      summary: expect.stringContaining('claude-mock messages: success'),
    });
    expect(JSON.stringify(events.body.items[0].requestBody)).toContain('[redacted');
    expect(JSON.stringify(events.body.items[0].requestBody)).not.toContain('sk-live-abcdefghijklmnopqrstuvwx');
    expect(events.body.items[0].responseBody).toMatchObject({ type: 'message' });
    expect(events.body.items[1].responseBody).toContain('message_stop');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const activity = await harness.preloop.identity.runtimeSessions.listActivity(harness.preloop.accountId, session.id);
    expect(activity.items.filter((item) => item.kind === 'model_call')).toHaveLength(2);
    const usage = await harness.admin('GET', `/usage?sessionId=${session.id}`);
    expect(usage.body.items).toHaveLength(2);
    expect(usage.body.items[0]).toMatchObject({ agentId: agent.id, runtimeSessionId: session.id, principalType: 'runtime_session' });
    expect((await harness.admin('GET', '/runtime-sessions/rs_missing/gateway-events')).status).toBe(404);
  });

  it('summarizes usage by model, agent, key, session and day, and pages through records', async () => {
    await harness.openaiClient().chat.completions.create({ model: 'free-mock', messages: [{ role: 'user', content: 'x' }] });
    await harness.flush();
    const byModel = await harness.admin('GET', '/usage/summary?groupBy=model');
    expect(byModel.status).toBe(200);
    const free = byModel.body.rows.find((row: { key: string }) => row.key === 'free-mock');
    expect(free).toMatchObject({ calls: 1, unpricedCalls: 1, costMicros: 0 });
    const claude = byModel.body.rows.find((row: { key: string }) => row.key === 'claude-mock');
    expect(claude.costMicros).toBeGreaterThan(0);
    expect(byModel.body.totals.calls).toBe(byModel.body.rows.reduce((sum: number, row: { calls: number }) => sum + row.calls, 0));
    for (const groupBy of ['agent', 'key', 'session', 'day']) {
      const summary = await harness.admin('GET', `/usage/summary?groupBy=${groupBy}`);
      expect(summary.status).toBe(200);
      expect(summary.body.totals.calls).toBe(byModel.body.totals.calls);
    }
    const day = await harness.admin('GET', '/usage/summary?groupBy=day');
    expect(Number(day.body.rows[0].key) % 86_400_000).toBe(0);
    const empty = await harness.admin('GET', `/usage/summary?from=0&to=1`);
    expect(empty.body.rows).toEqual([]);
    const first = await harness.admin('GET', '/usage?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await harness.admin('GET', `/usage?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].id < first.body.items[1].id).toBe(true);
    expect((await harness.admin('GET', '/usage/summary?groupBy=team')).status).toBe(400);
  });

  it('applies the config file models idempotently', async () => {
    const models = [
      {
        alias: 'config-fast',
        provider: 'openai',
        model: 'gpt-4.1-mini',
        baseUrl: `${harness.upstream.url}/v1`,
        apiKey: 'sk-config-0123456789abcdefghij',
        prices: { input: 0.4, output: 1.6, cached: 0.1 },
      },
      { alias: 'config-smart', provider: 'anthropic', model: 'claude-sonnet-4-5', fallback: 'config-fast' },
    ];
    expect(await applyModelConfig(harness.preloop, models)).toEqual([
      'model alias "config-fast" created',
      'model alias "config-smart" created',
    ]);
    expect(await applyModelConfig(harness.preloop, models)).toEqual([]);
    const rotated = [{ ...models[0]!, apiKey: 'sk-config-rotated-0123456789abcdef' }, models[1]!];
    expect(await applyModelConfig(harness.preloop, rotated)).toEqual(['model alias "config-fast" updated (credential)']);
    expect(await applyModelConfig(harness.preloop, rotated)).toEqual([]);
    const alias = await harness.preloop.service('gateway').models.get(harness.preloop.accountId, 'config-fast');
    expect(alias.prices).toEqual({ input: 0.4, output: 1.6, cachedInput: 0.1 });
    await expect(applyModelConfig(harness.preloop, [{ alias: 'x', provider: 'gemini', model: 'g' }])).rejects.toMatchObject({
      code: 'CONFIGURATION_ERROR',
      message: expect.stringMatching(/alias "x"/),
    });
  });
});
