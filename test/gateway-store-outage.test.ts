/**
 * The gateway while PostgreSQL is unreachable, through a fault-injecting
 * proxy between the kernel and the database: calls served from cached
 * decisions keep their usage and audit records in a bounded buffer, written
 * when the database is back; once the buffer is full, and whenever a decision
 * needs the database, the answer is 503 with Retry-After naming the database,
 * in each ingress's own error shape (read with the official SDKs).
 */

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createPreloop, createLogger, type Preloop } from '@preloop/core';
import { createFaultProxy, describePostgres, testSecretKey, type FaultProxy, type TestDatabase } from '@preloop/core/testing';
import { gateway, type GatewayPluginOptions, type GatewayTables } from '@preloop/gateway';
import { createNodeGateway } from '@preloop/gateway/node';
import { anthropic } from '@preloop/plugin-anthropic';
import { openai } from '@preloop/plugin-openai';
import { startMockUpstream, type MockUpstream } from '../packages/gateway/test-fixtures/mock-upstream.js';
import { anthropicCanaryKey, openAICanaryKey, standardAliases } from './gateway-harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const messages = [{ role: 'user' as const, content: 'hi' }];

interface Setup {
  preloop: Preloop;
  proxy: FaultProxy;
  openaiClient: OpenAI;
  anthropicClient: Anthropic;
  apiKey: string;
  url: string;
  count(table: 'gateway_usage' | 'audit_records', action?: string): Promise<number>;
  close(): Promise<void>;
}

let current: Setup | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

async function start(dialect: { create(): Promise<TestDatabase> }, options: GatewayPluginOptions): Promise<Setup> {
  const database = await dialect.create();
  const target = new URL(database.url);
  const proxy = await createFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const upstream: MockUpstream = await startMockUpstream({ credentials: [openAICanaryKey, anthropicCanaryKey] });
  const preloop = await createPreloop({
    database: proxy.url(database.url),
    secretKey: testSecretKey,
    logger: createLogger({ level: 'silent' }),
    plugins: [gateway({ reclaimIntervalMs: 0, ...options }), openai(), anthropic()],
    policy: { version: 1, defaults: { tools: 'deny', models: { allow: ['*'] } } },
  });
  const runtime = preloop.service('gateway');
  for (const alias of standardAliases(upstream.url)) await runtime.models.create(preloop.accountId, alias, { type: 'system' });
  const { key: apiKey } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'agent', scopes: ['gateway'] });
  const server: Server = createServer(createNodeGateway(preloop, { auditCalls: 'all' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const setup: Setup = {
    preloop,
    proxy,
    apiKey,
    url,
    openaiClient: new OpenAI({ apiKey, baseURL: `${url}/openai/v1`, maxRetries: 0 }),
    anthropicClient: new Anthropic({ apiKey, baseURL: `${url}/anthropic`, maxRetries: 0 }),
    async count(table, action) {
      let query = preloop.db
        .withTables<GatewayTables>()
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'));
      if (action) query = query.where('action', '=', action);
      return Number((await query.executeTakeFirstOrThrow()).n);
    },
    async close() {
      proxy.stall(false);
      await proxy.refuse(false);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await preloop.close();
      await proxy.close();
      await upstream.close();
      await database.drop();
    },
  };
  current = setup;
  return setup;
}

/** The thrown SDK error (the call must fail). */
async function failure(call: Promise<unknown>): Promise<any> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

describePostgres('gateway while the database is unreachable', (dialect) => {
  it('buffers the records of calls served from cache, refuses new calls with 503 once the buffer is full, and writes everything on recovery', async () => {
    const setup = await start(dialect, { maxPendingRecords: 3, writeIntervalMs: 10 });
    const { proxy, openaiClient, anthropicClient, preloop } = setup;
    await openaiClient.chat.completions.create({ model: 'gpt-mock', messages });
    await anthropicClient.messages.create({ model: 'claude-mock', max_tokens: 16, messages });
    await preloop.service('gateway').flush();

    await proxy.refuse(true);
    proxy.cutAll();
    // Decisions are cached: three calls are served, and their records wait in memory.
    await openaiClient.chat.completions.create({ model: 'gpt-mock', messages });
    await anthropicClient.messages.create({ model: 'claude-mock', max_tokens: 16, messages });
    await openaiClient.chat.completions.create({ model: 'gpt-mock', messages });

    // The buffer is full: no more calls it could not record.
    const refused = await failure(openaiClient.chat.completions.create({ model: 'gpt-mock', messages }));
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.error).toMatchObject({ type: 'server_error', code: 'store_unavailable' });
    expect(refused.message).toMatch(/database/);
    const anthropicRefused = await failure(anthropicClient.messages.create({ model: 'claude-mock', max_tokens: 16, messages }));
    expect(anthropicRefused).toBeInstanceOf(Anthropic.APIError);
    expect(anthropicRefused.status).toBe(503);
    expect(anthropicRefused.error).toMatchObject({
      type: 'error',
      error: { type: 'api_error', message: expect.stringMatching(/database/) },
    });

    const ready = await preloop.api(new Request('http://localhost/api/v1/health/ready'));
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks).toMatchObject({ database: { ready: false }, 'gateway-records': { ready: false } });

    // Back: every served call's usage and audit records are written, none dropped; calls are served again.
    await proxy.refuse(false);
    await preloop.service('gateway').flush();
    expect(await setup.count('gateway_usage')).toBe(5);
    expect(await setup.count('audit_records', 'model.call')).toBe(5);
    await openaiClient.chat.completions.create({ model: 'gpt-mock', messages });
    await preloop.service('gateway').flush();
    expect(await setup.count('gateway_usage')).toBe(6);
  });

  it('answers 503 naming the database, not a kill-switch 403, once a decision needs the database', async () => {
    const setup = await start(dialect, {});
    const { proxy, openaiClient, preloop } = setup;
    const { key: unseenKey } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'unseen', scopes: ['gateway'] });
    await openaiClient.chat.completions.create({ model: 'gpt-mock', messages });
    await preloop.service('gateway').flush();
    await proxy.refuse(true);
    proxy.cutAll();

    // A credential the instance has not seen yet needs the database to authenticate.
    const stranger = new OpenAI({ apiKey: unseenKey, baseURL: `${setup.url}/openai/v1`, maxRetries: 0 });
    const unauthenticated = await failure(stranger.chat.completions.create({ model: 'gpt-mock', messages }));
    expect(unauthenticated.status).toBe(503);
    expect(unauthenticated.error).toMatchObject({ code: 'store_unavailable' });

    // The kill-switch state is cached for 5 s; past that, reading it needs the database.
    await sleep(5500);
    const refused = await failure(openaiClient.chat.completions.create({ model: 'gpt-mock', messages }));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.error).toMatchObject({ type: 'server_error', code: 'store_unavailable' });
    expect(refused.message).toMatch(/database/);
    expect(refused.message).not.toMatch(/kill switch/i);

    await proxy.refuse(false);
    await openaiClient.chat.completions.create({ model: 'gpt-mock', messages });
  });
});
