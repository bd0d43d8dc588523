import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@preloop/core/testing';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {} from '@preloop/gateway';
import { createNodeGateway } from '@preloop/gateway/node';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

// Body limits, rate limits, timeouts and routing do not depend on the database: SQLite only.
const sqlite = testDialects().filter((dialect) => dialect.name === 'sqlite');

describe.each(sqlite)('gateway limits and timeouts on $name', (dialect) => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness(dialect, {
      gateway: {
        bodyLimitBytes: 4096,
        rateLimits: { agent: { requestsPerMinute: 600 } },
        timeouts: { firstByteMs: 300, idleMs: 300, totalMs: 1500 },
      },
    });
  });
  afterAll(async () => {
    await harness?.close();
  });

  const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${harness.url}${path}`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${harness.apiKey}`, 'content-type': 'application/json', ...headers },
      duplex: 'half',
    } as RequestInit);

  it('refuses a body over the limit with 413 before parsing it, declared or streamed, in each shape', async () => {
    const big = JSON.stringify({ model: 'gpt-mock', messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    const declared = await post('/openai/v1/chat/completions', big);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'request_too_large' } });
    const bytes = new TextEncoder().encode(big);
    const streamed = await post(
      '/anthropic/v1/messages',
      new ReadableStream({
        start(controller) {
          for (let offset = 0; offset < bytes.length; offset += 1000) controller.enqueue(bytes.slice(offset, offset + 1000));
          controller.close();
        },
      }),
    );
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    const exact = JSON.stringify({ model: 'gpt-mock', messages: [{ role: 'user', content: '' }] });
    const fits = exact.replace('""', `"${'y'.repeat(4096 - exact.length)}"`);
    expect(Buffer.byteLength(fits)).toBe(4096);
    expect((await post('/openai/v1/chat/completions', fits)).status).toBe(200);
    expect((await post('/openai/v1/chat/completions', fits.replace('"y', '"yy'))).status).toBe(413);
  });

  it('answers 404 for unknown routes and 405 for wrong methods', async () => {
    expect((await post('/openai/v1/completions', '{}')).status).toBe(404);
    const wrong = await fetch(`${harness.url}/anthropic/v1/messages`, { headers: { authorization: `Bearer ${harness.apiKey}` } });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('lets other paths fall through to the next middleware when mounted Express-style', async () => {
    const handler = createNodeGateway(harness.preloop);
    const server = createServer((request, response) => handler(request, response, () => response.end('next middleware')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${base}/api/v1/health`)).text()).toBe('next middleware');
      const models = await fetch(`${base}/openai/v1/models`, { headers: { authorization: `Bearer ${harness.apiKey}` } });
      expect((await models.json()).object).toBe('list');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('answers 504 when a stream sends no first byte in time, and records a timeout', async () => {
    harness.upstream.handle = () => ({ sse: ['data: [DONE]\n\n'], firstDelayMs: 1000 });
    const started = Date.now();
    await expect(
      harness.openaiClient().chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'x' }], stream: true }),
    ).rejects.toMatchObject({ status: 504 });
    expect(Date.now() - started).toBeLessThan(900);
    harness.upstream.handle = null;
  });

  it('ends a stream that goes silent with an error event, and closes the upstream', async () => {
    const start = {
      type: 'message_start',
      message: {
        id: 'm',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 9, output_tokens: 1 },
      },
    };
    harness.upstream.handle = () => ({ sse: [`event: message_start\ndata: ${JSON.stringify(start)}\n\n`], hang: true });
    const before = harness.upstream.requests.length;
    await expect(
      harness
        .anthropicClient()
        .messages.stream({ model: 'claude-mock', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] })
        .finalMessage(),
    ).rejects.toThrow(/did not answer in time/);
    await harness.upstream.requests[before]!.closed;
    harness.upstream.handle = null;
    await harness.flush();
    const last = await harness.preloop
      .service('gateway')
      .db.selectFrom('gateway_usage')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toMatchObject({ status: 'timeout', error_code: 'upstream_timeout', input_tokens: 9 });
  });

  it('answers 504 when a non-streaming call exceeds the total timeout', async () => {
    harness.upstream.handle = () => ({ json: {}, delayMs: 3000 });
    await expect(
      harness.anthropicClient().messages.create({ model: 'gpt-mock', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 504, error: { error: { type: 'api_error' } } });
    harness.upstream.handle = null;
  });

  it('answers 502 when the upstream cannot be reached', async () => {
    const runtime = harness.preloop.service('gateway');
    await runtime.models.create(
      harness.preloop.accountId,
      { alias: 'nowhere', provider: 'openai', model: 'x', baseUrl: 'http://127.0.0.1:9/v1' },
      { type: 'system' },
    );
    await expect(
      harness.openaiClient().chat.completions.create({ model: 'nowhere', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 502, code: 'upstream_unreachable' });
  });
});

describe.each(sqlite)('gateway rate limits on $name', (dialect) => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness(dialect, { gateway: { rateLimits: { apiKey: { requestsPerMinute: 6, burst: 2 } } } });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('answers 429 with Retry-After in each shape once the bucket is empty', async () => {
    const client = harness.openaiClient();
    await client.models.list();
    await client.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'x' }] });
    await client.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'x' }] });
    const { error, response } = await client.chat.completions
      .create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'x' }] })
      .withResponse()
      .then(() => ({ error: null, response: null }))
      .catch((caught) => ({ error: caught, response: caught.headers }));
    expect(error).toMatchObject({ status: 429, type: 'requests', code: 'rate_limit_exceeded' });
    expect(Number(response.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expect(
      harness.anthropicClient().messages.create({ model: 'claude-mock', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status: 429,
      error: { error: { type: 'rate_limit_error' } },
    });
  });
});
