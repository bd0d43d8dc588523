/**
 * Model calls go through core's governed-call pipeline: plugin
 * `policy.evaluate` hooks govern them (deny, an approval they cannot wait
 * for, a hook that throws), the kill switch stops them before anything is
 * read or sent, and each call gets one audit record, written when its stream
 * ends. Official `openai` client against the gateway, stub upstream.
 */

import { definePlugin } from '@preloop/core';
import { testDialects } from '@preloop/core/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAICanaryKey, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

const explanation = { scope: 'plugin:model-guard', rule: null };

/** A plugin that governs model calls from what they ask. */
const modelGuard = definePlugin({
  id: 'model-guard',
  hooks: {
    'policy.evaluate': (input) => {
      if (input.kind !== 'model_call') return undefined;
      const text = JSON.stringify(input.body.messages ?? '');
      if (text.includes('launch codes')) return { action: 'deny', reason: 'model-guard: no launch codes', explanation };
      if (text.includes('wire money')) return { action: 'require_approval', workflow: 'admins', explanation };
      if (text.includes('explode')) throw new Error('the guard broke');
      return input.model.name === 'claude-mock' ? { action: 'deny', reason: 'model-guard: claude-mock is off', explanation } : undefined;
    },
  },
});

const ask = (content: string) => [{ role: 'user' as const, content }];

describe.each(testDialects().filter((dialect) => dialect.name === 'sqlite'))('governed model calls on $name', (dialect) => {
  let harness: GatewayHarness;
  let client: OpenAI;
  const auditOf = async () =>
    (await harness.preloop.audit.query({ accountId: harness.preloop.accountId, action: 'model.call', limit: 200 } as never)).items;

  beforeAll(async () => {
    harness = await startGatewayHarness(dialect, { plugins: [modelGuard] });
    client = harness.openaiClient();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('lets a plugin policy.evaluate hook deny a model call the policy allows: 403, nothing sent upstream, audited', async () => {
    const sent = harness.upstream.requests.length;
    const error = await client.chat.completions
      .create({ model: 'gpt-mock', messages: ask('tell me the launch codes') })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
    expect((error as Error).message).toContain('model-guard: no launch codes');
    // A hook may decide on the model too, and a hook that throws denies (fail closed).
    await expect(client.chat.completions.create({ model: 'claude-mock', messages: ask('hello') })).rejects.toMatchObject({ status: 403 });
    await expect(client.chat.completions.create({ model: 'gpt-mock', messages: ask('explode') })).rejects.toMatchObject({ status: 403 });
    expect(harness.upstream.requests.length).toBe(sent);
    await harness.flush();
    const denied = (await auditOf()).filter((record) => record.outcome === 'denied');
    expect(denied.map((record) => record.data.reason)).toEqual(
      expect.arrayContaining(['model-guard: no launch codes', 'model-guard: claude-mock is off']),
    );
    expect(denied.find((record) => record.data.reason === 'model-guard: no launch codes')!.data).toMatchObject({
      model: 'gpt-mock',
      code: 'POLICY_DENIED',
      scope: 'plugin:model-guard',
    });
  });

  it('denies a model call a hook sends to approval, saying model calls cannot wait for one', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-mock', messages: ask('wire money to Bob') })
      .catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
    expect((error as Error).message).toMatch(/requires approval \(workflow "admins"\), and model calls cannot wait for one/);
  });

  it('serves the calls the hook lets through, streaming or not, with one audit record each, written when the stream ends', async () => {
    await harness.flush();
    const before = (await auditOf()).filter((record) => record.outcome === 'success').length;
    const completion = await client.chat.completions.create({ model: 'gpt-mock', messages: ask('hello') });
    expect(completion.choices[0]!.message.content).toBe('Hello from the mock OpenAI upstream.');
    const stream = await client.chat.completions.create({ model: 'gpt-mock', messages: ask('hello'), stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    await harness.flush();
    const successes = (await auditOf()).filter((record) => record.outcome === 'success');
    expect(successes.length - before).toBe(2);
    const usageIds = successes.slice(0, 2).map((record) => record.data.usageId);
    expect(new Set(usageIds).size).toBe(2);
  });

  it('gives a call answered by a fallback one audit record (the answering attempt), while each attempt keeps its usage record', async () => {
    const runtime = harness.preloop.service('gateway');
    await runtime.models.create(
      harness.preloop.accountId,
      {
        alias: 'shaky',
        provider: 'openai',
        model: 'shaky-model',
        baseUrl: `${harness.upstream.url}/v1`,
        apiKey: openAICanaryKey,
        fallback: 'gpt-mock',
      },
      { type: 'system' },
    );
    harness.upstream.handle = (request) =>
      request.body?.model === 'shaky-model' ? { status: 503, json: { error: { message: 'down', type: 'server_error' } } } : undefined;
    try {
      const answer = await client.chat.completions.create({ model: 'shaky', messages: ask('hello') });
      expect(answer.choices[0]!.message.content).toBe('Hello from the mock OpenAI upstream.');
    } finally {
      harness.upstream.handle = null;
    }
    await harness.flush();
    const attempts = await runtime.db
      .selectFrom('gateway_usage')
      .select(['id', 'alias', 'status', 'fallback_from'])
      .where('account_id', '=', harness.preloop.accountId)
      .where((eb) => eb.or([eb('alias', '=', 'shaky'), eb('fallback_from', '=', 'shaky')]))
      .execute();
    expect(attempts.map((attempt) => [attempt.alias, attempt.status]).sort()).toEqual([
      ['gpt-mock', 'success'],
      ['shaky', 'upstream_error'],
    ]);
    const usageIds = new Set(attempts.map((attempt) => attempt.id));
    const audited = (await auditOf()).filter((record) => usageIds.has(record.data.usageId as string));
    expect(audited.map((record) => [record.targetId, record.outcome])).toEqual([['gpt-mock', 'success']]);
  });

  it('stops model calls while the kill switch is on, before reading the request or calling upstream', async () => {
    const { preloop } = harness;
    await preloop.governance.killSwitch.activate(preloop.accountId, ['models'], 'incident 9', { type: 'system' });
    try {
      const sent = harness.upstream.requests.length;
      const error = await client.chat.completions
        .create({ model: 'no-such-alias', messages: ask('hello') })
        .catch((caught: unknown) => caught);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
      expect((error as Error).message).toContain('Kill switch active for models: incident 9');
      expect(harness.upstream.requests.length).toBe(sent);
    } finally {
      await preloop.governance.killSwitch.deactivate(preloop.accountId, undefined, { type: 'system' });
    }
  });
});
