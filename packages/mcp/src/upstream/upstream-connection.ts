import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  CreateMessageResultSchema,
  CreateMessageResultWithToolsSchema,
  ElicitRequestSchema,
  ElicitResultSchema,
  ErrorCode,
  ListRootsRequestSchema,
  ListRootsResultSchema,
  LoggingMessageNotificationSchema,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type ClientCapabilities,
  type ListRootsResult,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '@preloop/core';
import type { McpServerCredentials, McpServerRecord } from '../store/server-schema.js';

/**
 * The downstream side of one governed call: where server-to-client requests
 * (sampling, elicitation) and log messages that an upstream sends during the
 * call are relayed. Only the calling session's client ever sees them.
 */
export interface DownstreamBridge {
  /** The downstream client's declared capabilities. */
  clientCapabilities(): ClientCapabilities | undefined;
  /** Relays a server-to-client request to the downstream client, on the call's stream. */
  request(
    request: { method: string; params?: Record<string, unknown> },
    resultSchema:
      | typeof ElicitResultSchema
      | typeof CreateMessageResultSchema
      | typeof CreateMessageResultWithToolsSchema
      | typeof ListRootsResultSchema,
    signal: AbortSignal,
  ): Promise<unknown>;
  /**
   * Names the roots the downstream session has now (its session and how many
   * times it announced `roots/list_changed`); {@link noRoots} for a client
   * without the `roots` capability.
   */
  rootsKey(): string;
  /** Relays a log message when the session's log level lets it through. */
  log(params: LoggingMessageNotification['params']): void;
}

/** What an upstream announces to every session (not to one call). */
export interface UpstreamSignals {
  toolsChanged(): void;
  resourcesChanged(): void;
  promptsChanged(): void;
  resourceUpdated(uri: string): void;
  /** The connection is gone (the upstream forgot its session, or cannot be reached): it is closed, a new one must be made and re-checked. */
  connectionLost(): void;
}

/**
 * True when `error` says the upstream no longer knows the MCP session (HTTP 404
 * on a request that carried `Mcp-Session-Id`). The spec says the client must
 * then start a new session; the request was not processed, so it may be sent again.
 *
 * @example
 * ```ts
 * if (isSessionLost(error)) retryOnANewSession();
 * ```
 */
export function isSessionLost(error: unknown): boolean {
  return error instanceof StreamableHTTPError && error.code === 404;
}

/** True when `error` is a network failure reaching the upstream (no HTTP answer at all). */
function isUnreachable(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}

/** One call's use of a connection. */
export interface UpstreamLease {
  /** Where the upstream's requests and logs for this call go; null for calls with nobody to relay to. */
  bridge: DownstreamBridge | null;
}

/** The roots key of a client without roots (and of answers given outside any call): an empty list. */
export const noRoots = 'none';

/**
 * How long a call waits for an upstream told `roots/list_changed` to ask for the roots again, in ms.
 * An upstream that once let this pass without asking is not waited for again on that connection
 * (it keeps roots without following changes), so only upstreams that re-read roots pay for it.
 */
const rootsResyncMs = 5000;

/** One SDK client connected to an upstream server, with the calls it currently carries. */
export interface UpstreamConnection {
  readonly client: Client;
  /**
   * Before a call: when this upstream has asked for roots before (it may keep
   * them) and last got another session's, tells it `roots/list_changed` and
   * waits (up to five seconds, and only while it has followed such changes on
   * this connection) until it has asked again and taken the answer in.
   */
  syncRoots(bridge: DownstreamBridge | null): Promise<void>;
  /** The calls using this connection; their bridge receives what the upstream sends them. */
  readonly leases: Set<UpstreamLease>;
  /** Epoch ms of the last lease release. */
  lastUsedAt: number;
  readonly closed: boolean;
  close(): Promise<void>;
}

/** The capabilities Preloop declares to upstream servers: it relays sampling and elicitation to the calling client. */
export const upstreamClientCapabilities: ClientCapabilities = {
  sampling: {},
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
};

function relayTarget(connection: { leases: Set<UpstreamLease> }): DownstreamBridge | null {
  // Only an unambiguous connection relays: with several calls sharing it, nobody can tell whose request it is.
  if (connection.leases.size !== 1) return null;
  return [...connection.leases][0]?.bridge ?? null;
}

