/**
 * The Node adapter of `@preloop/mcp`: mount the MCP endpoint in Node's `http`,
 * Express or Fastify. Import from `@preloop/mcp/node`.
 *
 * @packageDocumentation
 */
import type { Preloop } from '@preloop/core';
import { toNodeHandler, type NodeHandler, type NodeHandlerOptions } from '@preloop/core/node';
import { createMcpHandler, type McpHandler } from './http/create-mcp-handler.js';
import type { McpHandlerOptions } from './http/handler-options.js';

/** The MCP endpoint as a Node request listener, with its web handler and `close()`. */
export interface NodeMcpHandler extends NodeHandler {
  /** The web-standard handler it adapts. */
  readonly handler: McpHandler;
  /** Closes every MCP session. */
  close(): Promise<void>;
}

/**
 * Creates the MCP endpoint as a Node `http` request listener (also usable by
 * Express and Fastify), on `toNodeHandler` from `@preloop/core/node`. A client
 * that disconnects aborts nothing: pending approvals stay pending.
 *
 * @example
 * ```ts
 * import express from 'express';
 * const app = express();
 * app.all('/mcp', createNodeMcpHandler(preloop, { allowedHosts: ['localhost'] }));
 * ```
 */
export function createNodeMcpHandler(preloop: Preloop, options: McpHandlerOptions & NodeHandlerOptions = {}): NodeMcpHandler {
  const handler = createMcpHandler(preloop, options);
  const listener = toNodeHandler(handler, { trustProxy: options.trustProxy ?? false }) as NodeMcpHandler;
  Object.defineProperty(listener, 'handler', { value: handler });
  listener.close = () => handler.close();
  return listener;
}
