import net from 'node:net';

/** A TCP proxy that injects network faults between a client and a server (see {@link createFaultProxy}). */
export interface FaultProxy {
  /** The loopback port the proxy listens on. */
  readonly port: number;
  /** `url` (a `postgres://…` URL of the proxied server) rewritten to go through the proxy. */
  url(url: string): string;
  /** Destroys every open connection at once (both sides), as a crashed server or a cut cable would. */
  cutAll(): void;
  /** While on, new connections are refused (`ECONNREFUSED`: the proxy stops listening); open ones are left alone. */
  refuse(on: boolean): Promise<void>;
  /** While on, no byte moves in either direction on any connection, old or new (a hung server or network); held bytes are delivered when it is turned off. */
  stall(on: boolean): void;
  /** How many client connections are open. */
  connections(): number;
  /** Closes the proxy and every connection. */
  close(): Promise<void>;
}

/**
 * Starts a fault-injecting TCP proxy on a free loopback port, forwarding to
 * `target`. Tests point a kernel at the proxy (for PostgreSQL, through
 * `proxy.url(databaseUrl)`) and then cut, refuse or stall connections at the
 * moments they choose: a database outage and its recovery, without touching
 * the real server.
 *
 * @example
 * ```ts
 * const proxy = await createFaultProxy({ host: '127.0.0.1', port: 5432 });
 * const preloop = await createPreloop({ database: proxy.url(databaseUrl), secretKey });
 * proxy.cutAll(); // every connection drops
 * await proxy.refuse(true); // and the database is "down"
 * ```
 */
export async function createFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const held: Array<{ to: net.Socket; chunk: Buffer }> = [];
  let stalled = false;
  let port = 0;

  const forward = (from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (stalled) held.push({ to, chunk });
      else to.write(chunk);
    });
  };
  const accept = (client: net.Socket) => {
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
    forward(client, upstream);
    forward(upstream, client);
  };
  const listen = (server: net.Server) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  let server: net.Server | null = net.createServer(accept);
  await listen(server);

  const closeServer = (closing: net.Server) => new Promise<void>((resolve) => closing.close(() => resolve()));
  const cutAll = () => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
    held.length = 0;
  };

  return {
    get port() {
      return port;
    },
    url(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    cutAll,
    async refuse(on) {
      if (on && server) {
        const closing = server;
        server = null;
        void closeServer(closing);
      } else if (!on && !server) {
        server = net.createServer(accept);
        await listen(server);
      }
    },
    stall(on) {
      stalled = on;
      if (on) return;
      for (const { to, chunk } of held.splice(0)) if (!to.destroyed) to.write(chunk);
    },
    connections: () => pairs.size,
    async close() {
      cutAll();
      if (server) await closeServer(server);
      server = null;
    },
  };
}
