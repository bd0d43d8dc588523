/**
 * Test harness for the gateway end-to-end suites: a kernel with the gateway
 * and both provider plugins, mock upstreams, model aliases, API keys, the
 * gateway served on a real port, the official SDK clients pointed at it, and
 * every log line captured.
 */

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createLogger, type Preloop, type PreloopPlugin, type PolicyDocumentInput } from '@preloop/core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@preloop/core/node';
import { createNodeGateway } from '@preloop/gateway/node';
import { createTestPreloop, type TestDialect } from '@preloop/core/testing';
import { createGateway, gateway, type GatewayOptions, type ModelAliasInput } from '@preloop/gateway';
import { anthropic } from '@preloop/plugin-anthropic';
import { openai } from '@preloop/plugin-openai';
import { startMockUpstream, type MockUpstream } from '../packages/gateway/test-fixtures/mock-upstream.js';

/** The canary provider keys: they must never leave the gateway towards a client, a log or the audit trail. */
export const openAICanaryKey = 'sk-openaicanary0123456789abcdefCANARY';
export const anthropicCanaryKey = 'sk-ant-canary-0123456789abcdefCANARY';

/** Everything a gateway test needs. */
export interface GatewayHarness {
  preloop: Preloop;
  url: string;
  /** Which adapter serves the gateway. */
  adapter: GatewayAdapter;
  /** The mock upstream standing in for OpenAI (base `${url}/v1`) and Anthropic (base `url`). */
  upstream: MockUpstream;
  /** A Preloop API key with the gateway scope. */
  apiKey: string;
  /** An admin's API key for the admin API. */
  adminKey: string;
  /** Every log line written by the kernel. */
  logs: string[];
  openaiClient(options?: { apiKey?: string }): OpenAI;
  anthropicClient(options?: { apiKey?: string; authToken?: string }): Anthropic;
  /** Calls the admin API in-process. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Waits until usage records are written. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** `node`: `createNodeGateway` on `http.createServer`; `web`: `createGateway` through core's `serve` (web Request/Response). */
export type GatewayAdapter = 'node' | 'web';

/** Both adapters, for `describe.each`. */
export const gatewayAdapters: GatewayAdapter[] = ['node', 'web'];

async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  server.headersTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Options of {@link startGatewayHarness}. */
export interface GatewayHarnessOptions {
  /** @default 'node' */
  adapter?: GatewayAdapter;
  gateway?: GatewayOptions;
  /** Model allow-list of the policy. @default ['*'] */
  allowModels?: string[];
  /** Extra aliases. */
  aliases?: ModelAliasInput[];
  /** An existing database URL (a second kernel on the same database). */
  database?: string;
  plugins?: PreloopPlugin[];
}

/** The aliases every harness has. */
export function standardAliases(upstreamUrl: string): ModelAliasInput[] {
  return [
    { alias: 'gpt-mock', provider: 'openai', model: 'gpt-4o-mini', baseUrl: `${upstreamUrl}/v1`, apiKey: openAICanaryKey },
    { alias: 'claude-mock', provider: 'anthropic', model: 'claude-haiku-4-5', baseUrl: upstreamUrl, apiKey: anthropicCanaryKey },
    { alias: 'embed-mock', provider: 'openai', model: 'text-embedding-3-small', baseUrl: `${upstreamUrl}/v1`, apiKey: openAICanaryKey },
    { alias: 'free-mock', provider: 'openai', model: 'local-llama', baseUrl: `${upstreamUrl}/v1`, apiKey: openAICanaryKey },
  ];
}

/**
 * Starts a harness on `dialect`.
 *
 * @example
 * ```ts
 * const harness = await startGatewayHarness(dialect);
 * const completion = await harness.openaiClient().chat.completions.create({ model: 'gpt-mock', messages });
 * ```
 */
export async function startGatewayHarness(dialect: TestDialect, options: GatewayHarnessOptions = {}): Promise<GatewayHarness> {
  const logs: string[] = [];
  const upstream = await startMockUpstream({ credentials: [openAICanaryKey, anthropicCanaryKey] });
  const policy: PolicyDocumentInput = { version: 1, defaults: { tools: 'deny', models: { allow: options.allowModels ?? ['*'] } } };
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const database = options.database ? { create: async () => ({ url: options.database!, drop: async () => {} }) } : dialect;
  const test = await createTestPreloop({ name: dialect.name, create: database.create } as TestDialect, {
    plugins: [gateway({ reclaimIntervalMs: 0 }), openai(), anthropic(), ...(options.plugins ?? [])],
    policy,
    logger,
  });
  const { preloop } = test;
  const runtime = preloop.service('gateway');
  const system = { type: 'system' as const, name: 'test' };
  if (!options.database) {
    for (const alias of [...standardAliases(upstream.url), ...(options.aliases ?? [])])
      await runtime.models.create(preloop.accountId, alias, system);
  }
  const admin = await preloop.identity.users.create(preloop.accountId, {
    email: `admin-${Math.random()}@example.com`,
    name: 'Admin',
    role: 'admin',
  });
  const { key: adminKey } = await preloop.identity.apiKeys.create(preloop.accountId, {
    name: 'admin',
    scopes: ['admin:read', 'admin:write'],
    userId: admin.id,
  });
  const { key: apiKey } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'agent', scopes: ['gateway'] });
  const adapter = options.adapter ?? 'node';
  const server =
    adapter === 'node'
      ? await listen(createServer(createNodeGateway(preloop, options.gateway)))
      : await serve({ handler: createGateway(preloop, options.gateway), port: 0 });
  return {
    preloop,
    url: server.url,
    adapter,
    upstream,
    apiKey,
    adminKey,
    logs,
    openaiClient: (clientOptions = {}) =>
      new OpenAI({ apiKey: clientOptions.apiKey ?? apiKey, baseURL: `${server.url}/openai/v1`, maxRetries: 0 }),
    anthropicClient: (clientOptions = {}) =>
      new Anthropic({
        ...(clientOptions.authToken ? { authToken: clientOptions.authToken, apiKey: null } : { apiKey: clientOptions.apiKey ?? apiKey }),
        baseURL: `${server.url}/anthropic`,
        maxRetries: 0,
      }),
    async admin(method, path, body) {
      const response = await preloop.api(
        new Request(`http://localhost/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    flush: () => runtime.flush(),
    async close() {
      await server.close();
      await test.cleanup();
      await upstream.close();
    },
  };
}
