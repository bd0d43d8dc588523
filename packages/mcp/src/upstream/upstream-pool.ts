import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { DownstreamBridge, UpstreamConnection } from './upstream-connection.js';

/** Options of {@link createUpstreamPool}. */
export interface UpstreamPoolOptions {
  /** Opens a new connection. */
  connect(): Promise<UpstreamConnection>;
  /** Called after the first connection (and every reconnection of the first) is made. */
  onPrimaryConnected?(client: Client): void;
  /** Most connections; calls beyond share the least busy one. */
  maxConnections: number;
  /** Extra connections idle this long are closed, in ms; the first stays open. @default 60000 */
  idleMs?: number;
}

/** The connections to one upstream server. */
export interface UpstreamPool {
  /**
   * Runs `use` on a connection leased to one call: an idle one if any, a new one
   * while under the limit, else the least busy. What the upstream sends while
   * only this call uses the connection is relayed to `bridge`.
   */
  withConnection<T>(bridge: DownstreamBridge | null, use: (client: Client, connection: UpstreamConnection) => Promise<T>): Promise<T>;
  /** The first (long-lived) connection, which also carries subscriptions and change notifications. */
  primary(): Promise<Client>;
  /** How many connections are open. */
  size(): number;
  close(): Promise<void>;
}

/**
 * Creates a connection pool for one upstream server. Streamable HTTP upstreams
 * get several connections (one MCP session each) so concurrent calls do not
 * share one and server-to-client requests can be routed to their caller; stdio
 * upstreams get one process.
 *
 * @example
 * ```ts
 * const pool = createUpstreamPool({ connect: () => connectUpstream(server, credentials, signals, options), maxConnections: 4 });
 * const result = await pool.withConnection(bridge, (client) => client.callTool({ name: 'echo', arguments: { message: 'hi' } }));
 * ```
 */
export function createUpstreamPool(options: UpstreamPoolOptions): UpstreamPool {
  let connections: UpstreamConnection[] = [];
  let connecting: Promise<UpstreamConnection> | null = null;
  let pendingConnects = 0;
  let closed = false;
  const idleMs = options.idleMs ?? 60_000;

  const prune = () => {
    connections = connections.filter((connection) => !connection.closed);
  };

  const open = async (): Promise<UpstreamConnection> => {
    pendingConnects += 1;
    const attempt = options.connect();
    connecting = attempt;
    try {
      const connection = await attempt;
      if (closed) {
        await connection.close();
        throw new Error('The upstream pool is closed.');
      }
      prune();
      connections.push(connection);
      if (connections[0] === connection) options.onPrimaryConnected?.(connection.client);
      return connection;
    } finally {
      pendingConnects -= 1;
      if (connecting === attempt) connecting = null;
    }
  };

  const acquire = async (): Promise<UpstreamConnection> => {
    for (;;) {
      if (closed) throw new Error('The upstream pool is closed.');
      prune();
      const idle = connections.find((connection) => connection.leases.size === 0);
      if (idle) return idle;
      if (connections.length + pendingConnects < options.maxConnections) return open();
      if (connections.length > 0)
        return connections.reduce((least, connection) => (connection.leases.size < least.leases.size ? connection : least));
      await (connecting ?? Promise.resolve()).catch(() => {});
      if (connections.length === 0 && pendingConnects === 0) return open();
    }
  };

  const sweeper = setInterval(
    () => {
      prune();
      const now = Date.now();
      for (const connection of connections.slice(1)) {
        if (connection.leases.size === 0 && now - connection.lastUsedAt > idleMs) void connection.close();
      }
    },
    Math.max(1000, Math.floor(idleMs / 2)),
  );
  sweeper.unref?.();

  return {
    async withConnection(bridge, use) {
      const connection = await acquire();
      const lease = { bridge };
      connection.leases.add(lease);
      try {
        return await use(connection.client, connection);
      } finally {
        connection.leases.delete(lease);
        connection.lastUsedAt = Date.now();
      }
    },
    async primary() {
      prune();
      const first = connections[0];
      if (first) return first.client;
      if (connecting) {
        await connecting.catch(() => {});
        prune();
        if (connections[0]) return connections[0].client;
      }
      return (await open()).client;
    },
    size() {
      prune();
      return connections.length;
    },
    async close() {
      closed = true;
      clearInterval(sweeper);
      const all = connections;
      connections = [];
      await Promise.all(all.map((connection) => connection.close()));
    },
  };
}
