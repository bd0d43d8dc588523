import { createLogger, createMetricsHandler, createPreloop, redactUrl, type Logger, type Preloop } from '@preloop/core';
import { resolveLocalSetup, serve, type RunningServer } from '@preloop/core/node';
import { composeHandlers } from './compose-handlers.js';
import { redirectLegacyConsoleLinks } from './legacy-console-links.js';
import { applyConfig } from './config/apply-config.js';
import { toAuditAnchors } from './config/audit-anchors.js';
import { loadConfigFile, type LoadedConfig } from './config/load-config.js';
import { ensureFirstAdmin, type FirstAdmin } from './first-admin.js';
import { createApproveAppHandler, createConsoleHandler } from '@preloop/console-elements/server';
import { createNodeGateway } from '@preloop/gateway/node';
import { createMcpHandler } from '@preloop/mcp';
import { issuesOption, referencePlugins } from './plugins.js';
import { oauthOption } from './oauth-option.js';
import { tracingOption } from './tracing-option.js';

/** Options of {@link startReferenceServer}; each falls back to its environment variable. */
export interface ReferenceServerOptions {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default env.PORT ?? 8787 */
  port?: number;
  /** @default env.HOST ?? '127.0.0.1' */
  host?: string;
  /** @default a JSON logger at PRELOOP_LOG_LEVEL */
  logger?: Logger;
}

/** A running reference server. */
export interface ReferenceServer {
  preloop: Preloop;
  server: RunningServer;
  url: string;
  /** Set on first start: how the first owner logs in. */
  firstAdmin: FirstAdmin | null;
  /** The loaded configuration file, if any. */
  config: LoadedConfig | null;
  /** True when the secret key was generated into the data folder just now. */
  generatedSecretKey: boolean;
  close(): Promise<void>;
}

/**
 * Reads `PRELOOP_TRUST_PROXY`: unset, `false` or `0` trusts no proxy (the client
 * address is the socket's peer); `true` trusts one; a number trusts that many
 * (the client address is the `X-Forwarded-For` entry that many places from the right).
 *
 * @example
 * ```ts
 * trustProxyOption('2'); // { trustProxy: true, proxyHops: 2 }
 * ```
 */
export function trustProxyOption(value: string | undefined): { trustProxy?: boolean; proxyHops?: number } {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '' || text === 'false' || text === '0') return {};
  if (text === 'true') return { trustProxy: true, proxyHops: 1 };
  if (/^[1-9]$/.test(text)) return { trustProxy: true, proxyHops: Number(text) };
  throw new Error(`PRELOOP_TRUST_PROXY must be true, false or the number of proxies in front of the server (1–9), got "${value}"`);
}

/**
 * Assembles and starts the reference Preloop server: the kernel on SQLite or
 * PostgreSQL, the admin API at `/api/v1`, and the configuration file.
 *
 * @example
 * ```ts
 * const { url, close } = await startReferenceServer({ port: 0 });
 * ```
 */
