/**
 * The span of an MCP tool call (OpenTelemetry GenAI and MCP conventions):
 * `execute_tool <tool>` with `gen_ai.tool.name`, `mcp.method.name`,
 * `mcp.session.id`; read by core's pipeline only when the kernel's
 * `tracing` is on.
 *
 * @module
 */

import type { GovernedCallRecord, GovernedCallSpan, ToolResult, TraceCarrier } from '@preloop/core';
import type { CatalogTool } from './tool-types.js';

/**
 * Describes a tool call for its span. `name` is the name the agent called; the
 * upstream server and tool name are attributes. Arguments and results are
 * recorded only with `captureContent`.
 *
 * @example
 * ```ts
 * const span = describeToolCallSpan('github.create_issue', 'mcp_…', record, false);
 * ```
 */
export function describeToolCallSpan(
  name: string,
  mcpSessionId: string | null,
  record: GovernedCallRecord<CatalogTool, Record<string, unknown>, ToolResult>,
  captureContent: boolean,
): GovernedCallSpan {
  // Unknown and hidden names are described alike (the span says nothing about which tools exist).
  const known = record.code !== 'not_found' && record.code !== 'hidden' ? record.target : null;
  const failed = record.outcome === 'failed' && record.code === null && record.error === undefined;
  return {
    operation: 'execute_tool',
    target: name,
    errorType: failed ? 'tool_error' : null,
    attributes: {
      'gen_ai.tool.name': name,
      'gen_ai.tool.type': known ? (known.source === 'upstream' ? 'extension' : 'function') : null,
      'mcp.method.name': 'tools/call',
      'mcp.session.id': mcpSessionId,
      'preloop.mcp.server': known?.server?.name ?? null,
      'preloop.approval.id': record.approvalId,
      'preloop.policy.action': record.decision?.action ?? null,
    },
    ...(captureContent && known
      ? { content: { 'gen_ai.tool.call.arguments': record.args, 'gen_ai.tool.call.result': record.result?.content } }
      : {}),
  };
}

const first = (value: unknown): string | null =>
  typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : null;

/**
 * The W3C trace context of a `tools/call`: `params._meta.traceparent` (and
 * `tracestate`) when the client put it there, else the HTTP request's
 * `traceparent` header; null when neither is present.
 *
 * @example
 * ```ts
 * const carrier = traceCarrierOf(request.params?._meta, extra.requestInfo?.headers);
 * ```
 */
export function traceCarrierOf(meta: unknown, headers: Record<string, unknown> | undefined): TraceCarrier | null {
  const fromMeta = meta && typeof meta === 'object' ? (meta as Record<string, unknown>) : null;
  const source = first(fromMeta?.traceparent) ? fromMeta : headers;
  const traceparent = first(source?.traceparent);
  return traceparent ? { traceparent, tracestate: first(source?.tracestate) } : null;
}
