import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler, type NodeHandler, type NodeHandlerOptions, type WebHandler } from './to-node-handler.js';

/** Options of {@link serve}. */
export interface ServeOptions extends NodeHandlerOptions {
  /** The web-standard handler to serve. */
  handler: WebHandler;
  /**
   * Node-native middleware tried before `handler` (for example the model
   * gateway's fast path, `createNodeGateway`): it answers what is its own and
   * calls `next()` for the rest, which `handler` then serves.
   */
  before?: NodeHandler;
  /** Port; 0 picks a free one. @default 8787 */
  port?: number;
  /** Interface to bind; loopback by default so nothing is exposed by accident. @default '127.0.0.1' */
  host?: string;
  /** Milliseconds to receive a request's headers (slowloris defence). @default 30000 */
  headersTimeoutMs?: number;
  /** Milliseconds for a whole request body to arrive; streaming responses are not limited. @default 300000 */
  requestTimeoutMs?: number;
}

/** A running server. */
export interface RunningServer {
  /** The base URL, for example `http://127.0.0.1:8787`. */
  url: string;
  /** The bound port. */
  port: number;
  /** The Node server. */
  server: Server;
  /** Stops accepting connections and closes open ones. */
  close(): Promise<void>;
}

/**
 * Serves a web-standard handler over Node's `http` module.
 *
 * @example
 * ```ts
 * const server = await serve({ handler: preloop.api, port: 8787 });
 * console.log(`listening on ${server.url}`);
 * ```
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const web = toNodeHandler(options.handler, options);
  const before = options.before;
  const server = createServer(before ? (request, response) => before(request, response, () => web(request, response)) : web);
  server.headersTimeout = options.headersTimeoutMs ?? 30_000;
  server.requestTimeout = options.requestTimeoutMs ?? 300_000;
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
