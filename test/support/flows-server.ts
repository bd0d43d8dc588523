import { approvals } from '@preloop/approvals';
import type { PreloopPlugin } from '@preloop/core';
import { serve, type RunningServer } from '@preloop/core/node';
import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { flows, type FlowsOptions } from '@preloop/flows';
import { createGateway, gateway } from '@preloop/gateway';
import { createMcpHandler, mcp } from '@preloop/mcp';
import { openai } from '@preloop/plugin-openai';

/** Every tool and model allowed; the `later` workflow (owners and admins, asynchronous) for the tools a flow gates. */
export const flowsPolicy = {
  version: 1 as const,
  defaults: { tools: 'allow' as const, models: { allow: ['*'] } },
  workflows: { later: { approvers: { roles: ['owner' as const, 'admin' as const] }, async: true } },
};

/** Options of {@link startFlowsServer}. */
export interface FlowsServerOptions {
  /** The stub OpenAI upstream (its base URL, without `/v1`) and the key it accepts. */
  upstream: { url: string; apiKey: string };
  /** Gateway aliases to create, each an OpenAI model behind `upstream`. */
  models: Array<{ alias: string; model: string }>;
  /** More plugins (a tracker…), before `flows`. @default [] */
  plugins?: PreloopPlugin[];
  /** Flows options beyond `baseUrl`, `pollIntervalMs: 50` and `scheduleIntervalMs: 0`. @default {} */
  flows?: Partial<FlowsOptions>;
}

/** A kernel with flows served on one loopback port, an owner's admin key, and an in-process admin API call. */
export interface FlowsServer {
  test: TestPreloop;
  server: RunningServer;
  adminKey: string;
  /** Calls the admin API as the owner, JSON in and out. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** The audit actions of a runtime session (a run), in order. */
  sessionAuditActions(runtimeSessionId: string): Promise<string[]>;
  /** Closes the kernel, then the server. */
  close(): Promise<void>;
}

/**
 * Starts the admin API, the MCP endpoint and the model gateway of a kernel
 * with approvals, MCP, the gateway, the OpenAI provider and flows on one
 * loopback port (the port is taken first: flows need the server's URL), with
 * the gateway's models and an owner with an admin API key.
 */
export async function startFlowsServer(options: FlowsServerOptions): Promise<FlowsServer> {
  let handler: (request: Request) => Promise<Response> = async () => new Response('starting', { status: 503 });
  const server = await serve({ handler: (request) => handler(request), port: 0, host: '127.0.0.1' });
  const test = await createTestPreloop(testDialects()[0]!, {
    policy: flowsPolicy,
    plugins: [
      approvals({ pollIntervalMs: 200 }),
      mcp({ rescanIntervalMs: 0 }),
      gateway({ reclaimIntervalMs: 0 }),
      openai(),
      ...(options.plugins ?? []),
      flows({ baseUrl: server.url, pollIntervalMs: 50, scheduleIntervalMs: 0, ...options.flows }),
    ],
  }).catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  const { preloop } = test;
  const mcpHandler = createMcpHandler(preloop);
  const gatewayHandler = createGateway(preloop);
  handler = (request) => {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/api/v1')) return preloop.api(request);
    if (pathname.startsWith('/mcp')) return mcpHandler(request);
    return gatewayHandler(request);
  };
  for (const { alias, model } of options.models)
    await preloop
      .service('gateway')
      .models.create(
        preloop.accountId,
        { alias, provider: 'openai', model, baseUrl: `${options.upstream.url}/v1`, apiKey: options.upstream.apiKey },
        { type: 'system', name: 'test' },
      );
  const admin = await preloop.identity.users.create(preloop.accountId, { email: 'ada@example.com', name: 'Ada', role: 'owner' });
  const { key: adminKey } = await preloop.identity.apiKeys.create(preloop.accountId, {
    name: 'admin',
    scopes: ['admin:read', 'admin:write'],
    userId: admin.id,
  });
  return {
    test,
    server,
    adminKey,
    async api(method, path, body) {
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
    async sessionAuditActions(runtimeSessionId) {
      const records = await preloop.db
        .selectFrom('audit_records')
        .select('action')
        .where('runtime_session_id', '=', runtimeSessionId)
        .orderBy('seq')
        .execute();
      return records.map((record) => record.action);
    },
    async close() {
      await test.cleanup();
      await server.close();
    },
  };
}
