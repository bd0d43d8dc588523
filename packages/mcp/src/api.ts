/**
 * `@preloop/mcp/api`: the types of the MCP plugin's admin API (upstream
 * servers, scans, the tool catalog, pinned definitions, per-tool statistics),
 * derived from the zod schemas its routes validate and answer with. Types
 * only, no run-time code: a browser client imports them with `import type`.
 *
 * @example
 * ```ts
 * import type { CatalogEntry, McpServer } from '@preloop/mcp/api';
 * ```
 *
 * @module
 */
export type {
  ApprovePinInput,
  CatalogEntry,
  CatalogPinStatus,
  DefinitionChange,
  DefinitionDiff,
  McpScanReport,
  McpServer,
  McpServerDeleted,
  McpServerList,
  ScanToolOutcome,
  ToolCatalog,
  ToolDefinition,
  ToolFlag,
  ToolPinStatus,
  ToolStats,
  UpstreamTool,
  UpstreamToolDetail,
} from './admin/api-schemas.js';
export type { McpServerInput, McpServerPatch, McpServerTrust, McpTransportKind } from './store/server-schema.js';
