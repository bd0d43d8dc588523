import type { Preloop } from '@preloop/core';
import { createToken, governanceBusChannel, type GovernanceSignal } from '@preloop/core/internal';
import { createToolCatalog, type ToolCatalog } from '../catalog/tool-catalog.js';
import { builtinToolNames } from '../builtins/builtin-tools.js';
import { createArgumentValidator, type ArgumentValidator } from '../calls/argument-checks.js';
import { createCallRecorder, type CallRecorder } from '../calls/call-records.js';
import { createUpstreamProxy, type UpstreamProxy } from '../server/upstream-proxy.js';
import { createApprovalOwners, type ApprovalOwners } from '../store/approval-owners.js';
import { createMcpServerStore, type McpServerStore } from '../store/server-store.js';
import { createMcpToolStore, type McpToolStore } from '../store/tool-store.js';
import { createToolStatsStore, type ToolStatsStore } from '../store/tool-stats.js';
import { createUpstreamManager, type UpstreamManager } from '../upstream/upstream-manager.js';
import { createOpenSessionGauge, type OpenSessionGauge } from '../http/session-metrics.js';

/** Options of the `mcp()` plugin. */
export interface McpPluginOptions {
  /** Most connections (MCP sessions) per Streamable HTTP upstream; stdio upstreams get one process. @default 4 */
  maxHttpConnections?: number;
  /** Re-list connected upstreams' tools this often, in ms, to catch changes made without `list_changed`; 0 disables. @default 300000 */
  rescanIntervalMs?: number;
  /** Longest a forwarded tool call may run, progress or not, in ms. @default 600000 */
  maxCallMs?: number;
  /** How often per-tool statistics are written, in ms. @default 1000 */
  statsFlushIntervalMs?: number;
}

/** The Bus channel on which MCP catalog changes reach every instance. */
export const mcpBusChannel = 'mcp';

/** What changed, as the Bus announces it. */
export interface McpSignal {
  accountId: string;
  kind: 'tools' | 'resources' | 'prompts';
}

/** Something that wants to hear about catalog changes (each MCP handler, to notify its sessions). */
export interface McpChangeListener {
  changed(signal: McpSignal): void;
}

/**
 * The shared state of `@preloop/mcp` in one kernel: stores, upstream
 * connections, catalog and records. The `mcp()` plugin's service:
 * `preloop.service('mcp')`.
 */
export interface McpRuntime {
  readonly preloop: Preloop;
  readonly servers: McpServerStore;
  readonly tools: McpToolStore;
  readonly stats: ToolStatsStore;
  readonly owners: ApprovalOwners;
  readonly upstreams: UpstreamManager;
  readonly proxy: UpstreamProxy;
  readonly catalog: ToolCatalog;
  readonly records: CallRecorder;
  readonly validator: ArgumentValidator;
  /** The kernel's `preloop_mcp_sessions_open` gauge, summing every handler's open sessions. */
  readonly sessions: OpenSessionGauge;
  /** Applies a change on this instance at once and announces it to the others (through the Bus). */
  announce(signal: McpSignal): Promise<void>;
  /** Registers a listener; returns the function that removes it. */
  listen(listener: McpChangeListener): () => void;
  close(): Promise<void>;
}

declare module '@preloop/core' {
  interface PreloopServices {
    /** The `@preloop/mcp` runtime of the `mcp()` plugin. */
    mcp: McpRuntime;
  }
}

/**
 * Builds the runtime when the plugin initializes (called by `mcp().init`).
 *
 * @example
 * ```ts
 * const runtime = createMcpRuntime(preloop, {});
 * ```
 */
export function createMcpRuntime(preloop: Preloop, options: McpPluginOptions): McpRuntime {
  const listeners = new Set<McpChangeListener>();
  const servers = createMcpServerStore(preloop);
  // A re-check that quarantines tools of other servers must reach every catalog at once.
  const tools = createMcpToolStore(preloop, servers, { onQuarantine: (accountId) => void announce({ accountId, kind: 'tools' }) });
  const stats = createToolStatsStore(preloop, { flushIntervalMs: options.statsFlushIntervalMs ?? 1000 });
  // This instance applies a change at once; the Bus carries it to the others (and its echo here is ignored).
  const instance = createToken(12);
  const announce = async (signal: McpSignal) => {
    deliver(signal);
    await preloop.bus
      .publish(mcpBusChannel, { ...signal, origin: instance })
      .catch((error) => preloop.logger.warn('mcp: could not announce a change on the Bus', { error }));
  };
  const upstreams = createUpstreamManager({
    audit: preloop.audit,
    servers,
    tools,
    logger: preloop.logger,
    maxHttpConnections: options.maxHttpConnections ?? 4,
    rescanIntervalMs: options.rescanIntervalMs ?? 300_000,
    maxCallMs: options.maxCallMs ?? 600_000,
    listener: {
      toolsChanged: (accountId) => void announce({ accountId, kind: 'tools' }),
      listChanged: (accountId, kind) => void announce({ accountId, kind }),
      resourceUpdated: (serverId, uri) => proxy.resourceUpdated(serverId, uri),
    },
  });
  const proxy = createUpstreamProxy({ servers, upstreams, logger: preloop.logger });
  const catalog = createToolCatalog({ preloop, reserved: builtinToolNames, servers, tools, logger: preloop.logger });
  const deliver = (signal: McpSignal) => {
    if (signal.kind === 'tools') catalog.invalidate(signal.accountId);
    else proxy.invalidate(signal.accountId);
    for (const listener of listeners) listener.changed(signal);
  };
  const unsubscribe = [
    preloop.bus.subscribe(mcpBusChannel, (payload) => {
      const signal = payload as (McpSignal & { origin?: string }) | null;
      if (signal && typeof signal.accountId === 'string' && signal.origin !== instance)
        deliver({ accountId: signal.accountId, kind: signal.kind });
    }),
    // An account's per-account tool sources changed (a tracker connection was created, changed or deleted).
    preloop.toolSources.subscribe((accountId) => {
      if (accountId === undefined) catalog.invalidate();
      else deliver({ accountId, kind: 'tools' });
    }),
    // Policy and kill-switch changes change what each subject may see.
    preloop.bus.subscribe(governanceBusChannel, (payload) => {
      const signal = payload as GovernanceSignal | null;
      if (signal && typeof signal.accountId === 'string')
        for (const listener of listeners) listener.changed({ accountId: signal.accountId, kind: 'tools' });
    }),
  ];
  const records = createCallRecorder(preloop, stats);
  const runtime: McpRuntime = {
    preloop,
    servers,
    tools,
    stats,
    owners: createApprovalOwners(preloop),
    upstreams,
    proxy,
    catalog,
    records,
    validator: createArgumentValidator(preloop.logger),
    sessions: createOpenSessionGauge(preloop),
    announce,
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      for (const stop of unsubscribe) stop();
      listeners.clear();
      await upstreams.close();
      await records.close();
      await stats.close();
    },
  };
  return runtime;
}
