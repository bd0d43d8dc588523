/**
 * The gateway's Node fast path inside a host that parses bodies first
 * (Express 5 with `express.json()` mounted before `createNodeGateway`), and
 * a client that stops sending mid-upload (both adapters), over real loopback
 * ports with the official `openai` client and a local upstream.
 */

import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import OpenAI from 'openai';
import { createLogger, createPreloop, type Preloop } from '@preloop/core';
import { serve } from '@preloop/core/node';
import { createGateway, gateway } from '@preloop/gateway';
import { createNodeGateway } from '@preloop/gateway/node';
import { openai } from '@preloop/plugin-openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockUpstream } from '../packages/gateway/test-fixtures/mock-upstream.js';

const providerKey = 'sk-upstream-0123456789abcdef';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A kernel with the gateway, an alias `gpt-mock` on a local upstream, and a gateway API key. */
async function startKernel(): Promise<{ preloop: Preloop; apiKey: string; upstream: Awaited<ReturnType<typeof startMockUpstream>> }> {
  const upstream = await startMockUpstream({ credentials: [providerKey] });
  const preloop = await createPreloop({
    database: ':memory:',
    logger: createLogger({ level: 'silent' }),
    plugins: [gateway({ reclaimIntervalMs: 0 }), openai()],
    policy: { version: 1, defaults: { models: { allow: ['*'] } } },
  });
  cleanups.push(async () => {
    await preloop.close();
    await upstream.close();
  });
  await preloop
    .service('gateway')
    .models.create(
      preloop.accountId,
      { alias: 'gpt-mock', provider: 'openai', model: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: providerKey },
      { type: 'system', name: 'test' },
    );
  const { key: apiKey } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'agent', scopes: ['gateway'] });
  return { preloop, apiKey, upstream };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Sends headers and the start of a JSON body announced longer, then goes silent; resolves with the answer. */
function stalledUpload(url: string, apiKey: string): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'content-length': '1000' },
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) });
      });
    });
    request.on('error', reject);
    request.write('{"model":"gpt-mock","messages":[');
  });
}

describe('gateway behind a host body parser (Express 5, express.json() first)', () => {
  it('serves the official OpenAI client from the parsed body, refuses a keyless call with 401, and says so at once when no body is left', async () => {
    const { preloop, apiKey, upstream } = await startKernel();
    const app = express();
    // A middleware that drains the body and leaves nothing on req.body (asked for with a header).
    app.use((request, _response, next) => {
      if (!request.headers['x-drain']) return next();
      request.resume();
      request.on('end', () => next());
    });
    app.use(express.json());
    app.use(createNodeGateway(preloop));
    app.get('/', (_request, response) => {
      response.send('host');
    });
    const url = await listen(app.listen(0, '127.0.0.1'));

    const client = new OpenAI({ apiKey, baseURL: `${url}/openai/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'Hello' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from the mock OpenAI upstream.');
    // The upstream got the body the client sent, re-encoded from req.body.
    expect(upstream.requests.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });
    // Streaming works the same way.
    const stream = await client.chat.completions.create({
      model: 'gpt-mock',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
    });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed.length).toBeGreaterThan(0);

    const keyless = new OpenAI({ apiKey: 'not-a-key', baseURL: `${url}/openai/v1`, maxRetries: 0 });
    await expect(
      keyless.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'Hello' }] }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);

    const drained = await fetch(`${url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-drain': '1' },
      body: JSON.stringify({ model: 'gpt-mock', messages: [{ role: 'user', content: 'Hello' }] }),
    });
    expect(drained.status).toBe(500);
    expect(drained.headers.get('x-should-retry')).toBe('false');
    expect((await drained.json()).error).toMatchObject({
      type: 'server_error',
      code: 'body_already_read',
      message: expect.stringContaining('Mount Preloop before your body parser'),
    });
    // The host's own routes still answer.
    expect(await (await fetch(`${url}/`)).text()).toBe('host');
  });
});

describe('gateway in Fastify', () => {
  it("behind Fastify's default JSON parser fails at once with BODY_ALREADY_READ; in a scope without parsers it serves the OpenAI client", async () => {
    const { preloop, apiKey } = await startKernel();
    const handler = createNodeGateway(preloop);
    // Wrong: the app's JSON parser reads the raw stream first and leaves nothing on request.raw.
    const parsing = Fastify();
    parsing.post('/openai/v1/chat/completions', (request, reply) => {
      reply.hijack();
      handler(request.raw, reply.raw);
    });
    await parsing.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => parsing.close());
    // Right: an encapsulated scope without body parsers (docs/embedding.md#fastify).
    const app = Fastify();
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      scope.all('/openai/v1/*', (request, reply) => {
        reply.hijack();
        handler(request.raw, reply.raw);
      });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    const parsed = await fetch(`http://127.0.0.1:${(parsing.server.address() as AddressInfo).port}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-mock', messages: [{ role: 'user', content: 'Hello' }] }),
    });
    expect(parsed.status).toBe(500);
    expect((await parsed.json()).error).toMatchObject({
      code: 'body_already_read',
      message: expect.stringContaining('Mount Preloop before your body parser'),
    });

    const client = new OpenAI({ apiKey, baseURL: `${url}/openai/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'Hello' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from the mock OpenAI upstream.');
  });
});

describe('a stalled upload', () => {
  it.each(['node', 'web'] as const)('gets 408 in the ingress error shape after bodyTimeoutMs of silence (%s adapter)', async (adapter) => {
    const { preloop, apiKey, upstream } = await startKernel();
    const options = { bodyTimeoutMs: 300 };
    let url: string;
    if (adapter === 'node') {
      const app = express();
      app.use(createNodeGateway(preloop, options));
      url = await listen(app.listen(0, '127.0.0.1'));
    } else {
      const server = await serve({ handler: createGateway(preloop, options), port: 0 });
      cleanups.push(() => server.close());
      url = server.url;
    }
    const answer = await stalledUpload(url, apiKey);
    expect(answer.status).toBe(408);
    expect(answer.headers.connection).toBe('close');
    expect(answer.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'request_timeout',
      message: expect.stringContaining('bodyTimeoutMs'),
    });
    // Nothing was forwarded.
    expect(upstream.requests).toHaveLength(0);
  });
});
