import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { isCanonicalName, type Logger, type Preloop, type ToolContribution } from '@preloop/core';
import type { CatalogTool } from '../calls/tool-types.js';
import type { McpServerStore } from '../store/server-store.js';
import type { McpToolStore, UpstreamToolRecord } from '../store/tool-store.js';

/** The tools of one account, as the endpoint lists and calls them. */
export interface AccountCatalog {
  /** Callable tools by name (pinned upstream tools and plugin tools; built-ins are added by each handler). */
  readonly tools: ReadonlyMap<string, CatalogTool>;
  /** Upstream tools hidden because their name collides with another tool's (no silent override). */
  readonly conflicts: ReadonlySet<string>;
}

/** Per-account tool catalogs, cached and re-read when something changes. */
export interface ToolCatalog {
  /** The account's catalog (cached). */
  get(accountId: string): Promise<AccountCatalog>;
  /** Drops the cached catalog of `accountId` (every account when omitted). */
  invalidate(accountId?: string): void;
}

function fromContribution(tool: ToolContribution): CatalogTool {
  return {
    name: tool.name,
    source: 'plugin',
    listing: {
      name: tool.name,
      description: tool.description,
      inputSchema: tool.inputSchema as Tool['inputSchema'],
      ...(tool.annotations ? { annotations: tool.annotations as Tool['annotations'] } : {}),
    },
    readOnly: tool.readOnly === true,
    server: null,
    upstreamName: null,
    definitionHash: null,
    run: (args, context) => tool.call(args, { principal: context.principal, signal: context.cancelSignal }),
  };
}

/**
 * Creates the catalog: tools contributed by plugins, and the pinned tools of
 * each account's enabled upstream servers. An upstream tool whose name
 * collides with a built-in, a plugin tool or another upstream tool is hidden
 * (and reported as a conflict); built-in and plugin tools win.
 *
 * @example
 * ```ts
 * const catalog = createToolCatalog({ preloop, reserved: ['ask_user'], servers, tools, logger });
 * const { tools } = await catalog.get(principal.accountId);
 * ```
 */
export function createToolCatalog(options: {
  preloop: Preloop;
  /** Names no upstream tool may take (the built-ins). */
  reserved: readonly string[];
  servers: McpServerStore;
  tools: McpToolStore;
  logger: Logger;
  /** Re-read a cached catalog after this long even without a signal, in ms. @default 30000 */
  ttlMs?: number;
}): ToolCatalog {
  const ttlMs = options.ttlMs ?? 30_000;
  const entries = new Map<string, { value: Promise<AccountCatalog>; loadedAt: number }>();
  const trusted = new Map<string, CatalogTool>();
  const reserved = new Set(options.reserved);
  for (const contribution of options.preloop.tools) {
    if (!isCanonicalName(contribution.name) || trusted.has(contribution.name) || reserved.has(contribution.name)) {
      options.logger.warn(`mcp: plugin tool "${String(contribution.name).slice(0, 100)}" is skipped: its name is not canonical or is taken`);
      continue;
    }
    trusted.set(contribution.name, fromContribution(contribution));
  }

  const load = async (accountId: string): Promise<AccountCatalog> => {
    const servers = new Map((await options.servers.listEnabled(accountId)).map((server) => [server.id, server]));
    const upstream = (await options.tools.list(accountId)).filter((tool) => tool.status === 'pinned' && servers.has(tool.serverId));
    const counts = new Map<string, number>();
    for (const tool of upstream) counts.set(tool.exposedName, (counts.get(tool.exposedName) ?? 0) + 1);
    const tools = new Map(trusted);
    const conflicts = new Set<string>();
    for (const tool of upstream) {
      if (trusted.has(tool.exposedName) || reserved.has(tool.exposedName) || counts.get(tool.exposedName)! > 1) {
        conflicts.add(tool.exposedName);
        continue;
      }
      tools.set(tool.exposedName, fromUpstream(tool, servers.get(tool.serverId)!));
    }
    return { tools, conflicts };
  };

  return {
    get(accountId) {
      const entry = entries.get(accountId);
      if (entry && Date.now() - entry.loadedAt < ttlMs) return entry.value;
      const value = load(accountId);
      entries.set(accountId, { value, loadedAt: Date.now() });
      value.catch(() => entries.delete(accountId));
      return value;
    },
    invalidate(accountId) {
      if (accountId === undefined) entries.clear();
      else entries.delete(accountId);
    },
  };
}

function fromUpstream(tool: UpstreamToolRecord, server: CatalogTool['server'] & object): CatalogTool {
  const { name: _upstreamName, ...definition } = tool.pinnedDefinition!;
  return {
    name: tool.exposedName,
    source: 'upstream',
    listing: { ...(definition as Omit<Tool, 'name'>), name: tool.exposedName },
    readOnly: false,
    server,
    upstreamName: tool.name,
    definitionHash: tool.pinnedHash,
  };
}
