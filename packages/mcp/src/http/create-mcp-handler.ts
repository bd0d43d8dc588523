import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Preloop } from '@preloop/core';
import { createToken, hasCredentialInQuery, toStoreUnavailableError } from '@preloop/core/internal';
import { createBuiltinTools } from '../builtins/builtin-tools.js';
import { createApprovalFlow } from '../calls/approval-flow.js';
import { createToolCaller } from '../calls/call-tool.js';
import type { CatalogTool } from '../calls/tool-types.js';
import { createSessionServer, type SessionServer } from '../server/session-server.js';
import { createCallStreams } from '../store/call-streams.js';
import type { McpHandlerOptions } from './handler-options.js';
import { createMemoryEventStore } from './memory-event-store.js';
import { answerResumedCall, createCallTracking, type ResumedCallDependencies } from './resumed-calls.js';
import {
  createHostMatcher,
  createOriginMatcher,
  jsonRpcErrorResponse,
  loopbackHosts,
  forbiddenScopeResponse,
  onBodyEnd,
  readLimitedBody,
  unauthorizedResponse,
} from './request-guards.js';
import { createSessionRegistry, principalKey, type RegisteredSession } from './session-registry.js';
import { createProtectedResource } from './protected-resource.js';

/** The MCP endpoint: a web-standard handler, plus `close()` for its sessions. */
export interface McpHandler {
  (request: Request): Promise<Response>;
  /** How many MCP sessions are open. */
  sessionCount(): number;
  /** Closes every session (upstream connections belong to the kernel and close with it). */
  close(): Promise<void>;
}

interface HandlerSession extends RegisteredSession {
  id: string;
  transport: WebStandardStreamableHTTPServerTransport;
  mcp: SessionServer;
}

const allowedMethods = 'GET, POST, DELETE, OPTIONS';
const corsRequestHeaders = 'authorization, content-type, accept, mcp-session-id, mcp-protocol-version, last-event-id';
const corsExposedHeaders = 'mcp-session-id, mcp-protocol-version, www-authenticate';

/**
 * Creates the governed MCP endpoint (Streamable HTTP, on the SDK's
 * `WebStandardStreamableHTTPServerTransport`). Every request is checked for its
 * `Host` and `Origin` (DNS rebinding: 403), carries a Bearer API key or runtime
 * credential with the `mcp` audience (else 401 with `WWW-Authenticate`; tokens
 * in the URL are refused), and a body within the limit (else 413). Sessions
 * have unguessable ids bound to the principal that opened them. Tools are the
 * built-ins, plugin tools and pinned upstream tools, listed per subject by
 * policy and called through policy and approvals. Needs the `mcp()` plugin.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({ database: 'sqlite:./preloop.db', secretKey, plugins: [approvals(), mcp()] });
 * const handler = createMcpHandler(preloop, { allowedHosts: ['mcp.example.com'] });
 * // Hono: app.all('/mcp', (c) => handler(c.req.raw));
 * ```
 */
