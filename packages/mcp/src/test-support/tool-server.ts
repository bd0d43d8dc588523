/**
 * Test support (not exported from the package): a low-level SDK server whose
 * tools can be changed while it runs (for rug-pull tests).
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

/** What a test tool's handler receives. */
export interface TestToolExtra {
  signal: AbortSignal;
  sendProgress(progress: number, total?: number, message?: string): Promise<void>;
}

/** A tool of the test server. */
export interface TestTool extends Tool {
  run(args: Record<string, unknown>, extra: TestToolExtra): Promise<CallToolResult> | CallToolResult;
}

/** The mutable state shared by every session of a test tool server. */
export interface ToolServerState {
  tools: Map<string, TestTool>;
  /** Tool calls executed, in order. */
  calls: Array<{ name: string; args: Record<string, unknown> }>;
  /** Live servers, so a change can be announced with `notifications/tools/list_changed`. */
  servers: Set<Server>;
}

/**
 * Creates the shared state of a test tool server.
 *
 * @example
 * ```ts
 * const state = createToolServerState([echoTool]);
 * ```
 */
export function createToolServerState(tools: TestTool[]): ToolServerState {
  return { tools: new Map(tools.map((tool) => [tool.name, tool])), calls: [], servers: new Set() };
}

/** Announces a tool change to every connected session. */
export async function announceToolsChanged(state: ToolServerState): Promise<void> {
  await Promise.all([...state.servers].map((server) => server.sendToolListChanged().catch(() => {})));
}

/**
 * Creates one session's server over `state`.
 *
 * @example
 * ```ts
 * const upstream = await serveHttpUpstream(() => createToolServer(state));
 * ```
 */
export function createToolServer(state: ToolServerState): Server {
  const server = new Server({ name: 'test-upstream', version: '1.0.0' }, { capabilities: { tools: { listChanged: true }, logging: {} } });
  state.servers.add(server);
  server.onclose = () => state.servers.delete(server);
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [...state.tools.values()].map(({ run: _run, ...tool }) => tool),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = state.tools.get(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Tool ${request.params.name} not found`);
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    state.calls.push({ name: tool.name, args });
    const token = request.params._meta?.progressToken;
    return tool.run(args, {
      signal: extra.signal,
      sendProgress: async (progress, total, message) => {
        if (token === undefined) return;
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress, ...(total ? { total } : {}), ...(message ? { message } : {}) },
        });
      },
    });
  });
  return server;
}

/** A tool that echoes its arguments as JSON text. */
export const echoTool: TestTool = {
  name: 'echo',
  description: 'Echoes its arguments back.',
  inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'], additionalProperties: false },
  run: (args) => ({ content: [{ type: 'text', text: JSON.stringify(args) }] }),
};

/** A tool with a side effect (counted in `state.calls`). */
export const sendEmailTool: TestTool = {
  name: 'send_email',
  description: 'Sends an email.',
  inputSchema: {
    type: 'object',
    properties: { to: { type: 'string' }, subject: { type: 'string' } },
    required: ['to'],
    additionalProperties: false,
  },
  run: (args) => ({ content: [{ type: 'text', text: `sent to ${String(args.to)}` }] }),
};

/** A tool that takes `ms` milliseconds, reporting progress. */
export const slowTool: TestTool = {
  name: 'slow',
  description: 'Waits, reporting progress.',
  inputSchema: { type: 'object', properties: { ms: { type: 'number' } } },
  run: async (args, extra) => {
    const ms = Number(args.ms ?? 100);
    for (let step = 1; step <= 4; step++) {
      await new Promise((resolve) => setTimeout(resolve, ms / 4));
      if (extra.signal.aborted) return { content: [{ type: 'text', text: 'cancelled' }], isError: true };
      await extra.sendProgress(step, 4, `step ${step}`);
    }
    return { content: [{ type: 'text', text: `waited ${ms} ms` }] };
  },
};
