/**
 * Upstream transports. The default speaks HTTP/1.1 through Node's `http` and
 * `https` modules with keep-alive agents per origin: on a loopback mock it
 * costs a fraction of `fetch` per call. A `fetch` transport serves other
 * runtimes and tests (`createGateway(preloop, { fetch })`).
 *
 * @module
 */

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** One upstream request. */
export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Registers the abort of the call; the transport stops the request or its body when it fires. */
  onAbort(listener: () => void): void;
}

/** An upstream response, read chunk by chunk or whole. */
export interface UpstreamResponse {
  readonly status: number;
  header(name: string): string | null;
  /** The next body chunk, or null at the end; rejects when the connection breaks or the call is aborted. */
  read(): Promise<Uint8Array | null>;
  /** The whole (remaining) body as text. */
  text(): Promise<string>;
  /** Stops reading and releases the connection. */
  cancel(): void;
}

/** Sends upstream requests. */
export interface UpstreamTransport {
  send(request: UpstreamRequest): Promise<UpstreamResponse>;
}

class AbortedError extends Error {
  constructor() {
    super('The upstream request was aborted.');
    this.name = 'AbortError';
  }
}

async function readAll(response: Pick<UpstreamResponse, 'read'>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for (let chunk = await response.read(); chunk !== null; chunk = await response.read()) chunks.push(chunk);
  return chunks.length === 1
    ? Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.byteLength).toString('utf8')
    : Buffer.concat(chunks).toString('utf8');
}

/** Wraps a Node response with pull-based reading: the socket is paused while nobody reads (backpressure). */
function nodeResponse(incoming: IncomingMessage, destroy: () => void): UpstreamResponse {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | null = null;
  let waiting: { resolve(chunk: Uint8Array | null): void; reject(error: Error): void } | null = null;
  const fail = (error: Error) => {
    if (ended || failure) return;
    failure = error;
    waiting?.reject(error);
    waiting = null;
  };
  incoming.on('data', (chunk: Buffer) => {
    if (waiting) {
      const taker = waiting;
      waiting = null;
      taker.resolve(chunk);
    } else {
      queue.push(chunk);
      incoming.pause();
    }
  });
  incoming.on('end', () => {
    ended = true;
    waiting?.resolve(null);
    waiting = null;
  });
  incoming.on('error', (error) => fail(error));
  incoming.on('close', () => {
    if (!ended) fail(new Error('The upstream connection closed before the answer ended.'));
  });
  const response: UpstreamResponse = {
    status: incoming.statusCode ?? 502,
    header(name) {
      const value = incoming.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
    read() {
      if (queue.length > 0) {
        const chunk = queue.shift()!;
        if (queue.length === 0 && !ended) incoming.resume();
        return Promise.resolve(chunk);
      }
      if (failure) return Promise.reject(failure);
      if (ended) return Promise.resolve(null);
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
    text: () => readAll(response),
    cancel() {
      if (!ended) destroy();
    },
  };
  return response;
}

/**
 * The default transport: Node `http`/`https` with a keep-alive agent per
 * protocol (sockets are reused across calls to the same origin).
 *
 * @example
 * ```ts
 * const transport = createNodeTransport();
 * const response = await transport.send({ url, headers, body, onAbort: (listener) => call.onAbort(listener) });
 * ```
 */
export function createNodeTransport(): UpstreamTransport {
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' }),
    https: new HttpsAgent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' }),
  };
  return {
    send({ url, headers, body, onAbort }) {
      return new Promise((resolve, reject) => {
        const target = new URL(url);
        const secure = target.protocol === 'https:';
        const outgoing = (secure ? httpsRequest : httpRequest)(
          {
            protocol: target.protocol,
            hostname: target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname,
            port: target.port || undefined,
            path: target.pathname + target.search,
            method: 'POST',
            agent: secure ? agents.https : agents.http,
            headers: Object.assign({}, headers, { 'content-length': Buffer.byteLength(body) }),
          },
          (incoming) => resolve(nodeResponse(incoming, () => outgoing.destroy(new AbortedError()))),
        );
        outgoing.on('error', reject);
        onAbort(() => outgoing.destroy(new AbortedError()));
        outgoing.end(body);
      });
    },
  };
}

/**
 * A transport over a `fetch` implementation (other runtimes, tests).
 *
 * @example
 * ```ts
 * const transport = createFetchTransport(globalThis.fetch);
 * ```
 */
export function createFetchTransport(fetcher: typeof fetch): UpstreamTransport {
  return {
    async send({ url, headers, body, onAbort }) {
      const controller = new AbortController();
      onAbort(() => controller.abort());
      const answer = await fetcher(url, { method: 'POST', headers, body, signal: controller.signal });
      const reader = answer.body?.getReader() ?? null;
      const response: UpstreamResponse = {
        status: answer.status,
        header: (name) => answer.headers.get(name),
        async read() {
          if (!reader) return null;
          const { done, value } = await reader.read();
          return done ? null : value;
        },
        text: () => readAll(response),
        cancel() {
          controller.abort();
          void reader?.cancel().catch(() => {});
        },
      };
      return response;
    },
  };
}
