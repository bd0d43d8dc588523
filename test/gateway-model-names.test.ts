import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@preloop/core/testing';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

/**
 * Client model names (Claude Code's `claude-opus-*` / `claude-sonnet-*` /
 * `claude-haiku-*`) mapped to aliases with `modelNames`, and the answers for
 * a model that does not exist (404, naming the usable aliases) and one the
 * policy forbids (403, saying so): never 401, which clients report as an
 * authentication failure.
 */
describe.each(testDialects())('gateway model names and unknown models on $name', (dialect) => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness(dialect, {
      allowModels: ['gpt-mock', 'claude-mock', 'ghost-*'],
      gateway: {
        modelNames: {
          'claude-opus-*': 'claude-mock',
          'claude-sonnet-*': 'claude-mock',
          'claude-haiku-*': 'gpt-mock',
          'claude-*': 'nowhere',
          'old-name': 'ghost-alias',
        },
      },
    });
  });
  afterAll(async () => {
    await harness?.close();
  });

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${harness.url}${path}`, {
      method: 'POST',
      headers: { 'x-api-key': harness.apiKey, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  };

  it('serves Claude Code tier names through the aliases they map to (policy applies to the alias)', async () => {
    const client = harness.anthropicClient();
    const sonnet = await client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(sonnet.type).toBe('message');
    expect(harness.upstream.requests.at(-1)?.body?.model).toBe('claude-haiku-4-5');
    // A future version of the tier name still matches its glob; this one goes to an OpenAI-format alias (translated).
    const haiku = await client.messages.create({
      model: 'claude-haiku-9-9-20300101',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(haiku.type).toBe('message');
    expect(harness.upstream.requests.at(-1)?.body?.model).toBe('gpt-4o-mini');
    // A name that is itself an alias is not remapped by the catch-all glob.
    await client.messages.create({ model: 'claude-mock', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    expect(harness.upstream.requests.at(-1)?.body?.model).toBe('claude-haiku-4-5');
    const counted = await post('/anthropic/v1/messages/count_tokens', {
      model: 'claude-opus-5-5',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(counted.status).toBe(200);
  });

  it('answers a model that does not exist with 404 naming it and the aliases the caller may use, in each shape', async () => {
    const anthropic = await post('/anthropic/v1/messages', {
      model: 'no-such-model',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(anthropic.status).toBe(404);
    expect(anthropic.json.type).toBe('error');
    expect(anthropic.json.error.type).toBe('not_found_error');
    expect(anthropic.json.error.message).toContain('"no-such-model" does not exist');
    expect(anthropic.json.error.message).toContain('Models you may use: claude-mock, gpt-mock.');
    // Aliases the policy forbids are not offered.
    expect(anthropic.json.error.message).not.toContain('free-mock');
    await expect(
      harness.openaiClient().chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
      message: expect.stringContaining('Models you may use: claude-mock, gpt-mock.'),
    });
    // A glob that maps to an alias that does not exist says so, with the name the client sent.
    const mapped = await post('/anthropic/v1/messages', {
      model: 'claude-instant-1',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(mapped.status).toBe(404);
    expect(mapped.json.error.message).toContain('"claude-instant-1" (mapped to "nowhere" by modelNames) does not exist');
    // Allowed by a glob but not declared: 404 too.
    expect((await post('/anthropic/v1/messages/count_tokens', { model: 'old-name', messages: [] })).status).toBe(404);
  });

  it('answers an alias the policy forbids with 403 permission_error saying "policy", never 401', async () => {
    const anthropic = await post('/anthropic/v1/messages', {
      model: 'free-mock',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(anthropic.status).toBe(403);
    expect(anthropic.json.error.type).toBe('permission_error');
    expect(anthropic.json.error.message).toBe('The policy does not allow the model "free-mock" for this credential (account).');
    await expect(
      harness.openaiClient().chat.completions.create({ model: 'free-mock', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status: 403,
      code: 'model_not_allowed',
      message: expect.stringContaining('policy'),
    });
    expect(harness.upstream.requests.some((request) => request.body?.model === 'local-llama')).toBe(false);
  });
});
