/**
 * The admin API shapes of the MCP plugin (`@preloop/mcp`): upstream servers,
 * the tool catalog, pinned definitions and per-tool statistics. Core does not
 * define them; they are kept here rather than imported, because the elements
 * may import types from core only and work against servers without the plugin.
 *
 * @module
 */

/** How Preloop reaches an upstream MCP server. */
export type McpTransport = 'http' | 'stdio';

/** An upstream MCP server. Credentials are write-only: only their names are shown. */
export interface McpServer {
  id: string;
  accountId: string;
  /** Namespaces its tools as `<name>.<tool>`. */
  name: string;
  transport: McpTransport;
  /** For `http`. */
  url: string | null;
  /** For `stdio`. */
  command: string | null;
  args: string[];
  /** Names of the configured headers (values are secret). */
  headerNames: string[];
  /** Names of the configured environment variables (values are secret). */
  envNames: string[];
  namespaced: boolean;
  trustOnFirstUse: boolean;
  enabled: boolean;
  timeoutMs: number;
  /** `api` (admin API) or `config` (the configuration file). */
  source: 'api' | 'config';
  /** `new` until the first scan, then `ok` or `error`. */
  status: 'new' | 'ok' | 'error';
  lastError: string | null;
  lastScanAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** Settings every upstream server has, whatever its transport. */
export interface McpServerSettings {
  /** Letters, digits, `-` or `_`; it namespaces the tools. */
  name: string;
  /** Expose tools as `<name>.<tool>`. @default true */
  namespaced?: boolean;
  /** Pin unflagged tools found by an admin scan without a separate approval. @default true */
  trustOnFirstUse?: boolean;
  /** @default true */
  enabled?: boolean;
  /** Timeout of one upstream request in ms (1 s to 1 h). @default 60000 */
  timeoutMs?: number;
}

/**
 * What `POST /mcp-servers` takes: a Streamable HTTP server (headers sent on every
 * request) or a stdio process (owner only). Header and environment values are
 * stored encrypted and never returned.
 */
export type CreateMcpServerInput =
  | (McpServerSettings & { transport: 'http'; url: string; headers?: Record<string, string> })
  | (McpServerSettings & { transport: 'stdio'; command: string; args?: string[]; env?: Record<string, string> });

/** What `PATCH /mcp-servers/:id` takes: any field but the transport; `headers` and `env` replace the stored ones. */
export interface UpdateMcpServerInput extends Partial<McpServerSettings> {
  url?: string;
  headers?: Record<string, string>;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
}

/** Pin status of a tool: trusted (`builtin`, `plugin`) or an upstream pin state. */
export type ToolPinStatus = 'builtin' | 'plugin' | 'pinned' | 'pending' | 'quarantined' | 'removed' | 'invalid';

/** One row of the tool catalog (`GET /tools`). */
export interface CatalogTool {
  /** The name agents see, for example `github.create_issue`. */
  name: string;
  source: 'builtin' | 'plugin' | 'upstream';
  server: string | null;
  status: ToolPinStatus;
  /** True when agents can list and call it (policy still decides per subject). */
  available: boolean;
  /** True when its name collides with another tool, so it is hidden. */
  conflict: boolean;
  flags: string[];
  description: string | null;
  pinnedHash: string | null;
  liveHash: string | null;
  pinnedAt: number | null;
  pinnedBy: string | null;
  changedAt: number | null;
}

/** An upstream tool with both definitions and their diff (`GET /tools/:name`). */
export interface UpstreamToolDetail {
  id: string;
  serverName: string;
  name: string;
  exposedName: string;
  status: ToolPinStatus;
  liveDefinition: Record<string, unknown>;
  liveHash: string;
  pinnedDefinition: Record<string, unknown> | null;
  pinnedHash: string | null;
  /** What a re-approval would accept; null when live and pinned agree. */
  diff: { changes: Array<{ path: string; kind: 'added' | 'removed' | 'changed'; before?: unknown; after?: unknown }>; text: string } | null;
  [extra: string]: unknown;
}

/** What one scan found (`POST /mcp-servers/:id/scan`). */
export interface McpScanReport {
  server: string;
  /** `admin` scans may pin new tools (trust on first use); `automatic` ones never pin anything. */
  trigger: 'admin' | 'automatic';
  tools: Array<{
    name: string;
    exposedName: string;
    status: ToolPinStatus;
    change: 'new' | 'unchanged' | 'changed' | 'removed' | 'restored';
    /** Signs of tool poisoning found in the definition. */
    flags: string[];
    hash: string;
    problem?: string;
  }>;
  scannedAt: number;
}

/** Call statistics of one tool (`GET /tools/:name/stats`). */
export interface ToolStats {
  tool: string;
  calls: number;
  succeeded: number;
  failed: number;
  denied: number;
  /** Calls still waiting for an approval when they returned (async mode). */
  pending: number;
  /** Calls that asked for or joined an approval. */
  approvals: number;
  averageMs: number | null;
  maxMs: number | null;
  /** How many calls took under 10 ms, 100 ms, 1 s, 10 s, and longer. */
  latency: { under10ms: number; under100ms: number; under1s: number; under10s: number; over10s: number };
  lastCalledAt: number | null;
}
