import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger, Preloop, ToolContribution } from '@preloop/core';
import { isCanonicalName } from '@preloop/core/internal';
import type { CatalogTool } from '../calls/tool-types.js';
import type { McpServerStore } from '../store/server-store.js';
import type { McpToolStore, UpstreamToolRecord } from '../store/tool-store.js';

/** The tools of one account, as the endpoint lists and calls them. */
export interface AccountCatalog {
  /** Callable tools by name (pinned upstream tools and plugin tools; built-ins are added by each handler). */
  readonly tools: ReadonlyMap<string, CatalogTool>;
  /** Upstream tools hidden because their name collides with another tool's (no silent override). */
  readonly conflicts: ReadonlySet<string>;
  /**
   * Upstream tools listed under another name, by upstream tool id: their name
   * would become the same as an older tool's once an agent maps `.` to `_`
   * (see {@link agentToolName}), so agents see it with a short hash suffix.
   * Policy, approvals, audit and statistics keep using the tool's own name.
   */
  readonly renamed: ReadonlyMap<string, string>;
  /** The name agents call a renamed tool by → its own name (the key in `tools`). */
  readonly aliases: ReadonlyMap<string, string>;
}

/**
 * The name an agent's tool-name rules make of `name`: Claude Code
 * (`mcp__<server>__<tool>`), Codex and the model APIs accept only letters,
 * digits, `_` and `-`, so every other character (the `.` of `<server>.<tool>`
 * first) becomes `_`. Two tools with the same agent name would be one tool to
 * the agent: one of them would silently disappear.
 *
 * @example
 * ```ts
 * agentToolName('a.x_y') === agentToolName('a_x.y'); // both 'a_x_y'
 * ```
 */
export function agentToolName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * The name an upstream tool is listed under when its own collides with an
 * older tool's agent name: `<name>_<6 hex digits>`, the digits taken from the
 * SHA-256 of its server and upstream name, so every instance and every
 * restart renames it the same way.
 *
 * @example
 * ```ts
 * collisionFreeName('a_x', 'y'); // 'a_x.y_' + 6 hex digits
 * ```
 */
export function collisionFreeName(exposedName: string, serverName: string, upstreamName: string): string {
  return `${exposedName}_${createHash('sha256').update(`${serverName}\u0000${upstreamName}`).digest('hex').slice(0, 6)}`;
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
    untrusted: tool.untrusted === true,
    server: null,
    upstreamName: null,
    definitionHash: null,
    run: (args, context) => tool.call(args, { principal: context.principal, signal: context.cancelSignal }),
  };
}

/**
 * Creates the catalog: tools contributed by plugins, the account's tools from
 * `preloop.toolSources` (tracker connections…), and the pinned tools of
 * each account's enabled upstream servers. An upstream tool whose name
 * equals a built-in's, a plugin tool's or another upstream tool's is hidden
 * (and reported as a conflict); built-in and plugin tools win. One whose name
 * only becomes another's once `.` turns into `_` ({@link agentToolName}) is
 * listed under {@link collisionFreeName} if it is the newer of the two.
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
      options.logger.warn(
        `mcp: plugin tool "${String(contribution.name).slice(0, 100)}" is skipped: its name is not canonical or is taken`,
      );
      continue;
    }
    trusted.set(contribution.name, fromContribution(contribution));
  }

  const reported = new Set<string>();
  const load = async (accountId: string): Promise<AccountCatalog> => {
    const servers = new Map((await options.servers.listEnabled(accountId)).map((server) => [server.id, server]));
    const upstream = (await options.tools.list(accountId)).filter((tool) => tool.status === 'pinned' && servers.has(tool.serverId));
    const counts = new Map<string, number>();
    for (const tool of upstream) counts.set(tool.exposedName, (counts.get(tool.exposedName) ?? 0) + 1);
    const tools = new Map(trusted);
    const conflicts = new Set<string>();
    // Per-account tool sources (tracker connections…) come after plugin tools and before upstream ones; a taken name is a conflict.
    for (const contribution of await options.preloop.toolSources.list(accountId)) {
      const taken = !isCanonicalName(contribution.name) || tools.has(contribution.name) || reserved.has(contribution.name);
      if (taken) conflicts.add(String(contribution.name).slice(0, 256));
      else tools.set(contribution.name, fromContribution(contribution));
    }
    const renamed = new Map<string, string>();
    const aliases = new Map<string, string>();
    // Agent names already taken: built-ins and plugin tools first, then upstream tools, oldest first,
    // so a tool agents already use keeps its name and a newcomer can never take it over.
    const taken = new Set([...reserved, ...tools.keys()].map(agentToolName));
    const oldestFirst = [...upstream].sort(
      (a, b) => a.firstSeenAt - b.firstSeenAt || (a.exposedName < b.exposedName ? -1 : a.exposedName > b.exposedName ? 1 : 0),
    );
    for (const tool of oldestFirst) {
      if (tools.has(tool.exposedName) || reserved.has(tool.exposedName) || counts.get(tool.exposedName)! > 1) {
        conflicts.add(tool.exposedName);
        continue;
      }
      let name = tool.exposedName;
      if (taken.has(agentToolName(name))) {
        name = collisionFreeName(tool.exposedName, tool.serverName, tool.name);
        if (taken.has(agentToolName(name)) || tools.has(name) || !isCanonicalName(name)) {
          conflicts.add(tool.exposedName);
          continue;
        }
        renamed.set(tool.id, name);
        aliases.set(name, tool.exposedName);
        const key = `${accountId}\u0000${tool.id}\u0000${name}`;
        if (!reported.has(key)) {
          reported.add(key);
          options.logger.warn(
            `mcp: tool "${tool.exposedName}" is listed as "${name}": agents that map "." to "_" would confuse it with an older tool (${agentToolName(tool.exposedName)})`,
          );
        }
      }
      taken.add(agentToolName(name));
      tools.set(tool.exposedName, fromUpstream(tool, servers.get(tool.serverId)!, name));
    }
    return { tools, conflicts, renamed, aliases };
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

function fromUpstream(tool: UpstreamToolRecord, server: CatalogTool['server'] & object, listedAs: string): CatalogTool {
  const { name: _upstreamName, ...definition } = tool.pinnedDefinition!;
  return {
    name: tool.exposedName,
    source: 'upstream',
    listing: { ...(definition as Omit<Tool, 'name'>), name: listedAs },
    readOnly: false,
    server,
    upstreamName: tool.name,
    definitionHash: tool.pinnedHash,
  };
}
