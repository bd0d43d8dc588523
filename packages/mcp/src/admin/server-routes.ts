import { defineRoute, PreloopError, type AdminRoute, type Principal } from '@preloop/core';
import { mcpServerInputSchema, mcpServerPatchSchema, type McpServerPatch, type McpServerInput } from '../store/server-schema.js';
import {
  mcpServerDeletedSchema,
  mcpServerListSchema,
  mcpServerSchema,
  scanReportSchema,
  type McpScanReport,
  type McpServer,
  type McpServerDeleted,
  type McpServerList,
} from './api-schemas.js';

const tag = 'mcp';

/** Spawning processes on the Preloop host is an owner's decision: stdio servers need the owner role. */
function requireOwnerForStdio(principal: Principal | null, transport: string): void {
  if (transport === 'stdio' && principal?.role !== 'owner') {
    throw new PreloopError('FORBIDDEN', 'Registering or changing a stdio MCP server (a process on the Preloop host) needs the owner role.');
  }
}

/**
 * Admin routes for upstream MCP servers: list, create, read, change, delete
 * and scan. Credentials (headers, environment) are write-only: responses name
 * them but never show their values.
 */
export const mcpServerRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/mcp-servers',
    summary: 'List upstream MCP servers',
    tag,
    access: { role: 'viewer' },
    response: mcpServerListSchema,
    handler: async ({ preloop, principal }): Promise<McpServerList> => ({
      items: await preloop.service('mcp').servers.list(principal!.accountId),
    }),
  }),
  defineRoute<McpServerInput>({
    method: 'POST',
    path: '/mcp-servers',
    summary: 'Register an upstream MCP server (Streamable HTTP or stdio); scan it to discover its tools',
    tag,
    access: { role: 'admin' },
    body: mcpServerInputSchema as never,
    status: 201,
    response: mcpServerSchema,
    // 403 (automatic): a stdio server needs the owner role; 409: the name is taken.
    errors: [409],
    handler: async ({ preloop, principal, body }): Promise<McpServer> => {
      requireOwnerForStdio(principal, body.transport);
      return preloop.service('mcp').servers.create(principal!.accountId, body, principal!);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/mcp-servers/:id',
    summary: 'Get an upstream MCP server',
    tag,
    access: { role: 'viewer' },
    response: mcpServerSchema,
    errors: [404],
    handler: async ({ preloop, principal, params }): Promise<McpServer> =>
      preloop.service('mcp').servers.get(principal!.accountId, params.id!),
  }),
  defineRoute<McpServerPatch>({
    method: 'PATCH',
    path: '/mcp-servers/:id',
    summary: 'Change an upstream MCP server (headers and env replace the stored ones)',
    tag,
    access: { role: 'admin' },
    body: mcpServerPatchSchema as never,
    response: mcpServerSchema,
    errors: [404, 409],
    handler: async ({ preloop, principal, params, body }): Promise<McpServer> => {
      const runtime = preloop.service('mcp');
      const current = await runtime.servers.get(principal!.accountId, params.id!);
      requireOwnerForStdio(principal, current.transport);
      const updated = await runtime.servers.update(principal!.accountId, params.id!, body, principal!);
      await runtime.upstreams.disconnect(updated.id);
      // A new name or namespacing changes the names other servers' tools may shadow.
      await runtime.tools.recheck(updated.accountId, principal!);
      await runtime.announce({ accountId: updated.accountId, kind: 'tools' });
      return updated;
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/mcp-servers/:id',
    summary: 'Remove an upstream MCP server, its tools and its credentials',
    tag,
    access: { role: 'admin' },
    response: mcpServerDeletedSchema,
    errors: [404],
    handler: async ({ preloop, principal, params }): Promise<McpServerDeleted> => {
      const runtime = preloop.service('mcp');
      const current = await runtime.servers.get(principal!.accountId, params.id!);
      requireOwnerForStdio(principal, current.transport);
      await runtime.servers.remove(principal!.accountId, current.id, principal!);
      await runtime.upstreams.disconnect(current.id);
      await runtime.announce({ accountId: current.accountId, kind: 'tools' });
      return { deleted: true as const, id: current.id };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/mcp-servers/:id/scan',
    summary: 'Discover the tools of an upstream MCP server: new unflagged tools are pinned (trust on first use), changed ones quarantined',
    tag,
    access: { role: 'admin' },
    response: scanReportSchema,
    // 409: the server is disabled; 502: the upstream could not be reached or listed.
    errors: [404, 409, 502],
    handler: async ({ preloop, principal, params }): Promise<McpScanReport> => {
      const runtime = preloop.service('mcp');
      const server = await runtime.servers.get(principal!.accountId, params.id!);
      if (!server.enabled) throw new PreloopError('CONFLICT', `MCP server "${server.name}" is disabled; enable it before scanning.`);
      return runtime.upstreams.scan(server, { trigger: 'admin', actor: principal! });
    },
  }),
];
