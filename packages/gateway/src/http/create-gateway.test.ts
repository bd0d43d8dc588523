import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { anthropicRequestArbitrary } from '../../test-fixtures/arbitraries.js';
import { defaultMockReply, type MockRequest } from '../../test-fixtures/mock-upstream.js';
import { anthropicEventsOf } from '../../test-fixtures/stream-helpers.js';
import { encodeAnthropicEvent } from '../sse/serialize-sse.js';
import { gateway } from '../runtime/gateway-plugin.js';
import { createGateway, type GatewayHandler } from './create-gateway.js';
import { anthropicProviderForTests, openAIProviderForTests } from '../../test-fixtures/test-providers.js';

/** An in-process upstream: the mock's default answers, without a socket. */
const stubFetch: typeof fetch = async (input, init) => {
  const url = new URL(String(input));
  const body = JSON.parse(String(init?.body ?? 'null'));
  const request = { path: url.pathname, body, headers: {} } as MockRequest;
  const reply = defaultMockReply(request);
  if ('json' in reply)
    return new Response(JSON.stringify(reply.json), { status: reply.status ?? 200, headers: { 'content-type': 'application/json' } });
  if ('sse' in reply) return new Response(reply.sse.join(''), { headers: { 'content-type': 'text/event-stream' } });
  throw new Error('unexpected reply');
};

describe.each(testDialects().filter((dialect) => dialect.name === 'sqlite'))('createGateway handler in process on $name', (dialect) => {
  let test: TestPreloop;
  let handler: GatewayHandler;
  let key: string;
  beforeAll(async () => {
    test = await createTestPreloop(dialect, {
      plugins: [gateway({ reclaimIntervalMs: 0 })],
      policy: { version: 1, defaults: { tools: 'deny', models: { allow: ['*'] } } },
    });
    const runtime = test.preloop.service('gateway');
    (runtime.providers as Map<string, unknown>).set('openai', openAIProviderForTests);
    (runtime.providers as Map<string, unknown>).set('anthropic', anthropicProviderForTests);
    const system = { type: 'system' as const };
    await runtime.models.create(
      test.preloop.accountId,
      { alias: 'gpt', provider: 'openai', model: 'gpt-4o-mini', baseUrl: 'http://upstream.test/v1' },
      system,
    );
    await runtime.models.create(
      test.preloop.accountId,
      { alias: 'claude', provider: 'anthropic', model: 'claude-haiku-4-5', baseUrl: 'http://upstream.test' },
      system,
    );
    key = (await test.preloop.identity.apiKeys.create(test.preloop.accountId, { name: 'k', scopes: ['gateway'] })).key;
    handler = createGateway(test.preloop, { fetch: stubFetch });
  });
  afterAll(async () => {
    await test?.cleanup();
  });

  const post = (path: string, body: unknown) =>
    handler(
      new Request(`http://gateway.test${path}`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );

  it('translates any canonical Anthropic request to an OpenAI alias and back, streaming or not, without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(anthropicRequestArbitrary, fc.boolean(), async (request, stream) => {
        const response = await post('/anthropic/v1/messages', { ...request, model: 'gpt', stream });
        const text = await response.text();
        expect(response.status, text).toBe(200);
        if (stream) expect(text).toContain('event: message_stop');
        else expect(JSON.parse(text)).toMatchObject({ type: 'message', role: 'assistant' });
      }),
      { numRuns: 60 },
    );
  });

  it('never answers 500 to malformed bodies in either direction (400 naming the problem instead)', async () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(['/anthropic/v1/messages', 'gpt'], ['/openai/v1/chat/completions', 'claude'], ['/openai/v1/responses', 'claude']),
        fc.dictionary(fc.constantFrom('messages', 'max_tokens', 'tools', 'tool_choice', 'system', 'input', 'stream', 'n', 'stop'), json, {
          maxKeys: 6,
        }),
        async ([path, model], body) => {
          const response = await post(path, { ...body, model });
          const text = await response.text();
          expect(response.status, text).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('serves the OpenAI error shape for unknown routes under the OpenAI base path and the Anthropic one under its own', async () => {
    const openai = await handler(new Request('http://gateway.test/openai/v1/nope', { method: 'POST' }));
    expect(await openai.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const anthropic = await handler(new Request('http://gateway.test/anthropic/v1/nope?beta=true', { method: 'POST' }));
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('relays an Anthropic stream event by event as OpenAI chunks', async () => {
    const message = {
      id: 'msg_1',
      type: 'message' as const,
      role: 'assistant' as const,
      model: 'm',
      content: [{ type: 'text' as const, text: 'abcdef' }],
      stop_reason: 'end_turn' as const,
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 2 },
    };
    const events = anthropicEventsOf(message, [0.5]).map(encodeAnthropicEvent).join('');
    const streaming = createGateway(test.preloop, {
      fetch: async () => new Response(events, { headers: { 'content-type': 'text/event-stream' } }),
    });
    const response = await streaming(
      new Request('http://gateway.test/openai/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify({
          model: 'claude',
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'x' }],
        }),
      }),
    );
    const text = await response.text();
    const chunks = text
      .split('\n\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => JSON.parse(line.slice(6)));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('abcdef');
    expect(chunks.at(-1).usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 2 });
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
