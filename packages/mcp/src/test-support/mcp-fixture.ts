/**
 * Test support (not exported from the package): a kernel with the `mcp()`
 * plugin, the admin API and the MCP endpoint on one real loopback port, users
 * and keys, and the official SDK client to talk to it.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { PreloopOptions, PreloopPlugin, Principal } from '@preloop/core';
import { serve, type RunningServer } from '@preloop/core/node';
import { createTestPreloop, type TestDialect, type TestPreloop } from '@preloop/core/testing';
import { createMcpHandler, type McpHandler } from '../http/create-mcp-handler.js';
import type { McpHandlerOptions } from '../http/handler-options.js';
import { mcp } from '../plugin/mcp-plugin.js';
import type { McpPluginOptions } from '../plugin/mcp-runtime.js';

/** A user with an admin API key. */
export interface FixtureUser {
  id: string;
  key: string;
}

/** The fixture. */
export interface McpFixture extends TestPreloop {
  /** The MCP endpoint URL (`…/mcp`). */
  url: string;
  /** The kernel's database URL (for a second kernel on the same database). */
  databaseUrl: string;
  /** The server's base URL. */
  baseUrl: string;
  handler: McpHandler;
  server: RunningServer;
  /** The owner: admin API key (admin:read, admin:write). */
  owner: FixtureUser;
  /** An approver (admin role) with an admin API key. */
  admin: FixtureUser;
  /** A developer (viewer) and the `mcp` key its agent uses. */
  developer: FixtureUser;
  /** The agent's MCP API key (scope `mcp`, owned by the developer). */
  agentKey: string;
  /** The agent key as a principal. */
  agent: Principal;
  /** Connects the official SDK client to the endpoint with `token` (default: the agent's key). */
  connect(options?: { token?: string; capabilities?: ClientCapabilities; url?: string }): Promise<Client>;
  /** Calls the admin API (default: as the owner). */
  api(method: string, path: string, body?: unknown, token?: string): Promise<Response>;
  /** Closes the clients made by `connect` and the server, then the kernel. */
  cleanup(): Promise<void>;
}

/**
 * Builds the fixture on `dialect`.
 *
 * @example
 * ```ts
 * const fixture = await createMcpFixture(dialect, { policy: { version: 1, defaults: { tools: 'allow' } } });
 * const client = await fixture.connect();
 * ```
 */
export async function createMcpFixture(
  dialect: TestDialect,
  options: { plugins?: PreloopPlugin[]; policy?: PreloopOptions['policy']; handler?: McpHandlerOptions; mcp?: McpPluginOptions } = {},
): Promise<McpFixture> {
  const test = await createTestPreloop(dialect, {
    plugins: [mcp({ rescanIntervalMs: 0, ...options.mcp }), ...(options.plugins ?? [])],
    ...(options.policy ? { policy: options.policy } : {}),
  });
  const { preloop } = test;
  const accountId = preloop.accountId;
  const user = async (name: string, role: 'owner' | 'admin' | 'viewer'): Promise<FixtureUser> => {
    const created = await preloop.identity.users.create(accountId, { email: `${name}@example.com`, name, role });
    const { key } = await preloop.identity.apiKeys.create(accountId, {
      name: `${name}-admin`,
      scopes: ['admin:read', 'admin:write'],
      userId: created.id,
    });
    return { id: created.id, key };
  };
  const owner = await user('owner', 'owner');
  const admin = await user('admin', 'admin');
  const developer = await user('developer', 'viewer');
  const { key: agentKey } = await preloop.identity.apiKeys.create(accountId, { name: 'agent', scopes: ['mcp'], userId: developer.id });
  const agent = (await preloop.authenticate(new Request('http://localhost/mcp', { headers: { authorization: `Bearer ${agentKey}` } }), {
    audience: 'mcp',
  }))!;
  const handler = createMcpHandler(preloop, options.handler);
  const server = await serve({
    port: 0,
    handler: (request) => (new URL(request.url).pathname.startsWith('/api/v1') ? preloop.api(request) : handler(request)),
  });
  const clients = new Set<Client>();
  return {
    ...test,
    url: `${server.url}/mcp`,
    databaseUrl: test.url,
    baseUrl: server.url,
    handler,
    server,
    owner,
    admin,
    developer,
    agentKey,
    agent,
    async connect(connectOptions = {}) {
      const client = new Client({ name: 'test-client', version: '1.0.0' }, { capabilities: connectOptions.capabilities ?? {} });
      const transport = new StreamableHTTPClientTransport(new URL(connectOptions.url ?? `${server.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${connectOptions.token ?? agentKey}` } },
      });
      await client.connect(transport);
      clients.add(client);
      return client;
    },
    api(method, path, body, token) {
      return fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token ?? owner.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    async cleanup() {
      await Promise.all([...clients].map((client) => client.close().catch(() => {})));
      await handler.close();
      await server.close();
      await test.cleanup();
    },
  };
}

/** The path of `@modelcontextprotocol/server-everything`'s executable (run with `node`). */
export function everythingServerPath(): string {
  return new URL('../../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url).pathname;
}
