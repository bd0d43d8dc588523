import { z } from 'zod';

/** How Preloop reaches an upstream MCP server. */
export type McpTransportKind = 'http' | 'stdio';

const serverName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/i, 'must be letters, digits, - or _ (it namespaces the tools as <name>.<tool>)');

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, 'must be an HTTP header name');
/** Headers the transport owns: a configured value would break the protocol or smuggle a request. */
const reservedHeaders = new Set([
  'host',
  'content-length',
  'content-type',
  'accept',
  'connection',
  'transfer-encoding',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
]);
const headers = z
  .record(
    headerName,
    z
      .string()
      .max(8192)
      .regex(/^[^\r\n\0]*$/, 'must not contain line breaks'),
  )
  .superRefine((value, context) => {
    for (const name of Object.keys(value)) {
      if (reservedHeaders.has(name.toLowerCase()))
        context.addIssue({ code: 'custom', path: [name], message: 'is set by the MCP transport itself' });
    }
  });
const env = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name'), z.string().max(32_768));

const common = {
  name: serverName,
  /** Expose tools and prompts as `<name>.<tool>`; false exposes upstream names as they are. @default true */
  namespaced: z.boolean().optional(),
  /** Pin unflagged tools found by an admin-initiated scan without a separate approval. @default true */
  trustOnFirstUse: z.boolean().optional(),
  enabled: z.boolean().optional(),
  /**
   * `untrusted`: the server's tool results are untrusted content (web pages, inbound mail, issue bodies):
   * a result from it taints the runtime session that received it (`session.tainted` in policy conditions).
   * @default 'trusted'
   */
  trust: z.enum(['trusted', 'untrusted']).optional(),
  /** Timeout of one upstream request, in ms; progress notifications restart it. @default 60000 */
  timeoutMs: z.number().int().min(1000).max(3_600_000).optional(),
};

/** The body of `POST /mcp-servers`: an upstream server over Streamable HTTP or stdio. */
export const mcpServerInputSchema = z.discriminatedUnion('transport', [
  z.strictObject({
    ...common,
    transport: z.literal('http'),
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
    /** Sent upstream on every request; stored encrypted, never returned. */
    headers: headers.optional(),
  }),
  z.strictObject({
    ...common,
    transport: z.literal('stdio'),
    command: z.string().min(1).max(1024),
    args: z.array(z.string().max(4096)).max(100).optional(),
    /** The process environment (besides a minimal safe set); stored encrypted, never returned. */
    env: env.optional(),
  }),
]);

/** A new upstream server, as the admin API and the config file describe it. */
export type McpServerInput = z.input<typeof mcpServerInputSchema>;

/** The body of `PATCH /mcp-servers/:id`: any field but the transport; `headers`/`env` replace the stored ones. */
export const mcpServerPatchSchema = z.strictObject({
  ...common,
  name: serverName.optional(),
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  headers: headers.optional(),
  command: z.string().min(1).max(1024).optional(),
  args: z.array(z.string().max(4096)).max(100).optional(),
  env: env.optional(),
});

/** A change to an upstream server. */
export type McpServerPatch = z.input<typeof mcpServerPatchSchema>;

/** Whether an upstream server's tool results are trusted content. */
export type McpServerTrust = 'trusted' | 'untrusted';

/** An upstream server as stored: credentials are held as secrets and only their names are shown. */
export interface McpServerRecord {
  id: string;
  accountId: string;
  name: string;
  transport: McpTransportKind;
  /** For `http`. */
  url: string | null;
  /** For `stdio`. */
  command: string | null;
  args: string[];
  /** Names of the configured headers (values are secret). */
  headerNames: string[];
  /** Names of the configured environment variables (values are secret). */
  envNames: string[];
  namespaced: boolean;
  trustOnFirstUse: boolean;
  enabled: boolean;
  timeoutMs: number;
  /** `untrusted` when the server's tool results taint the runtime session that receives them. */
  trust: McpServerTrust;
  /** `api` (admin API) or `config` (the reference server's config file). */
  source: 'api' | 'config';
  /** `new` until the first scan, then `ok` or `error`. */
  status: 'new' | 'ok' | 'error';
  lastError: string | null;
  lastScanAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** The credentials of an upstream server: headers (HTTP) or environment variables (stdio). */
export interface McpServerCredentials {
  headers: Record<string, string>;
  env: Record<string, string>;
}