export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger({ level: (env.PRELOOP_LOG_LEVEL as never) ?? 'info' });
  const setup = resolveLocalSetup({ env });
  const config = env.PRELOOP_CONFIG ? await loadConfigFile(env.PRELOOP_CONFIG, env) : null;
  const port = options.port ?? Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const host = options.host ?? env.HOST ?? '127.0.0.1';
  const publicUrl = env.PRELOOP_PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const proxy = trustProxyOption(env.PRELOOP_TRUST_PROXY);
  const preloop = await createPreloop({
    database: setup.databaseUrl,
    secretKey: setup.secretKey,
    logger,
    plugins: referencePlugins(config?.config ?? null, publicUrl, env),
    auditCheckpointEvery: config?.config.audit.checkpointEvery,
    auditAnchors: config ? toAuditAnchors(config.config, config.file) : [],
    // OAuth 2.1 for remote MCP clients: on when PRELOOP_PUBLIC_URL is https (or loopback); PRELOOP_OAUTH=false turns it off.
    oauth: oauthOption(env),
    // OpenTelemetry traces of model and tool calls: PRELOOP_TRACING=otlp with OTEL_EXPORTER_OTLP_ENDPOINT (off by default).
    tracing: tracingOption(env),
    // Duplicate detection of synced issues: issues.similarity.model in the file, else PRELOOP_ISSUES_EMBEDDINGS_MODEL; computed through this server's own gateway.
    issues: issuesOption(config?.config ?? null, env),
  });
  try {
    const firstAdmin = await ensureFirstAdmin(preloop, env);
    if (config) {
      const changes = await applyConfig(preloop, config);
      logger.info(changes.length ? `applied ${config.file}: ${changes.join(', ')}` : `${config.file} is already in force`);
    }
    const consoleHandler = createConsoleHandler();
    // The installable approval app for phones (pairing links open /approve/#pair=…).
    const approveApp = createApproveAppHandler();
    await Promise.all([consoleHandler.ready(), approveApp.ready()]);
    const mcpHandler = createMcpHandler(preloop, { allowedHosts: allowedHosts(host, publicUrl) });
    const handler = composeHandlers([
      { prefix: '/api/v1', handler: preloop.api },
      // Prometheus: an owner's or admin's credential, or PRELOOP_METRICS_TOKEN as a bearer token for the scraper.
      { prefix: '/metrics', handler: createMetricsHandler(preloop, { token: env.PRELOOP_METRICS_TOKEN || undefined }) },
      { prefix: '/mcp', handler: redirectLegacyConsoleLinks(mcpHandler) },
      // OAuth discovery (RFC 9728, RFC 8414): the MCP handler answers both well-known documents.
      { prefix: '/.well-known/oauth-protected-resource', handler: mcpHandler },
      { prefix: '/.well-known/oauth-authorization-server', handler: mcpHandler },
      { prefix: '/approve', handler: approveApp },
      { prefix: '/', handler: consoleHandler },
    ]);
    // The model gateway's Node-native fast path answers /openai/v1, /anthropic/v1 and /gemini/v1beta; everything else goes to `handler`.
    const server = await serve({ handler, before: createNodeGateway(preloop, config?.config.gateway), port, host, ...proxy });
    return {
      preloop,
      server,
      url: server.url,
      firstAdmin,
      config,
      generatedSecretKey: setup.generatedSecretKey,
      async close() {
        await server.close();
        await mcpHandler.close();
        await preloop.close();
      },
    };
  } catch (error) {
    await preloop.close();
    throw error;
  }
}

/** Host names the MCP endpoint accepts (DNS-rebinding defence): loopback, the bound host and the public URL's host. */
function allowedHosts(host: string, publicUrl: string): string[] {
  const hosts = new Set(['localhost', '127.0.0.1', '[::1]']);
  if (host !== '0.0.0.0' && host !== '::') hosts.add(host.includes(':') ? `[${host}]` : host);
  hosts.add(new URL(publicUrl).hostname);
  return [...hosts];
}

/**
 * The readable start-up lines: where everything is served and, on first
 * start, how the first admin logs in.
 *
 * @example
 * ```ts
 * for (const line of startupLines(server, databaseUrl)) console.log(line);
 * ```
 */
export function startupLines(server: ReferenceServer, databaseUrl: string): string[] {
  const lines = [
    `Preloop ready at ${server.url}  (console /, admin API /api/v1, MCP /mcp, OpenAI /openai/v1, Anthropic /anthropic/v1, Gemini /gemini/v1beta; database ${redactUrl(databaseUrl)})`,
  ];
  if (server.generatedSecretKey) {
    lines.push(
      'Warning: no PRELOOP_SECRET_KEY was set; generated one into the data folder. Keep it: stored credentials are encrypted with it.',
    );
  }
  if (server.firstAdmin) {
    lines.push(
      server.firstAdmin.generatedPassword
        ? `First start: log in as ${server.firstAdmin.email} with password ${server.firstAdmin.generatedPassword} (shown once; change it in the console under Settings → Your account, or with POST /api/v1/auth/password).`
        : `First start: log in as ${server.firstAdmin.email} with the password from PRELOOP_ADMIN_PASSWORD.`,
    );
    // Separation of duties: with one admin and the default policy, nobody can approve that admin's agents (GET /api/v1/approvals/readiness).
    lines.push(
      `Approvals: ${server.firstAdmin.email} is the only approver, and may not approve calls of agents on their own keys. Add a second admin (Settings → Users) before connecting an agent, or see "Connect an agent" in the README.`,
    );
  }
  return lines;
}
