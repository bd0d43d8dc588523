/**
 * Test support (not exported from the package): serves SDK MCP servers over
 * Streamable HTTP on a real loopback port, recording every request it gets.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { serve } from '@preloop/core/node';

/** One HTTP request the upstream received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A running test upstream. */
export interface HttpUpstream {
  /** The MCP endpoint URL. */
  url: string;
  /** The bound port (pass it as `port` to start a "restarted" upstream at the same URL). */
  port: number;
  /** Every request received, headers and body included (for the passthrough canary). */
  requests: RecordedRequest[];
  /** The live per-session servers. */
  servers: Set<Server>;
  close(): Promise<void>;
}

/**
 * Serves `createServer()` (one SDK server per MCP session) at `/mcp` on a free loopback port.
 *
 * @example
 * ```ts
 * const upstream = await serveHttpUpstream(() => createToolServer(state));
 * ```
 */
export async function serveHttpUpstream(
  createServer: () => Server,
  options: { stateless?: boolean; port?: number } = {},
): Promise<HttpUpstream> {
  const requests: RecordedRequest[] = [];
  const servers = new Set<Server>();
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const running = await serve({
    port: options.port ?? 0,
    handler: async (request) => {
      const body = request.method === 'POST' ? await request.text() : '';
      requests.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body });
      const parsedBody = body ? JSON.parse(body) : undefined;
      const sessionId = request.headers.get('mcp-session-id');
      if (options.stateless) {
        const server = createServer();
        const transport = new WebStandardStreamableHTTPServerTransport({});
        await server.connect(transport);
        return transport.handleRequest(request, { parsedBody });
      }
      if (sessionId) {
        const transport = transports.get(sessionId);
        if (!transport)
          return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }), {
            status: 404,
          });
        return transport.handleRequest(request, { parsedBody });
      }
      if (!isInitializeRequest(parsedBody)) return new Response('missing session', { status: 400 });
      const server = createServer();
      servers.add(server);
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (id) => void transports.set(id, transport),
        onsessionclosed: (id) => void transports.delete(id),
      });
      transport.onclose = () => servers.delete(server);
      await server.connect(transport);
      return transport.handleRequest(request, { parsedBody });
    },
  });
  return {
    url: `${running.url}/mcp`,
    port: running.port,
    requests,
    servers,
    async close() {
      await Promise.all([...servers].map((server) => server.close().catch(() => {})));
      await running.close();
    },
  };
}
