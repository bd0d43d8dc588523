import type { WebHandler } from '@preloop/core/node';

/**
 * Keeps old console links working where a console view's path collides with
 * an endpoint: the MCP servers view was `/mcp`, which is the MCP endpoint. A
 * browser navigation to `/mcp…` (a GET that accepts HTML and not an event
 * stream) is redirected to the view's current path, `/mcp-servers…`; every
 * MCP request goes to `handler` as before.
 *
 * @example
 * ```ts
 * composeHandlers([{ prefix: '/mcp', handler: redirectLegacyConsoleLinks(mcpHandler) }]);
 * ```
 */
export function redirectLegacyConsoleLinks(handler: WebHandler): WebHandler {
  return (request) => {
    const accept = request.headers.get('accept') ?? '';
    if (request.method === 'GET' && accept.includes('text/html') && !accept.includes('text/event-stream')) {
      const url = new URL(request.url);
      if (url.pathname === '/mcp' || url.pathname.startsWith('/mcp/')) {
        return new Response(null, { status: 302, headers: { location: `/mcp-servers${url.pathname.slice('/mcp'.length)}${url.search}` } });
      }
    }
    return handler(request);
  };
}
