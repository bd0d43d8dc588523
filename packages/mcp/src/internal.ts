/**
 * `@preloop/mcp/internal`: the parts of the `mcp()` plugin's runtime
 * (`preloop.service('mcp')`, an `McpRuntime`) and the Bus channel its
 * instances share. For Preloop's own packages and tests; not part of the
 * public API (they may change in any release). The API reference lists them
 * under this entry because the public `McpRuntime` mentions them.
 *
 * @module
 */

export { mcpBusChannel } from './plugin/mcp-runtime.js';
export type { McpChangeListener, McpSignal } from './plugin/mcp-runtime.js';
export type { McpServerStore } from './store/server-store.js';
export type { McpToolStore } from './store/tool-store.js';
export type { ToolStatsStore } from './store/tool-stats.js';
export type { ApprovalOwners } from './store/approval-owners.js';
export type { UpstreamManager, UpstreamManagerListener, UpstreamManagerOptions } from './upstream/upstream-manager.js';
export type { UpstreamProxy } from './server/upstream-proxy.js';
export type { ToolCatalog } from './catalog/tool-catalog.js';
export type { CallRecorder } from './calls/call-records.js';
export type { ArgumentValidator } from './calls/argument-checks.js';
export type { OpenSessionGauge } from './http/session-metrics.js';
export type { McpServerCredentials } from './store/server-schema.js';
export type { AccountCatalog } from './catalog/tool-catalog.js';
export type { UpstreamPool } from './upstream/upstream-pool.js';
export type { DownstreamBridge, UpstreamConnection, UpstreamLease, UpstreamSignals } from './upstream/upstream-connection.js';
export type { CatalogTool, ToolRunContext, ToolSource } from './calls/tool-types.js';
export type { CallFinishInput, CallRecordInput } from './calls/call-records.js';
export type { ScannedTool } from './store/tool-store.js';
export type { ToolCallSample } from './store/tool-stats.js';
export type { ResourceSubscriber } from './server/upstream-proxy.js';

// The zod schemas the admin routes validate and answer with. `@preloop/mcp/api`
// derives its types from them, so the API reference lists them here for those
// types to link to.
export {
  approvePinBodySchema,
  catalogEntrySchema,
  catalogSchema,
  definitionDiffSchema,
  mcpServerDeletedSchema,
  mcpServerListSchema,
  mcpServerSchema,
  scanReportSchema,
  scanToolOutcomeSchema,
  toolDefinitionSchema,
  toolFlagSchema,
  toolPinStatusSchema,
  toolStatsSchema,
  upstreamPinStatusSchema,
  upstreamToolDetailSchema,
  upstreamToolSchema,
} from './admin/api-schemas.js';
