import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, type CallToolResult, type Progress, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { isPreloopError, PreloopError, type AuditRecordInput, type Logger, type Preloop } from '@preloop/core';
import { isCanonicalName, redactString } from '@preloop/core/internal';
import { toolFlags } from '../pinning/poisoning.js';
import { definitionProblem, hashDefinition, pinnedPart, type ToolDefinition } from '../pinning/tool-definition.js';
import type { McpServerRecord } from '../store/server-schema.js';
import type { McpServerStore } from '../store/server-store.js';
import { exposedName, type McpToolStore, type ScannedTool, type ScanToolOutcome } from '../store/tool-store.js';
import { connectUpstream, isSessionLost, type DownstreamBridge } from './upstream-connection.js';
import { createUpstreamPool, type UpstreamPool } from './upstream-pool.js';
import { auditScan } from './scan-audit.js';

type Actor = AuditRecordInput['actor'];

/** What a scan found and did. */
export interface ScanReport {
  server: string;
  /** `admin` scans may pin new tools (trust on first use); `automatic` ones never pin anything. */
  trigger: 'admin' | 'automatic';
  tools: ScanToolOutcome[];
  /** Epoch ms. */
  scannedAt: number;
}

/** Where the manager reports what changed. */
export interface UpstreamManagerListener {
  /** A scan changed the account's upstream tools (the catalog must be re-read). */
  toolsChanged(accountId: string): void;
  /** An upstream announced that its resources or prompts changed. */
  listChanged(accountId: string, kind: 'resources' | 'prompts'): void;
  /** An upstream announced that a subscribed resource changed. */
  resourceUpdated(serverId: string, uri: string): void;
}

/** Options of {@link createUpstreamManager}. */
export interface UpstreamManagerOptions {
  /** Where scans are audited. */
  audit: Preloop['audit'];
  servers: McpServerStore;
  tools: McpToolStore;
  listener: UpstreamManagerListener;
  logger: Logger;
  /** Most connections per Streamable HTTP upstream. @default 4 */
  maxHttpConnections?: number;
  /** Re-list every connected upstream's tools this often, in ms, so a definition changed without `list_changed` is caught; 0 disables. @default 300000 */
  rescanIntervalMs?: number;
  /** Longest a tool call may run in total, progress or not, in ms. @default 600000 */
  maxCallMs?: number;
}

/** Connections to upstream servers, scans, and forwarded calls. */
export interface UpstreamManager {
  /** The connection pool of `server` (made on first use; remade when the server's configuration changed). */
  pool(server: McpServerRecord): UpstreamPool;
  /** The first connection of `server`. */
  primary(server: McpServerRecord): Promise<Client>;
  /** Runs `use` on the first connection; when the upstream forgot that session (404), once more on a new one. */
  withPrimary<T>(server: McpServerRecord, use: (client: Client) => Promise<T>): Promise<T>;
  /** Lists the server's tools and applies the pins (see `McpToolStore.applyScan`). Scans of one server never overlap. */
  scan(server: McpServerRecord, options: { trigger: 'admin' | 'automatic'; actor: Actor }): Promise<ScanReport>;
  /**
   * Forwards a tool call on a leased connection; `signal` cancels it upstream.
   * A call on a connection whose tools were not yet re-checked (the first
   * connection, or a new session after the upstream lost the old one) waits for
   * that scan, and is refused when the tool is no longer pinned. A call the
   * upstream refused because it forgot the session is sent again on a new one.
   */
  callTool(
    server: McpServerRecord,
    name: string,
    args: Record<string, unknown>,
    options: { bridge: DownstreamBridge | null; signal: AbortSignal; onprogress?: (progress: Progress) => void },
  ): Promise<CallToolResult>;
  /** Closes the connections of one server (after a change or removal). */
  disconnect(serverId: string): Promise<void>;
  close(): Promise<void>;
}

const systemActor: Actor = { type: 'system', name: 'mcp' };

/** Lists every page of a server's tools (at most 50 pages and 2000 tools). */
async function listAllTools(client: Client, timeout: number): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50 && tools.length < 2000; page++) {
    const result = await client.listTools(cursor === undefined ? undefined : { cursor }, { timeout });
    tools.push(...result.tools);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return tools;
}

/**
 * Creates the upstream manager.
 *
 * @example
 * ```ts
 * const upstreams = createUpstreamManager({ audit: preloop.audit, servers, tools, listener, logger: preloop.logger });
 * const report = await upstreams.scan(server, { trigger: 'admin', actor: principal });
 * ```
 */
