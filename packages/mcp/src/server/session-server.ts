import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { Protocol, type RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CancelledNotificationSchema,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  LoggingLevelSchema,
  ReadResourceRequestSchema,
  RootsListChangedNotificationSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  ErrorCode,
  type CallToolResult,
  type LoggingLevel,
  type RequestId,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Preloop, Principal } from '@preloop/core';
import { createToken, toStoreUnavailableError, unknownToolReason } from '@preloop/core/internal';
import { z } from 'zod';
import type { ToolCaller } from '../calls/call-tool.js';
import type { CatalogTool, ToolRunContext } from '../calls/tool-types.js';
import { traceCarrierOf } from '../calls/tool-call-span.js';
import type { McpRuntime } from '../plugin/mcp-runtime.js';
import { noRoots } from '../upstream/upstream-connection.js';
import { protocolError, type ProtocolError } from './protocol-error.js';
import type { ResourceSubscriber } from './upstream-proxy.js';

/** How a session server looks up tools and calls them (provided by the handler). */
export interface SessionServerDependencies {
  runtime: McpRuntime;
  caller: ToolCaller;
  /** The handler's built-in tools, by name. */
  builtins: ReadonlyMap<string, CatalogTool>;
  serverInfo: { name: string; version: string };
  instructions?: string;
}

/** A call the session reports on while it runs (see {@link CallTracking}). */
export interface TrackedCall {
  /** The call is bound to approval request `approvalId` (created or joined with the client's `args`). */
  approval(approvalId: string, args: unknown): void;
  /** The call answered (or failed): forget it. */
  end(): void;
}

/** Where a session records its `tools/call` requests in flight (the handler's resumable sessions do). */
export interface CallTracking {
  /** Starts tracking call `requestId`; null when it cannot be resumed elsewhere. */
  start(requestId: RequestId, call: { principal: Principal; name: string; progressToken: string | number | null }): TrackedCall | null;
}

/** One MCP session's SDK server and its per-session state. */
export interface SessionServer {
  readonly server: Server;
  /** The session id once initialized (stateful mode). */
  sessionId: string | null;
  /** Sends resource updates to this session. */
  readonly subscriber: ResourceSubscriber;
  close(): Promise<void>;
}

/**
 * `tools/call` as Preloop accepts it: any `arguments` get through to the
 * governed call path, which checks them itself and answers what is wrong with
 * `-32602` and a readable message (the SDK's own schema would answer `-32603`
 * with a zod dump).
 */
const toolsCallRequestSchema = z.object({
  method: z.literal('tools/call'),
  params: z.looseObject({ name: z.unknown(), arguments: z.unknown().optional(), _meta: z.unknown().optional() }).optional(),
});

const severity = new Map(LoggingLevelSchema.options.map((level, index) => [level, index]));

/** The principal that authenticated the HTTP request carrying this message. */
function principalOf(extra: { authInfo?: { extra?: Record<string, unknown> } }): Principal {
  const principal = extra.authInfo?.extra?.principal as Principal | undefined;
  // The handler authenticates every request before the transport sees it; reaching here without one is a bug.
  if (!principal) throw new Error('unauthenticated MCP message');
  return principal;
}

/**
 * Lists the tools `principal` may see: built-ins, plugin tools and pinned
 * upstream tools that policy leaves visible.
 *
 * @example
 * ```ts
 * const tools = await visibleTools(preloop, runtime, builtins, principal);
 * ```
 */
async function visibleTools(
  preloop: Preloop,
  runtime: McpRuntime,
  builtins: ReadonlyMap<string, CatalogTool>,
  principal: Principal,
): Promise<Tool[]> {
  const { tools } = await runtime.catalog.get(principal.accountId);
  const listed: Tool[] = [];
  for (const tool of [...builtins.values(), ...tools.values()]) {
    if (await preloop.governance.isToolVisible(principal, tool.name)) listed.push(tool.listing);
  }
  return listed;
}

/**
 * Creates the SDK server of one MCP session (or of one request, in stateless
 * mode) with Preloop's handlers: governed `tools/list` and `tools/call`,
 * proxied resources, prompts and completions, per-session log level, and
 * cancellation that is explicit only (`notifications/cancelled`). With
 * `tracking`, each `tools/call` is reported while it runs (see {@link CallTracking}).
 *
 * @example
 * ```ts
 * const session = createSessionServer(dependencies);
 * await session.server.connect(transport);
 * ```
 */
