/**
 * The gateway's view of one HTTP exchange, independent of the server API: a
 * request it can read (headers, a size-limited body, client disconnects) and
 * a reply it returns (a whole body, or a stream pulled as fast as the client
 * reads). `createGateway` adapts web `Request`/`Response` to it;
 * `createNodeGateway` adapts Node's `IncomingMessage`/`ServerResponse`
 * directly, without the cost of building web objects on every call.
 *
 * @module
 */

/** How a request body may be read. */
export interface BodyLimits {
  /** Largest body, in bytes: a larger one is a 413. */
  bytes: number;
  /** Longest silence while the body is read, in ms: a stalled upload is a 408. */
  timeoutMs: number;
}

/** An incoming gateway request. */
export interface GatewayRequest {
  readonly method: string;
  /** The path, without the query string. */
  readonly path: string;
  /** The absolute URL, query string included. */
  readonly url: string;
  /** A header by lower-case name, or null. */
  header(name: string): string | null;
  /**
   * Reads the body as text: a body over `limits.bytes` is a 413 before it is
   * read whole, an upload silent for `limits.timeoutMs` a 408, and on Node a
   * body a host body parser already consumed is taken from `req.body` (or is
   * `BODY_ALREADY_READ` when nothing usable is left).
   */
  readText(limits: BodyLimits): Promise<string>;
  /** True once the client went away. */
  readonly aborted: boolean;
  /** Calls `listener` once if the client goes away before the reply ends; returns the function that removes it. */
  onAbort(listener: () => void): () => void;
  /** A web `Request` carrying the request's URL and headers, for `preloop.authenticate`. */
  toRequest(): Request;
}

/** A streamed reply body. */
export interface ReplyStream {
  /** The next piece of the body, or null once it is complete. Called only when the client can take more; never rejects. */
  next(): Promise<string | null>;
  /** The client went away: stop, abort the upstream, settle what was seen. */
  cancel(): void;
}

/** A reply: a whole body, or a stream. */
export type GatewayReply =
  | { status: number; headers: Record<string, string>; body: string }
  | { status: number; headers: Record<string, string>; stream: ReplyStream };

/** A JSON reply. */
export function jsonReply(body: unknown, status = 200, headers: Record<string, string> = {}): GatewayReply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** Releases a reply that will not be sent (a fallback replaces it). */
export function discardReply(reply: GatewayReply): void {
  if ('stream' in reply) reply.stream.cancel();
}
