import type { Kysely } from 'kysely';
import { z } from 'zod';
import { PreloopError } from '../errors.js';
import type { HookHandlers } from '../hooks/hook-types.js';
import type { Logger } from '../logger.js';
import type { PreloopPlugin } from '../plugins/define-plugin.js';
import type { Bus } from '../bus/bus.js';
import type { LoginThrottleOptions } from '../identity/login-throttle.js';
import type { AuditAnchorSink } from '../audit/anchor-sink.js';
import type { PolicyDocumentInput } from '../policy/policy-schema.js';
import { formatPath } from '../api/validate.js';
import { oauthOptionsSchema, type OAuthOptions } from '../oauth/oauth-options.js';
import { tracingOptionsSchema, type TracingOptions } from '../tracing/create-tracing.js';
import { issuesKernelOptionsSchema, type IssuesKernelOptions } from '../trackers/sync/issues-options.js';

/**
 * Options of {@link createPreloop}.
 *
 * @typeParam Plugins - The plugins, as given (their ids and services type `preloop.service`).
 */
export interface PreloopOptions<Plugins extends readonly PreloopPlugin[] = readonly PreloopPlugin[]> {
  /** `sqlite:<file>`, `:memory:`, `postgres://…`, or `{ kysely, dialect }` for a host-supplied Kysely instance. */
  database: string | { kysely: Kysely<any>; dialect: 'sqlite' | 'postgres' };
  /**
   * The key that encrypts stored credentials and signs tokens and audit
   * checkpoints: at least 32 characters (for example 32 random bytes in base64).
   * Optional only with `:memory:` databases, where a random one is used.
   */
  secretKey?: string;
  /** Earlier secret keys, still accepted for decryption until `preloop.secrets.rotate()` re-wraps every secret. @default [] */
  previousSecretKeys?: string[];
  /** Plugins, in any order; they are ordered by their dependencies. @default [] */
  plugins?: Plugins;
  /** The host's own hooks, run after the plugins' (for example `authenticate`). @default {} */
  hooks?: Partial<HookHandlers>;
  /**
   * The initial policy, applied when the account has none: a whole document as
   * YAML or JSON text, or an object that is completed from the shipped default
   * (see `completePolicy`: `defaults` merged field by field, the shipped
   * workflows kept beside yours, the shipped rules when you give none).
   * @default the shipped default policy
   */
  policy?: string | PolicyDocumentInput;
  /** Run migrations at start-up. @default true */
  migrate?: boolean;
  /** Name of the default account created on first start. @default 'Default' */
  accountName?: string;
  /** Lifetime of runtime credentials, in seconds. @default 900 */
  runtimeCredentialTtlSeconds?: number;
  /** Lifetime of console sessions, in seconds. @default 604800 (7 days) */
  consoleSessionTtlSeconds?: number;
  /** Sign an audit checkpoint after this many records. @default 1000 */
  auditCheckpointEvery?: number;
  /**
   * Where each signed audit checkpoint is exported, outside the database, so a
   * rewrite of the database is caught by `audit verify` (for example
   * `createFileAnchorSink({ path })`, `createWebhookAnchorSink({ url, secret })`).
   * @default []
   */
  auditAnchors?: AuditAnchorSink[];
  /** Bus override; by default in-process, or LISTEN/NOTIFY on PostgreSQL. */
  bus?: Bus;
  /** Logger. @default a JSON logger on stderr at level `PRELOOP_LOG_LEVEL` or info */
  logger?: Logger;
  /** Largest admin API request body, in bytes. @default 1048576 */
  bodyLimitBytes?: number;
  /**
   * Limits of the password-login throttle (per email+address, per email, per
   * address, global), counted in the database so every instance shares them.
   * @default { maxFailures: 5, maxFailuresPerEmail: 100, maxFailuresPerAddress: 20, windowSeconds: 900, maxFailuresGlobalPerMinute: 600 }
   */
  loginThrottle?: LoginThrottleOptions;
  /**
   * The path prefix the host mounts Preloop under: the admin API answers at
   * `<basePath>/api/v1`, and links Preloop builds carry the prefix.
   * For `app.use('/internal/preloop', toNodeHandler(preloop.api))`, set `'/internal/preloop'`.
   * @default ''
   */
  basePath?: string;
  /**
   * Exact origins (`https://portal.example.com`) whose pages may call the admin
   * API from the browser: CORS with credentials for these only. @default []
   */
  trustedOrigins?: string[];
  /**
   * Check every admin API answer against its route's declared contract; an
   * answer it does not describe becomes a logged 500 `RESPONSE_SCHEMA_MISMATCH`.
   * On in `createTestPreloop`, so every test that calls a route is a contract
   * test; leave it off in production (it reads each JSON body twice).
   * @default false
   */
  validateResponses?: boolean;
  /**
   * Turns on the OAuth 2.1 authorization server for remote MCP clients
   * (metadata, authorization with consent, token, registration, revocation
   * under `/api/v1/oauth`). Off when not set. @default undefined (off)
   */
  oauth?: OAuthOptions;
  /**
   * OpenTelemetry traces of model calls and MCP tool calls (GenAI semantic
   * conventions), exported over OTLP/HTTP or handed to the host's tracer
   * provider. Needs the optional OpenTelemetry packages. @default undefined (off)
   */
  tracing?: TracingOptions;
  /**
   * The unified issues (`preloop.issues`): duplicate detection's embeddings
   * model, for example `{ similarity: { model: 'embed', gateway: (preloop) => createGateway(preloop) } }`.
   * @default {} (no embeddings model: similar issues answer `available: false`)
   */
  issues?: IssuesKernelOptions;
}

