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
import type {
  ApprovePinInput,
  McpScanReport,
  McpServer,
  McpServerDeleted,
  McpServerList,
  ToolCatalog,
  ToolStats,
  UpstreamTool,
  UpstreamToolDetail,
} from './admin/api-schemas.js';
import type { McpServerInput, McpServerPatch } from './store/server-schema.js';

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

/**
 * Every admin route of the MCP plugin, keyed `METHOD /path` (below `/api/v1`):
 * its body and success response. Error statuses answer core's `ApiError`
 * (`@preloop/core/api`).
 */
export interface McpRoutes {
  'GET /mcp-servers': { response: McpServerList };
  'POST /mcp-servers': { body: McpServerInput; response: McpServer };
  'GET /mcp-servers/:id': { response: McpServer };
  'PATCH /mcp-servers/:id': { body: McpServerPatch; response: McpServer };
  'DELETE /mcp-servers/:id': { response: McpServerDeleted };
  'POST /mcp-servers/:id/scan': { response: McpScanReport };
  'GET /tools': { response: ToolCatalog };
  'GET /tools/:name': { response: UpstreamToolDetail };
  'POST /tools/:name/approve-pin': { body: ApprovePinInput; response: UpstreamTool };
  'GET /tools/:name/stats': { response: ToolStats };
}
