import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Principal, ToolResult, TraceCarrier } from '@preloop/core';
import type { McpServerRecord } from '../store/server-schema.js';
import type { DownstreamBridge } from '../upstream/upstream-connection.js';

/** What a tool run receives besides its arguments. */
export interface ToolRunContext {
  /** Who is calling (authenticated on this very request). */
  principal: Principal;
  /** Aborted when the client cancels the call (`notifications/cancelled`); a disconnect never aborts it. */
  cancelSignal: AbortSignal;
  /** Aborted when the MCP session is gone: stop waiting, but do not cancel anything. */
  stopSignal: AbortSignal;
  /** Sends a progress notification when the client asked for progress; otherwise a no-op. */
  progress(message: string, extra?: { progress?: number; total?: number }): void;
  /** True when the client supplied a progress token. */
  wantsProgress: boolean;
  /** Where upstream sampling, elicitation and log messages for this call are relayed. */
  bridge: DownstreamBridge;
  /** The MCP session, when there is one (stateful mode). */
  mcpSessionId: string | null;
  /** Told the approval request the call is bound to, once it is created or joined (so another instance can answer a client resuming the call). */
  onApproval?(approvalId: string): void;
  /** The caller's W3C trace context (`_meta.traceparent` of the request, else its HTTP `traceparent` header), for the call's span. */
  trace?: TraceCarrier | null;
}

/** Where a catalog tool comes from. */
export type ToolSource = 'builtin' | 'plugin' | 'upstream';

/** A tool the endpoint can list and call. */
export interface CatalogTool {
  /** The name agents call. */
  name: string;
  source: ToolSource;
  /** Exactly what `tools/list` shows. */
  listing: Tool;
  /** True when the tool's own code marks it read-only (never an upstream hint). */
  readOnly: boolean;
  /** The upstream server, for upstream tools. */
  server: McpServerRecord | null;
  /** The tool's name upstream. */
  upstreamName: string | null;
  /** The pinned definition hash (upstream tools), bound into approvals. */
  definitionHash: string | null;
  /** True when the tool's results are untrusted content (a plugin or tool-source tool marked `untrusted`): they taint the runtime session. */
  untrusted?: boolean;
  /** Runs a built-in or plugin tool. */
  run?(args: Record<string, unknown>, context: ToolRunContext): Promise<ToolResult>;
}
