import type { Principal } from '../identity/principal.js';

/** One piece of a tool result, as in MCP's `CallToolResult.content`. */
export type ToolContent =
  | { type: 'text'; text: string }
  | { type: 'image'; data: string; mimeType: string }
  | { type: 'resource'; resource: { uri: string; text?: string; blob?: string; mimeType?: string } }
  | { type: string; [key: string]: unknown };

/** What a tool returns: MCP's `CallToolResult` shape. */
export interface ToolResult {
  content: ToolContent[];
  structuredContent?: Record<string, unknown>;
  /** True when the tool failed; the model reads the content as the error. */
  isError?: boolean;
}

/** What a tool receives besides its arguments. */
export interface ToolCallContext {
  /** Who is calling. */
  principal: Principal;
  /** Aborted when the call is cancelled. */
  signal: AbortSignal;
}

/**
 * A tool contributed by a plugin (contract version 1). The MCP endpoint lists
 * it and governs every call to it through policy and approvals.
 */
export interface ToolContribution {
  /** Unique name; plugin tools are not namespaced, upstream tools are (`server.tool`). */
  name: string;
  /** What the tool does, shown to the model. */
  description: string;
  /** JSON Schema of the arguments (an object schema). */
  inputSchema: Record<string, unknown>;
  /** True when the tool only reads; the default policy allows read-only tools. @default false */
  readOnly?: boolean;
  /** MCP tool annotations, passed through to `tools/list`. */
  annotations?: Record<string, unknown>;
  /**
   * True when the tool's results carry untrusted content (web pages, inbound
   * mail, issue bodies written by outsiders): a result taints the runtime
   * session that received it, so policy can test `session.tainted`. @default false
   */
  untrusted?: boolean;
  /** Runs the tool. Throwing yields an error result. */
  call(args: Record<string, unknown>, context: ToolCallContext): Promise<ToolResult>;
}
