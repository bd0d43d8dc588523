/**
 * `@preloop/mcp`: the governed, mountable MCP endpoint. Built-in, plugin and
 * upstream MCP tools, listed per subject by policy, called through policy and
 * approvals, with upstream definitions pinned by hash.
 *
 * @packageDocumentation
 */
export { createMcpHandler } from './http/create-mcp-handler.js';
export type { McpHandler } from './http/create-mcp-handler.js';
export type { McpHandlerOptions } from './http/handler-options.js';
export { mcp } from './plugin/mcp-plugin.js';
export type { McpPluginOptions, McpRuntime } from './plugin/mcp-runtime.js';
export { registerConfigServers } from './config/register-config-servers.js';
export type {
  ConfigMcpServer,
  ConfigMcpServerSettings,
  ConfigServerResult,
  RegisterConfigServersOptions,
} from './config/register-config-servers.js';
export { mcpServerInputSchema, mcpServerPatchSchema } from './store/server-schema.js';
export type { McpServerInput, McpServerPatch, McpServerRecord, McpTransportKind } from './store/server-schema.js';
export type { QuarantineReason, ToolPinStatus, UpstreamToolRecord, ScanToolOutcome } from './store/tool-store.js';
export type { ToolStats, ToolCallOutcome } from './store/tool-stats.js';
export type {
  McpTables,
  McpServerTable,
  McpToolTable,
  McpToolStatsTable,
  McpApprovalOwnerTable,
  McpCallStreamTable,
} from './store/mcp-tables.js';
export type { ScanReport } from './upstream/upstream-manager.js';
export type { CatalogEntry } from './admin/tool-routes.js';
export { hashDefinition, diffDefinitions, pinnedPart } from './pinning/tool-definition.js';
export type { ToolDefinition, DefinitionDiff, DefinitionChange } from './pinning/tool-definition.js';
export { toolFlags } from './pinning/poisoning.js';
export type { ToolFlag } from './pinning/poisoning.js';
export { builtinToolNames } from './builtins/builtin-tools.js';