export function createUpstreamManager(options: UpstreamManagerOptions): UpstreamManager {
  const { servers, tools, listener, logger, audit: preloopAudit } = options;
  const pools = new Map<string, { signature: string; pool: UpstreamPool; server: McpServerRecord }>();
  const scans = new Map<string, Promise<unknown>>();
  const debounce = new Map<string, NodeJS.Timeout>();
  /** Connections whose tools a scan has listed and checked against the pins. */
  const verified = new WeakSet<Client>();
  /** The re-check calls on a new connection wait for (one per connection, however many calls arrive). */
  const verifying = new WeakMap<Client, Promise<unknown>>();
  /** Servers whose connection was lost (or whose last scan failed): the periodic rescan retries them even with no connection open. */
  const unhealthy = new Set<string>();
  const maxCallMs = options.maxCallMs ?? 600_000;
  let closed = false;

  const automaticScan = (serverId: string, unlessVerified?: Client) => {
    clearTimeout(debounce.get(serverId));
    const timer = setTimeout(() => {
      debounce.delete(serverId);
      const entry = pools.get(serverId);
      if (!entry || closed || (unlessVerified && verified.has(unlessVerified))) return;
      manager
        .scan(entry.server, { trigger: 'automatic', actor: systemActor })
        .catch((error) => logger.warn(`mcp: automatic scan of "${entry.server.name}" failed`, { error }));
    }, 100);
    timer.unref?.();
    debounce.set(serverId, timer);
  };

  const rescanner =
    (options.rescanIntervalMs ?? 300_000) > 0
      ? setInterval(() => {
          for (const entry of pools.values()) if (entry.pool.size() > 0 || unhealthy.has(entry.server.id)) automaticScan(entry.server.id);
        }, options.rescanIntervalMs ?? 300_000)
      : null;
  rescanner?.unref?.();

  /**
   * Waits until the connection a call leased has been re-checked by a scan
   * listing the tools on that very connection (one scan per connection, however
   * many calls wait), then refuses the call if that scan left the tool anything
   * but pinned (a rug pull across a restart).
   */
  const verifiedBeforeCall = async (server: McpServerRecord, client: Client, name: string): Promise<void> => {
    if (verified.has(client)) return;
    let check = verifying.get(client);
    if (!check) {
      check = runScan(server, 'automatic', systemActor, client);
      verifying.set(client, check);
      // A failed check is not remembered: the next call tries again.
      check.catch(() => verifying.delete(client));
    }
    await check;
    const tool = (await tools.list(server.accountId)).find((candidate) => candidate.serverId === server.id && candidate.name === name);
    if (tool?.status !== 'pinned') {
      throw new PreloopError(
        'CONFLICT',
        `Tool "${tool?.exposedName ?? name}" is ${tool?.status ?? 'gone'} after MCP server "${server.name}" reconnected${tool?.status === 'quarantined' ? ' (its definition changed; an admin must re-approve it)' : ''}; the call was not run.`,
      );
    }
  };

  /** Scans `server`, listing its tools on `via` when given (a connection to re-check), else on its first connection. */
  const runScan = (server: McpServerRecord, trigger: ScanReport['trigger'], actor: Actor, via?: Client): Promise<ScanReport> => {
    const previous = scans.get(server.id) ?? Promise.resolve();
    const run = previous
      .catch(() => {})
      .then(async (): Promise<ScanReport> => {
        const scannedAt = Date.now();
        let live: Tool[];
        let client: Client | undefined;
        try {
          live = via
            ? await listAllTools((client = via), server.timeoutMs)
            : await manager.withPrimary(server, async (primary) => listAllTools((client = primary), server.timeoutMs));
        } catch (error) {
          const message = redactString((error as Error)?.message ?? String(error)).slice(0, 500);
          unhealthy.add(server.id);
          await servers.setScanState(server.id, 'error', message);
          if (trigger === 'admin') await auditScan(preloopAudit, server, actor, { trigger, error: message });
          throw new PreloopError('UPSTREAM_ERROR', `Could not list the tools of MCP server "${server.name}": ${message}`, { cause: error });
        }
        const others = (await tools.list(server.accountId))
          .filter((tool) => tool.serverId !== server.id)
          .flatMap((tool) => [tool.name, tool.exposedName]);
        const scanned: ScannedTool[] = live.map((tool) => {
          const definition = pinnedPart(tool as ToolDefinition);
          const problem =
            !isCanonicalName(tool.name) || !isCanonicalName(exposedName(server, tool.name))
              ? 'the tool name must be 1-256 printable ASCII characters without spaces'
              : definitionProblem(definition);
          return {
            definition,
            hash: hashDefinition(definition),
            flags: problem ? [problem.startsWith('the tool name') ? 'invalid-name' : 'invalid-definition'] : toolFlags(definition, others),
            problem,
          };
        });
        const outcomes = await tools.applyScan(server, scanned, { trust: trigger === 'admin', actor });
        verified.add(client!);
        unhealthy.delete(server.id);
        const changed = outcomes.some((outcome) => outcome.change !== 'unchanged');
        // Re-read the catalog at once: a quarantine must take effect before anything else happens.
        if (changed || trigger === 'admin') listener.toolsChanged(server.accountId);
        await servers.setScanState(server.id, 'ok', null);
        if (trigger === 'admin' || changed) await auditScan(preloopAudit, server, actor, { trigger, outcomes });
        return { server: server.name, trigger, tools: outcomes, scannedAt };
      });
    scans.set(server.id, run);
    void run
      .finally(() => {
        if (scans.get(server.id) === run) scans.delete(server.id);
      })
      .catch(() => {});
    return run;
  };

  const manager: UpstreamManager = {
    pool(server) {
      const signature = `${server.updatedAt}:${server.transport}:${server.url ?? server.command}`;
      const existing = pools.get(server.id);
      if (existing && existing.signature === signature) return existing.pool;
      if (existing) void existing.pool.close();
      const signals = {
        toolsChanged: () => automaticScan(server.id),
        resourcesChanged: () => listener.listChanged(server.accountId, 'resources'),
        promptsChanged: () => listener.listChanged(server.accountId, 'prompts'),
        resourceUpdated: (uri: string) => listener.resourceUpdated(server.id, uri),
        // The upstream restarted or forgot the session: reconnect and re-check the pins now, not at the next call.
        connectionLost: () => {
          unhealthy.add(server.id);
          automaticScan(server.id);
        },
      };
      const pool = createUpstreamPool({
        maxConnections: server.transport === 'http' ? (options.maxHttpConnections ?? 4) : 1,
        connect: async () =>
          connectUpstream(server, await servers.credentials(server), signals, { logger, timeoutMs: Math.min(server.timeoutMs, 30_000) }),
        // A new (or restarted) upstream may have changed since the last scan: re-check its definitions
        // (calls wait for that check; this covers a connection no call is waiting on).
        onPrimaryConnected: (client) => automaticScan(server.id, client),
      });
      pools.set(server.id, { signature, pool, server });
      return pool;
    },

    async primary(server) {
      return manager.pool(server).primary();
    },

    async withPrimary(server, use) {
      try {
        return await use(await manager.primary(server));
      } catch (error) {
        // The upstream restarted: the lost connection is closed already, so this opens a new session.
        if (!isSessionLost(error)) throw error;
        return use(await manager.primary(server));
      }
    },

    scan(server, { trigger, actor }) {
      return runScan(server, trigger, actor);
    },

    async callTool(server, name, args, { bridge, signal, onprogress }) {
      const pool = manager.pool(server);
      // Each lost session closes one connection; a restarted upstream has lost them all, so allow one try per connection.
      for (let attempt = 0; ; attempt++) {
        try {
          return (await pool.withConnection(bridge, async (client, connection) => {
            await verifiedBeforeCall(server, client, name);
            // An upstream that keeps roots learns this caller's before the call.
            await connection.syncRoots(bridge);
            return client.request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema, {
              signal,
              timeout: server.timeoutMs,
              resetTimeoutOnProgress: true,
              maxTotalTimeout: maxCallMs,
              ...(onprogress ? { onprogress } : {}),
            });
          })) as CallToolResult;
        } catch (error) {
          // A 404 on the session means the upstream never processed the call: it is safe to send it again.
          if (isSessionLost(error) && attempt < (options.maxHttpConnections ?? 4) && !signal.aborted) continue;
          if (pool.size() === 0 && !isPreloopError(error)) {
            // No connection is left: the upstream is unreachable. Say so on the server until a scan succeeds.
            unhealthy.add(server.id);
            await servers
              .setScanState(server.id, 'error', redactString((error as Error)?.message ?? String(error)).slice(0, 500))
              .catch(() => {});
          }
          throw error;
        }
      }
    },

    async disconnect(serverId) {
      const entry = pools.get(serverId);
      pools.delete(serverId);
      await entry?.pool.close();
    },

    async close() {
      closed = true;
      if (rescanner) clearInterval(rescanner);
      for (const timer of debounce.values()) clearTimeout(timer);
      await Promise.allSettled([...scans.values()]);
      await Promise.all([...pools.values()].map((entry) => entry.pool.close()));
      pools.clear();
    },
  };
  return manager;
}