export function createMcpHandler(preloop: Preloop, options: McpHandlerOptions = {}): McpHandler {
  const runtime = preloop.service('mcp');
  const bodyLimit = options.bodyLimitBytes ?? 1_048_576;
  const hostAllowed = createHostMatcher(options.allowedHosts === undefined ? loopbackHosts : options.allowedHosts);
  const originAllowed = createOriginMatcher(options.allowedOrigins ?? [], options.allowLoopbackOrigins !== false);
  const approvalMode = options.approvals?.mode ?? 'wait';
  const flow = createApprovalFlow(
    () => preloop.hooks.approvals,
    runtime.owners,
    {
      mode: approvalMode,
      progressIntervalMs: options.approvals?.progressIntervalMs ?? 10_000,
      claimWaitMs: options.approvals?.claimWaitMs ?? 30_000,
    },
    preloop.logger,
  );
  const builtins = new Map<string, CatalogTool>(
    options.builtinTools === false
      ? []
      : createBuiltinTools({
          preloop,
          flow,
          mode: approvalMode,
          ...(options.approvals?.workflow ? { workflow: options.approvals.workflow } : {}),
        }).map((tool) => [tool.name, tool]),
  );
  const caller = createToolCaller({
    preloop,
    resolve: async (accountId, name) => builtins.get(name) ?? (await runtime.catalog.get(accountId)).tools.get(name) ?? null,
    upstreams: runtime.upstreams,
    flow,
    records: runtime.records,
    validator: runtime.validator,
    approvalMode,
  });
  const serverDependencies = {
    runtime,
    caller,
    builtins,
    serverInfo: options.serverInfo ?? { name: 'preloop', version: '0.1.0' },
    ...(options.instructions ? { instructions: options.instructions } : {}),
  };
  const streams = createCallStreams(preloop);
  const resumption: ResumedCallDependencies = {
    streams,
    caller,
    ownName: async (accountId, name) => (await runtime.catalog.get(accountId)).aliases.get(name) ?? name,
    logger: preloop.logger,
  };
  // Calls recorded by an instance that died and never resumed: forgotten after a day.
  const streamSweep =
    options.resumability === false ? null : setInterval(() => void streams.sweep(Date.now() - 86_400_000).catch(() => {}), 600_000);
  streamSweep?.unref?.();
  const registry = createSessionRegistry<HandlerSession>({
    idleMs: options.sessionIdleTimeoutMs ?? 1_800_000,
    maxPerPrincipal: options.maxSessionsPerPrincipal ?? 100,
  });
  const stopListening = runtime.listen({
    changed(signal) {
      for (const session of registry.all()) {
        if (session.accountId !== signal.accountId) continue;
        const server = session.mcp.server;
        const send =
          signal.kind === 'tools'
            ? server.sendToolListChanged()
            : signal.kind === 'resources'
              ? server.sendResourceListChanged()
              : server.sendPromptListChanged();
        void send.catch(() => {});
      }
    },
  });

  const serverInfo = options.serverInfo ?? { name: 'preloop', version: '0.1.0' };
  const protectedResource = createProtectedResource(preloop, options, serverInfo.name);

  const withCors = (response: Response, origin: string | null): Response => {
    if (origin === null) return response;
    response.headers.set('access-control-allow-origin', origin);
    response.headers.set('access-control-expose-headers', corsExposedHeaders);
    response.headers.append('vary', 'Origin');
    return response;
  };

  async function openSession(request: Request, parsedBody: unknown, authInfo: object, key: string, accountId: string): Promise<Response> {
    const session = { principalKey: key, accountId, lastSeenAt: Date.now(), id: '' } as HandlerSession;
    // Resumable SSE sessions record their calls in flight, so another instance can answer a client resuming one after this instance died.
    const resumable = options.resumability !== false && !options.jsonResponse;
    const mcp = createSessionServer(serverDependencies, resumable ? createCallTracking(streams, session, preloop.logger) : undefined);
    session.mcp = mcp;
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => createToken(32),
      onsessioninitialized: (id) => {
        session.id = id;
        mcp.sessionId = id;
        registry.add(session);
      },
      ...(options.resumability === false ? {} : { eventStore: createMemoryEventStore(), retryInterval: 1000 }),
      ...(options.jsonResponse ? { enableJsonResponse: true } : {}),
    });
    session.transport = transport;
    session.close = async () => {
      registry.remove(session.id);
      await mcp.close();
    };
    transport.onclose = () => registry.remove(session.id);
    try {
      await mcp.server.connect(transport);
      const response = await transport.handleRequest(request, { parsedBody, authInfo: authInfo as never });
      if (!transport.sessionId) await mcp.close();
      return response;
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  async function serveStateless(request: Request, parsedBody: unknown, authInfo: object): Promise<Response> {
    if (request.method !== 'POST')
      return jsonRpcErrorResponse(405, -32000, 'Method not allowed: this endpoint is stateless (POST only).', { allow: 'POST, OPTIONS' });
    const mcp = createSessionServer(serverDependencies);
    const transport = new WebStandardStreamableHTTPServerTransport({ ...(options.jsonResponse ? { enableJsonResponse: true } : {}) });
    await mcp.server.connect(transport);
    const response = await transport.handleRequest(request, { parsedBody, authInfo: authInfo as never });
    if (!response.body) {
      await mcp.close();
      return response;
    }
    return new Response(
      onBodyEnd(response.body, () => void mcp.close()),
      { status: response.status, headers: response.headers },
    );
  }

  async function handle(request: Request): Promise<Response> {
    let host: string | null = request.headers.get('host');
    if (host === null) {
      try {
        host = new URL(request.url).host;
      } catch {
        host = null;
      }
    }
    if (!hostAllowed(host)) return jsonRpcErrorResponse(403, -32000, 'Forbidden: this Host is not allowed (DNS rebinding protection).');
    const origin = request.headers.get('origin');
    if (origin !== null && !originAllowed(origin)) return jsonRpcErrorResponse(403, -32000, 'Forbidden: this Origin is not allowed.');
    if (request.method === 'OPTIONS') {
      return withCors(
        new Response(null, {
          status: 204,
          headers: {
            allow: allowedMethods,
            'access-control-allow-methods': allowedMethods,
            'access-control-allow-headers': corsRequestHeaders,
            'access-control-max-age': '600',
          },
        }),
        origin,
      );
    }
    // OAuth discovery documents (RFC 9728, RFC 8414): public, answered wherever the host routes them to this handler.
    const wellKnown = protectedResource ? await protectedResource.answerWellKnown(request) : null;
    if (wellKnown) return wellKnown;
    if (new URL(request.url).pathname.startsWith('/.well-known/'))
      return jsonRpcErrorResponse(404, -32000, 'Not found: OAuth is not enabled on this MCP endpoint.');
    if (!['GET', 'POST', 'DELETE'].includes(request.method))
      return withCors(jsonRpcErrorResponse(405, -32000, 'Method not allowed.', { allow: allowedMethods }), origin);

    const { pathname } = new URL(request.url);
    const resourceMetadataUrl = options.resourceMetadataUrl ?? protectedResource?.metadataUrlFor(pathname);
    const metadata = resourceMetadataUrl ? { resourceMetadataUrl } : {};
    if (hasCredentialInQuery(request.url)) {
      return withCors(
        unauthorizedResponse({
          error: 'invalid_request',
          description: 'Credentials are accepted only in the Authorization header, never in the URL',
          ...metadata,
        }),
        origin,
      );
    }
    // Cookies never authenticate here (CSRF): a Bearer token is required on every request.
    if (!request.headers.has('authorization'))
      return withCors(unauthorizedResponse({ ...metadata, ...(protectedResource ? { scope: 'mcp' } : {}) }), origin);
    // OAuth access tokens must have been issued for exactly this endpoint (RFC 8707); API keys and runtime credentials ignore it.
    const resource = protectedResource?.resourceFor(pathname);
    const principal = await preloop.authenticate(request, { audience: 'mcp', ...(resource ? { resource } : {}) });
    if (!principal) {
      // With OAuth on, a valid Preloop API key without the `mcp` scope gets 403 insufficient_scope (RFC 6750 §3.1), not 401.
      if (protectedResource && /^bearer\s+plk_/i.test(request.headers.get('authorization') ?? '') && (await preloop.authenticate(request)))
        return withCors(
          forbiddenScopeResponse({ description: 'This credential lacks the "mcp" scope', scope: 'mcp', ...metadata }),
          origin,
        );
      return withCors(
        unauthorizedResponse({
          error: 'invalid_token',
          description: 'The token is missing, invalid, expired, revoked or not for this MCP endpoint',
          ...metadata,
        }),
        origin,
      );
    }
    // The agent's token stops here: handlers and upstreams only ever see the principal.
    const authInfo = { token: '[redacted]', clientId: principal.id, scopes: principal.scopes, extra: { principal } };

    let parsedBody: unknown;
    if (request.method === 'POST') {
      const body = await readLimitedBody(request, bodyLimit);
      // The rest of the body is not read: the connection must not be reused.
      if (!body.ok)
        return withCors(
          jsonRpcErrorResponse(413, -32000, `Payload Too Large: the request body must not exceed ${bodyLimit} bytes.`, {
            connection: 'close',
          }),
          origin,
        );
      try {
        parsedBody = JSON.parse(body.text);
      } catch {
        return withCors(jsonRpcErrorResponse(400, -32700, 'Parse error: invalid JSON.'), origin);
      }
      if (Array.isArray(parsedBody))
        return withCors(
          jsonRpcErrorResponse(400, -32600, 'Invalid Request: JSON-RPC batches are not supported (MCP 2025-06-18 and later).'),
          origin,
        );
      // Valid JSON that is not a JSON-RPC 2.0 message ({"foo":1}, jsonrpc "1.0", a bare number) is an Invalid Request, not a parse error.
      if (!JSONRPCMessageSchema.safeParse(parsedBody).success) {
        return withCors(
          jsonRpcErrorResponse(
            400,
            -32600,
            'Invalid Request: the body must be a JSON-RPC 2.0 request, notification or response ("jsonrpc": "2.0").',
          ),
          origin,
        );
      }
    }

    if (options.stateless) return withCors(await serveStateless(request, parsedBody, authInfo), origin);
    const key = principalKey(principal);
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId === null) {
      if (request.method === 'POST' && isInitializeRequest(parsedBody))
        return withCors(await openSession(request, parsedBody, authInfo, key, principal.accountId), origin);
      return withCors(jsonRpcErrorResponse(400, -32000, 'Bad Request: Mcp-Session-Id header is required.'), origin);
    }
    // Unknown, closed, and someone else's sessions get the same answer.
    const session = registry.find(sessionId, key);
    if (!session) {
      // A client resuming a call's stream after the instance holding its session died: answer the call here.
      const resumed = options.resumability === false ? null : await answerResumedCall(request, principal, key, resumption);
      return withCors(resumed ?? jsonRpcErrorResponse(404, -32001, 'Session not found'), origin);
    }
    session.lastSeenAt = Date.now();
    return withCors(await session.transport.handleRequest(request, { parsedBody, authInfo: authInfo as never }), origin);
  }

  const handler = preloop.metrics.instrument('mcp', async (request: Request) => {
    try {
      return await handle(request);
    } catch (error) {
      // A database that cannot be reached (authentication, sessions) is a 503 with Retry-After naming it, not an opaque 500.
      const unavailable = toStoreUnavailableError(error);
      if (unavailable) {
        preloop.logger.warn('mcp: store unavailable', { store: unavailable.store, reason: unavailable.message });
        return jsonRpcErrorResponse(503, -32000, unavailable.message, { 'retry-after': String(unavailable.retryAfterSeconds) });
      }
      preloop.logger.error('mcp: request failed', { error });
      return jsonRpcErrorResponse(500, -32603, 'Internal error');
    }
  }) as McpHandler;
  handler.sessionCount = () => registry.size();
  const untrackSessions = runtime.sessions.track(() => registry.size());
  handler.close = async () => {
    untrackSessions();
    stopListening();
    if (streamSweep) clearInterval(streamSweep);
    await registry.close();
  };
  return handler;
}