const linked = new WeakMap<AbortSignal, { refs: Set<WeakRef<AbortController>>; pruneAt: number }>();
const owner = Symbol('preloop.abortController');

/**
 * `fetch` for upstream transports. The SDK hands one long-lived abort signal
 * (the connection's) to every request; undici then keeps a listener per request
 * on it until the request is garbage-collected, so on a busy connection every
 * new request pays for all the old ones (and Node warns of a leak). Here each
 * request gets its own signal instead, and the connection's signal aborts the
 * live ones through a single listener.
 */
const fetchWithOwnSignal: typeof fetch = (input, init) => {
  const shared = init?.signal;
  if (!shared || shared.aborted) return fetch(input, init);
  let live = linked.get(shared);
  if (!live) {
    const entry = { refs: new Set<WeakRef<AbortController>>(), pruneAt: 256 };
    linked.set(shared, (live = entry));
    shared.addEventListener(
      'abort',
      () => {
        for (const ref of entry.refs) ref.deref()?.abort(shared.reason);
        entry.refs.clear();
      },
      { once: true },
    );
  }
  const controller = new AbortController();
  // The request holds its signal; the signal holds the controller, so it lives exactly as long as the request.
  (controller.signal as unknown as Record<symbol, AbortController>)[owner] = controller;
  live.refs.add(new WeakRef(controller));
  if (live.refs.size >= live.pruneAt) {
    for (const ref of live.refs) if (!ref.deref()) live.refs.delete(ref);
    live.pruneAt = Math.max(256, live.refs.size * 2);
  }
  return fetch(input, { ...init, signal: controller.signal });
};

function createTransport(server: McpServerRecord, credentials: McpServerCredentials, logger: Logger): Transport {
  if (server.transport === 'http') {
    // Only the server's own configured headers go upstream: the agent's token never does.
    return new StreamableHTTPClientTransport(new URL(server.url!), {
      requestInit: { headers: { ...credentials.headers } },
      fetch: fetchWithOwnSignal,
    });
  }
  const transport = new StdioClientTransport({
    command: server.command!,
    args: server.args,
    // A minimal safe environment plus the configured variables: the kernel's own environment (secret key, database URL) never leaks.
    env: { ...getDefaultEnvironment(), ...credentials.env },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) =>
    logger.debug(`mcp upstream "${server.name}" stderr`, { text: chunk.toString('utf8').slice(0, 2000) }),
  );
  return transport;
}

/**
 * Connects an SDK client to an upstream server over Streamable HTTP or stdio,
 * relaying sampling, elicitation and log messages to the one call using the
 * connection, and list/resource change notifications to `signals`.
 *
 * @example
 * ```ts
 * const connection = await connectUpstream(server, credentials, signals, { logger, timeoutMs: 30_000 });
 * const { tools } = await connection.client.listTools();
 * ```
 */
