import { defineRoute, PreloopError, type AdminRoute, type Preloop } from '@preloop/core';
import { builtinToolNames } from '../builtins/builtin-tools.js';
import { diffDefinitions } from '../pinning/tool-definition.js';
import type { UpstreamToolRecord } from '../store/tool-store.js';
import type { ToolStats } from '../store/tool-stats.js';
import {
  approvePinBodySchema,
  catalogSchema,
  toolStatsSchema,
  upstreamToolDetailSchema,
  upstreamToolSchema,
  type ApprovePinInput,
  type CatalogEntry,
  type ToolCatalog,
  type UpstreamTool,
  type UpstreamToolDetail,
} from './api-schemas.js';

const tag = 'mcp';

export type { CatalogEntry } from './api-schemas.js';

async function catalogEntries(preloop: Preloop, accountId: string): Promise<CatalogEntry[]> {
  const runtime = preloop.service('mcp');
  const [upstream, catalog] = await Promise.all([runtime.tools.list(accountId), runtime.catalog.get(accountId)]);
  const trusted = (name: string, source: 'builtin' | 'plugin', description: string | null): CatalogEntry => ({
    name,
    source,
    server: null,
    status: source,
    available: true,
    conflict: false,
    listedAs: null,
    flags: [],
    description,
    pinnedHash: null,
    liveHash: null,
    pinnedAt: null,
    pinnedBy: null,
    changedAt: null,
  });
  return [
    ...builtinToolNames.map((name) => trusted(name, 'builtin', null)),
    ...preloop.tools
      .filter((tool) => catalog.tools.get(tool.name)?.source === 'plugin')
      .map((tool) => trusted(tool.name, 'plugin', tool.description)),
    ...upstream.map((tool) => ({
      name: tool.exposedName,
      source: 'upstream' as const,
      server: tool.serverName,
      status: tool.status,
      available:
        catalog.tools.get(tool.exposedName)?.upstreamName === tool.name &&
        catalog.tools.get(tool.exposedName)?.server?.id === tool.serverId,
      conflict: catalog.conflicts.has(tool.exposedName) && tool.status === 'pinned',
      listedAs: catalog.renamed.get(tool.id) ?? null,
      flags: tool.flags,
      description: (tool.status === 'pinned' ? tool.pinnedDefinition?.description : tool.liveDefinition.description) ?? null,
      pinnedHash: tool.pinnedHash,
      liveHash: tool.liveHash,
      pinnedAt: tool.pinnedAt,
      pinnedBy: tool.pinnedBy,
      changedAt: tool.changedAt,
    })),
  ];
}

async function upstreamTool(preloop: Preloop, accountId: string, name: string): Promise<UpstreamToolRecord> {
  const tool = await preloop.service('mcp').tools.find(accountId, name);
  if (!tool) throw new PreloopError('NOT_FOUND', `No upstream tool named "${name.slice(0, 200)}".`);
  return tool;
}

/**
 * Admin routes for the tool catalog: every tool with its pin status, one
 * upstream tool with its live and pinned definitions and their diff, the
 * approval of a changed (or never approved) definition, and per-tool statistics.
 */
export const mcpToolRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/tools',
    summary: "The MCP tool catalog with each tool's pin status",
    tag,
    access: { role: 'viewer' },
    response: catalogSchema,
    handler: async ({ preloop, principal }): Promise<ToolCatalog> => ({ items: await catalogEntries(preloop, principal!.accountId) }),
  }),
  defineRoute({
    method: 'GET',
    path: '/tools/:name',
    summary: 'An upstream tool: live and pinned definitions, and the diff a re-approval would accept',
    tag,
    access: { role: 'viewer' },
    response: upstreamToolDetailSchema,
    errors: [404],
    handler: async ({ preloop, principal, params }): Promise<UpstreamToolDetail> => {
      const tool = await upstreamTool(preloop, principal!.accountId, params.name!);
      const diff = tool.liveHash === tool.pinnedHash ? null : diffDefinitions(tool.pinnedDefinition, tool.liveDefinition);
      return { ...tool, diff };
    },
  }),
  defineRoute<ApprovePinInput>({
    method: 'POST',
    path: '/tools/:name/approve-pin',
    summary: 'Approve (pin) the live definition of a pending or quarantined upstream tool; name the hash you reviewed',
    tag,
    access: { role: 'admin' },
    body: approvePinBodySchema,
    response: upstreamToolSchema,
    // 409: not pending or quarantined, or the live hash is no longer the one reviewed.
    errors: [404, 409],
    handler: async ({ preloop, principal, params, body }): Promise<UpstreamTool> => {
      const runtime = preloop.service('mcp');
      const tool = await runtime.tools.approvePin(principal!.accountId, params.name!, body.hash, principal!, body.comment);
      await runtime.announce({ accountId: principal!.accountId, kind: 'tools' });
      return tool;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/tools/:name/stats',
    summary: 'Call statistics of one tool: counts by outcome, approvals, latency',
    tag,
    access: { role: 'viewer' },
    response: toolStatsSchema,
    errors: [404],
    handler: async ({ preloop, principal, params }): Promise<ToolStats> => {
      const name = params.name!;
      const accountId = principal!.accountId;
      const known =
        (builtinToolNames as readonly string[]).includes(name) ||
        preloop.tools.some((tool) => tool.name === name) ||
        (await preloop.service('mcp').tools.find(accountId, name)) !== null;
      if (!known) throw new PreloopError('NOT_FOUND', `No tool named "${name.slice(0, 200)}".`);
      return preloop.service('mcp').stats.get(accountId, name);
    },
  }),
];