export function createSessionServer(dependencies: SessionServerDependencies, tracking?: CallTracking): SessionServer {
  const { runtime, caller, builtins } = dependencies;
  const { preloop, proxy } = runtime;
  const server = new Server(dependencies.serverInfo, {
    capabilities: {
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {},
    },
    ...(dependencies.instructions ? { instructions: dependencies.instructions } : {}),
  });
  let logLevel: LoggingLevel | null = null;
  // Names this session's roots for upstream connections: which session, and how many times they changed.
  const rootsId = createToken(12);
  let rootsVersion = 0;
  const rootsKey = () => (server.getClientCapabilities()?.roots ? `${rootsId}:${rootsVersion}` : noRoots);
  // Relayed lazily: an upstream that got the old roots is told on this session's next call (see UpstreamConnection.syncRoots).
  server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
    rootsVersion += 1;
  });
  const cancellers = new Map<RequestId, AbortController>();
  const subscriber: ResourceSubscriber = {
    notify: (uri) => void server.sendResourceUpdated({ uri }).catch(() => {}),
  };
  const session: SessionServer = {
    server,
    sessionId: null,
    subscriber,
    async close() {
      proxy.forget(subscriber);
      await server.close().catch(() => {});
    },
  };
  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    logLevel = request.params.level;
    return {};
  });
  // Cancellation is explicit: only this notification cancels (a pending approval too); a dropped connection does not.
  server.setNotificationHandler(CancelledNotificationSchema, async (notification) => {
    const { requestId, reason } = notification.params;
    if (requestId !== undefined) cancellers.get(requestId)?.abort(reason ?? 'cancelled by the client');
    await (server as unknown as { _oncancel?(notification: unknown): Promise<void> })._oncancel?.(notification);
  });

  server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
    try {
      return { tools: await visibleTools(preloop, runtime, builtins, principalOf(extra)) };
    } catch (error) {
      // The database cannot be reached: a JSON-RPC error naming it, never the driver's message (which names hosts).
      const unavailable = toStoreUnavailableError(error);
      throw unavailable ? protocolError(-32000, unavailable.message) : error;
    }
  });

  const callTool = async (
    request: z.infer<typeof toolsCallRequestSchema>,
    extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
  ): Promise<CallToolResult> => {
    const principal = principalOf(extra);
    const name = request.params?.name;
    if (typeof name !== 'string') throw protocolError(ErrorCode.InvalidParams, 'Invalid params: tools/call needs a tool name (a string)');
    const controller = new AbortController();
    cancellers.set(extra.requestId, controller);
    const meta = request.params?._meta as { progressToken?: unknown } | undefined;
    const progressToken =
      typeof meta?.progressToken === 'string' || typeof meta?.progressToken === 'number' ? meta.progressToken : undefined;
    let last = -1;
    const tracked = tracking?.start(extra.requestId, { principal, name, progressToken: progressToken ?? null }) ?? null;
    const context: ToolRunContext = {
      principal,
      cancelSignal: controller.signal,
      stopSignal: extra.signal,
      wantsProgress: progressToken !== undefined,
      mcpSessionId: session.sessionId,
      trace: traceCarrierOf(request.params?._meta, extra.requestInfo?.headers),
      ...(tracked ? { onApproval: (approvalId: string) => tracked.approval(approvalId, request.params?.arguments) } : {}),
      progress(message, values) {
        if (progressToken === undefined) return;
        // Progress must increase: upstream values pass through unless they would go backwards.
        last = values?.progress !== undefined && values.progress > last ? values.progress : last + 1;
        void extra
          .sendNotification({
            method: 'notifications/progress',
            params: {
              progressToken,
              progress: last,
              ...(values?.total !== undefined ? { total: values.total } : {}),
              ...(message ? { message } : {}),
            },
          })
          .catch(() => {});
      },
      bridge: {
        clientCapabilities: () => server.getClientCapabilities(),
        request: (message, schema, signal) => extra.sendRequest(message as never, schema, { signal, timeout: 600_000 }),
        rootsKey,
        log(params) {
          if (logLevel !== null && (severity.get(params.level) ?? 0) < (severity.get(logLevel) ?? 0)) return;
          void extra.sendNotification({ method: 'notifications/message', params }).catch(() => {});
        },
      },
    };
    let ownName: string | undefined;
    try {
      // A tool listed under a collision-free name is governed, recorded and counted under its own name.
      ownName = (await runtime.catalog.get(principal.accountId)).aliases.get(name);
      return await caller.call(ownName ?? name, request.params?.arguments, context);
    } catch (error) {
      // The database cannot be reached (the catalog could not be read): a result the model can read, never the driver's message.
      const unavailable = toStoreUnavailableError(error);
      if (unavailable)
        return { content: [{ type: 'text', text: `The call could not be completed: ${unavailable.message}` }], isError: true };
      // Hidden and unknown tools answer alike, naming what the client called.
      if (ownName && (error as ProtocolError).code === ErrorCode.InvalidParams && (error as Error).message === unknownToolReason(ownName)) {
        throw protocolError(ErrorCode.InvalidParams, unknownToolReason(name));
      }
      throw error;
    } finally {
      cancellers.delete(extra.requestId);
      tracked?.end();
    }
  };
  // The SDK's Server validates tools/call with its schema before any handler runs (a non-object `arguments`
  // becomes -32603 with the zod text); registered at the protocol level, the call path answers it instead.
  Protocol.prototype.setRequestHandler.call(server, toolsCallRequestSchema as never, callTool as never);

  server.setRequestHandler(ListResourcesRequestSchema, async (_request, extra) => ({
    resources: await proxy.listResources(principalOf(extra).accountId),
  }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async (_request, extra) => ({
    resourceTemplates: await proxy.listResourceTemplates(principalOf(extra).accountId),
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const principal = principalOf(extra);
    const result = await proxy.readResource(principal.accountId, request.params.uri);
    runtime.records.access(principal, 'mcp.resource.read', request.params.uri, session.sessionId);
    return result;
  });
  server.setRequestHandler(SubscribeRequestSchema, async (request, extra) => {
    await proxy.subscribe(principalOf(extra).accountId, request.params.uri, subscriber);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request, extra) => {
    await proxy.unsubscribe(principalOf(extra).accountId, request.params.uri, subscriber);
    return {};
  });
  server.setRequestHandler(ListPromptsRequestSchema, async (_request, extra) => ({
    prompts: await proxy.listPrompts(principalOf(extra).accountId),
  }));
  server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
    const principal = principalOf(extra);
    const result = await proxy.getPrompt(principal.accountId, request.params.name, request.params.arguments);
    runtime.records.access(principal, 'mcp.prompt.get', request.params.name, session.sessionId);
    return result;
  });
  server.setRequestHandler(CompleteRequestSchema, async (request, extra) => proxy.complete(principalOf(extra).accountId, request.params));

  return session;
}