export async function connectUpstream(
  server: McpServerRecord,
  credentials: McpServerCredentials,
  signals: UpstreamSignals,
  options: { logger: Logger; timeoutMs: number; clientName?: string },
): Promise<UpstreamConnection> {
  const client = new Client({ name: options.clientName ?? 'preloop', version: '0.1.0' }, { capabilities: upstreamClientCapabilities });
  let closed = false;
  let closing = false;
  /** Whose roots the upstream got last (undefined: it never asked). */
  let rootsGiven: string | undefined;
  let rootsAnswered: (() => void) | null = null;
  /** False once the upstream let a `roots/list_changed` pass without asking again. */
  let followsRootsChanges = true;
  const connection: UpstreamConnection = {
    client,
    async syncRoots(bridge) {
      const key = bridge?.rootsKey() ?? noRoots;
      if (rootsGiven === undefined || rootsGiven === key || closed) return;
      if (!followsRootsChanges) {
        await client.sendRootsListChanged();
        return;
      }
      const answered = new Promise<boolean>((resolve) => {
        rootsAnswered = () => resolve(true);
        setTimeout(() => resolve(false), rootsResyncMs).unref?.();
      });
      await client.sendRootsListChanged();
      followsRootsChanges = await answered;
      rootsAnswered = null;
      // A round trip after the answer: the upstream has read it (and stored the roots) before the call arrives.
      await client.ping({ timeout: rootsResyncMs }).catch(() => {});
    },
    leases: new Set(),
    lastUsedAt: Date.now(),
    get closed() {
      return closed;
    },
    async close() {
      closed = true;
      if (closing) return;
      closing = true;
      await client.close().catch(() => {});
    },
  };

  const relay = (capability: 'sampling' | 'elicitation', mode?: string) => {
    const target = relayTarget(connection);
    const capabilities = target?.clientCapabilities();
    const supported =
      capability === 'sampling' ? capabilities?.sampling : mode === 'url' ? capabilities?.elicitation?.url : capabilities?.elicitation;
    if (!target || !supported) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        target
          ? `The MCP client does not support ${capability}${mode === 'url' ? ' (url mode)' : ''}.`
          : `Preloop cannot tell which client this ${capability} request is for.`,
      );
    }
    return target;
  };
  client.setRequestHandler(CreateMessageRequestSchema, async (request, extra) => {
    const target = relay('sampling');
    const schema = request.params.tools ? CreateMessageResultWithToolsSchema : CreateMessageResultSchema;
    return (await target.request(
      { method: request.method, params: request.params as Record<string, unknown> },
      schema,
      extra.signal,
    )) as never;
  });
  client.setRequestHandler(ElicitRequestSchema, async (request, extra) => {
    const target = relay('elicitation', (request.params as { mode?: string }).mode);
    return (await target.request(
      { method: request.method, params: request.params as Record<string, unknown> },
      ElicitResultSchema,
      extra.signal,
    )) as never;
  });
  // Roots are the calling session's, relayed during its call; outside a call (or with several calls sharing
  // the connection) nobody can tell whose they are, so the answer is an empty list.
  client.setRequestHandler(ListRootsRequestSchema, async (_request, extra): Promise<ListRootsResult> => {
    const target = relayTarget(connection);
    const relayed = target?.clientCapabilities()?.roots ? target : null;
    const result = relayed
      ? ((await relayed.request({ method: 'roots/list' }, ListRootsResultSchema, extra.signal)) as ListRootsResult)
      : { roots: [] };
    rootsGiven = relayed ? relayed.rootsKey() : noRoots;
    rootsAnswered?.();
    return result;
  });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => relayTarget(connection)?.log(notification.params));
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => signals.toolsChanged());
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => signals.resourcesChanged());
  client.setNotificationHandler(PromptListChangedNotificationSchema, () => signals.promptsChanged());
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => signals.resourceUpdated(notification.params.uri));
  let connected = false;
  // A lost session (404) or an unreachable upstream makes this connection useless: close it, so the pool
  // opens a new session (with a fresh initialize) and the manager re-checks the pins on it.
  const lost = (error: unknown) => {
    if (!connected || closed) return;
    options.logger.info(`mcp upstream "${server.name}": the connection is lost; a new session will be opened`, {
      reason: (error as Error)?.message?.slice(0, 200),
    });
    // Out of use at once; closed a moment later, so the failing request rejects with its own error (not "Connection closed").
    closed = true;
    setImmediate(() => void connection.close());
    signals.connectionLost();
  };
  client.onclose = () => {
    closed = true;
    closing = true;
  };
  client.onerror = (error) => {
    options.logger.debug(`mcp upstream "${server.name}" transport error`, { error });
    // The standalone SSE stream: its reconnection found the session gone, or gave up.
    if (isSessionLost(error) || /Maximum reconnection attempts/.test((error as Error)?.message ?? '')) lost(error);
  };

  const transport = createTransport(server, credentials, options.logger);
  if (transport instanceof StreamableHTTPClientTransport) {
    const send = transport.send.bind(transport);
    transport.send = async (message, sendOptions) => {
      try {
        return await send(message, sendOptions);
      } catch (error) {
        if (isSessionLost(error) || isUnreachable(error)) lost(error);
        throw error;
      }
    };
  }
  try {
    await client.connect(transport, { timeout: options.timeoutMs });
    connected = true;
  } catch (error) {
    closed = true;
    await transport.close().catch(() => {});
    throw error;
  }
  return connection;
}