/** The zod schema of {@link PreloopOptions}: {@link resolveOptions} validates with it, {@link ResolvedPreloopOptions} is its output. */
export const optionsSchema = z.object({
  database: z.union([
    z.string().min(1, 'must be a database URL such as sqlite:./preloop.db, :memory: or postgres://…'),
    z.object({
      kysely: z.custom<Kysely<any>>((v) => typeof v === 'object' && v !== null, 'must be a Kysely instance'),
      dialect: z.enum(['sqlite', 'postgres']),
    }),
  ]),
  secretKey: z.string().min(32, 'must be at least 32 characters (for example `openssl rand -base64 32`)').optional(),
  previousSecretKeys: z.array(z.string().min(32, 'must be at least 32 characters')).default([]),
  plugins: z.array(z.custom<PreloopPlugin>((v) => typeof v === 'object' && v !== null, 'must be a plugin object')).default([]),
  hooks: z.record(z.string(), z.unknown()).default({}),
  policy: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  migrate: z.boolean().default(true),
  accountName: z.string().min(1).default('Default'),
  runtimeCredentialTtlSeconds: z.number().int().min(30).max(86_400).default(900),
  consoleSessionTtlSeconds: z.number().int().min(60).max(2_592_000).default(604_800),
  auditCheckpointEvery: z.number().int().min(1).max(1_000_000).default(1000),
  auditAnchors: z
    .array(
      z.custom<AuditAnchorSink>(
        (v) => typeof v === 'object' && v !== null && typeof (v as AuditAnchorSink).write === 'function',
        'must be an audit anchor sink (name and write)',
      ),
    )
    .default([]),
  bus: z.custom<Bus>((v) => typeof v === 'object' && v !== null, 'must be a Bus').optional(),
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null, 'must be a Logger').optional(),
  bodyLimitBytes: z.number().int().min(1024).default(1_048_576),
  loginThrottle: z
    .strictObject({
      maxFailures: z.number().int().min(1).optional(),
      maxFailuresPerEmail: z.number().int().min(1).optional(),
      maxFailuresPerAddress: z.number().int().min(1).optional(),
      windowSeconds: z.number().int().min(1).max(86_400).optional(),
      maxFailuresGlobalPerMinute: z.number().int().min(1).optional(),
    })
    .default({}),
  basePath: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'must be empty or a path such as /internal/preloop (leading slash, no trailing slash)')
    .default(''),
  trustedOrigins: z
    .array(
      z
        .string()
        .refine((value) => isExactOrigin(value), 'must be exact origins such as https://portal.example.com (scheme, host and port only)'),
    )
    .default([]),
  validateResponses: z.boolean().default(false),
  oauth: oauthOptionsSchema.optional(),
  tracing: tracingOptionsSchema.optional(),
  issues: issuesKernelOptionsSchema.default({}),
});

/** True for `scheme://host[:port]` with nothing after it. */
function isExactOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

/** Options after validation and defaults. */
export type ResolvedPreloopOptions = z.output<typeof optionsSchema> & { secretKey: string };

/**
 * Validates kernel options, failing with a `CONFIGURATION_ERROR` that names the option.
 *
 * @example
 * ```ts
 * resolveOptions({ database: ':memory:' });
 * ```
 */
export function resolveOptions(options: PreloopOptions<readonly PreloopPlugin[]>, randomKey: () => string): ResolvedPreloopOptions {
  const result = optionsSchema.safeParse(options ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new PreloopError('CONFIGURATION_ERROR', `createPreloop: option "${formatPath(issue.path) || 'options'}" ${issue.message}`, {
      details: { issues: result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) },
    });
  }
  const resolved = result.data;
  let secretKey = resolved.secretKey;
  if (!secretKey) {
    if (resolved.database !== ':memory:' && resolved.database !== 'sqlite::memory:') {
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        'createPreloop: option "secretKey" is required with a persistent database (set PRELOOP_SECRET_KEY to 32+ random characters).',
      );
    }
    secretKey = randomKey();
  }
  return { ...resolved, secretKey } as ResolvedPreloopOptions;
}
