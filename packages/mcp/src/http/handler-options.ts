/** Options of `createMcpHandler`. */
export interface McpHandlerOptions {
  /**
   * No sessions: every POST is served by a fresh MCP server and GET/DELETE get
   * 405. Server-to-client requests still work within one call; a
   * `notifications/cancelled` cannot reach a call made in another request.
   * @default false
   */
  stateless?: boolean;
  /** Browser origins allowed to call the endpoint (full origins such as `https://portal.example.com`). A request whose `Origin` is not allowed gets 403. @default [] */
  allowedOrigins?: string[];
  /** Also allow loopback origins (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`). @default true */
  allowLoopbackOrigins?: boolean;
  /**
   * Allowed `Host` values: names (any port) or `name:port`. Anything else gets
   * 403 (DNS rebinding). Set your public host name when you serve beyond
   * loopback; `null` turns the check off (only behind a proxy that checks it).
   * @default ['localhost', '127.0.0.1', '[::1]']
   */
  allowedHosts?: string[] | null;
  /** Largest request body, in bytes; larger bodies get 413. @default 1048576 */
  bodyLimitBytes?: number;
  /** Sessions idle this long are closed, in ms. @default 1800000 (30 minutes) */
  sessionIdleTimeoutMs?: number;
  /** Most sessions per principal; beyond it the least recently used one is closed. @default 100 */
  maxSessionsPerPrincipal?: number;
  /** Answer requests with one JSON body instead of an SSE stream (no progress or server-to-client requests). @default false */
  jsonResponse?: boolean;
  /**
   * Keep each session's recent SSE events so a client can resume a broken stream with `Last-Event-ID`, and record each
   * `tools/call` in flight in the database so another instance can answer the client's reconnection if this one dies.
   * @default true
   */
  resumability?: boolean;
  /** How calls that need approval behave. */
  approvals?: {
    /** `wait` for the decision (with progress notifications) or return `async`ly with the request id; a workflow's own `async: true` wins. @default 'wait' */
    mode?: 'wait' | 'async';
    /** How often a waiting call sends a progress notification, in ms. @default 10000 */
    progressIntervalMs?: number;
    /** The workflow of `request_approval` and `ask_user`. @default the policy's `defaults.workflow`, else its first workflow */
    workflow?: string;
    /**
     * How long a call that lost the execution claim of an approved request waits for the stored result, or for the
     * holder's execution lease to lapse (then it answers `execution_unknown`, or runs an idempotent tool), in ms. Keep it
     * at or above the approvals plugin's `executionLeaseSeconds` so one retry after a crash gets a final answer. @default 30000
     */
    claimWaitMs?: number;
  };
  /** Offer the built-in tools `request_approval`, `ask_user` and `get_approval_status`. @default true */
  builtinTools?: boolean;
  /** The server name and version announced at initialization. @default { name: 'preloop', version: '0.1.0' } */
  serverInfo?: { name: string; version: string };
  /** Instructions announced at initialization. */
  instructions?: string;
  /** The RFC 9728 protected-resource metadata URL to name in `WWW-Authenticate`, if the host publishes one. @default derived from `oauth` */
  resourceMetadataUrl?: string;
  /**
   * The endpoint as an OAuth 2.1 protected resource (MCP authorization): it
   * answers `/.well-known/oauth-protected-resource[/<path>]` (and the kernel's
   * `/.well-known/oauth-authorization-server`), names the metadata in every
   * 401, and accepts OAuth access tokens issued for exactly its resource URL.
   * On by default when the kernel has `oauth` options; `false` turns it off.
   * @default the kernel's issuer as authorization server; resource = the issuer's origin + the request path
   */
  oauth?:
    | false
    | {
        /** The canonical URL of this endpoint (the audience tokens must be issued for), for example `https://preloop.example.com/mcp`. @default the kernel issuer's origin + the request path */
        resource?: string;
        /** The authorization servers to name. @default [the kernel's `oauth.issuer`] */
        authorizationServers?: string[];
      };
}
