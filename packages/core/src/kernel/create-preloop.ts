import { createAdminApi } from '../api/create-admin-api.js';
import { coreRoutes } from '../api/routes/index.js';
import { createAuditTrail } from '../audit/audit-trail.js';
import type { Bus } from '../bus/bus.js';
import { createPostgresBus } from '../bus/postgres-bus.js';
import { createLocalBus } from '../bus/sqlite-bus.js';
import { createEvents } from '../events/create-event-bus.js';
import { createGovernance } from '../governance/create-governance.js';
import { createHookRunner } from '../hooks/hook-runner.js';
import { createIdentity } from '../identity/create-identity.js';
import { createRateLimitStore } from '../rate-limit/rate-limit-store.js';
import { createToken } from '../ids.js';
import { createLogger, type LogLevel } from '../logger.js';
import { createMetrics } from '../metrics/create-metrics.js';
import { createTracing } from '../tracing/create-tracing.js';
import { checkContributions } from '../plugins/check-contributions.js';
import type { PreloopPlugin } from '../plugins/define-plugin.js';
import { orderPlugins } from '../plugins/order-plugins.js';
import { createServiceRegistry, type ServicesOf } from '../plugins/plugin-services.js';
import { createSecretStore } from '../secrets/secret-store.js';
import { openDatabase } from '../storage/database.js';
import { createToolSources } from '../tools/tool-sources.js';
import { createTrackerConnections } from '../trackers/tracker-connections.js';
import { trackerToolSource } from '../trackers/tracker-tools.js';
import { createIssues } from '../trackers/sync/issue-service.js';
import { toIssueSimilarityOptions } from '../trackers/sync/issues-options.js';
import { issueTables } from '../trackers/sync/issue-tables.js';
import { migrateDatabase } from './migrate.js';
import { resolveOptions, type PreloopOptions } from './options.js';
import { createReadiness } from './readiness.js';
import type { Preloop } from './preloop.js';

/** The id of the account created on first start. */
export const defaultAccountId = 'acc_default';

/**
 * Builds a Preloop kernel: validates options, opens and migrates the database,
 * creates the default account, wires plugins, hooks, events, the Bus, identity,
 * secrets, the audit trail and the admin API. Each plugin's `init` result is
 * kept as its service: `preloop.service(id)`, typed from `plugins`.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({
 *   database: 'sqlite:./preloop.db',
 *   secretKey: process.env.PRELOOP_SECRET_KEY,
 *   plugins: [approvals()],
 * });
 * const engine = preloop.service('approvals'); // ApprovalEngine
 * ```
 */
export async function createPreloop<const Plugins extends readonly PreloopPlugin[] = []>(
  options: PreloopOptions<Plugins>,
): Promise<Preloop<ServicesOf<Plugins>>> {
  const resolved = resolveOptions(options, () => createToken(32));
  const logger = resolved.logger ?? createLogger({ level: (process.env.PRELOOP_LOG_LEVEL as LogLevel | undefined) ?? 'info' });
  const plugins = orderPlugins(resolved.plugins);
  checkContributions(plugins);
  const events = createEvents();
  const services = createServiceRegistry();
  const hooks = createHookRunner([...plugins, { id: 'host', hooks: resolved.hooks }], events);
  const database = await openDatabase(resolved.database);
  const closers: Array<() => Promise<void> | void> = [() => database.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) {
      await Promise.resolve(close()).catch((error) => logger.warn('error while closing', { error }));
    }
  };
  try {
    if (resolved.migrate) await migrateDatabase(database, plugins);
    const { db, dialect } = database;
    const now = Date.now();
    await db
      .insertInto('accounts')
      .values({ id: defaultAccountId, name: resolved.accountName, created_at: now })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();

    const bus: Bus =
      resolved.bus ??
      (database.postgresUrl
        ? await createPostgresBus({
            url: database.postgresUrl,
            onError: (error) => logger.warn('bus connection lost; reconnecting', { error }),
            onReconnect: () => logger.info('bus reconnected'),
          })
        : await createLocalBus({
            db,
            database: resolved.database,
            onError: (error) => logger.warn('bus poll failed; retrying', { error }),
          }));
    if (!resolved.bus) closers.push(() => bus.close());

    const secrets = createSecretStore({ db, secretKey: resolved.secretKey, previousSecretKeys: resolved.previousSecretKeys });
    const audit = createAuditTrail({
      db,
      dialect,
      secretKey: resolved.secretKey,
      previousSecretKeys: resolved.previousSecretKeys,
      events,
      hooks,
      logger,
      defaultAccountId,
      checkpointEvery: resolved.auditCheckpointEvery,
      anchors: resolved.auditAnchors,
    });
    closers.push(() => audit.close());
    const rateLimits = createRateLimitStore({ db, dialect });
    const identity = createIdentity({
      db,
      dialect,
      events,
      bus,
      audit,
      secretKey: resolved.secretKey,
      runtimeCredentialTtlSeconds: resolved.runtimeCredentialTtlSeconds,
      consoleSessionTtlSeconds: resolved.consoleSessionTtlSeconds,
      logger,
      rateLimits,
      loginThrottle: resolved.loginThrottle,
    });
    closers.push(() => identity.close());
    const governance = createGovernance({ db, bus, audit, hooks, initialPolicy: resolved.policy });
    closers.push(() => governance.close());
    // Materializes (and so validates) the first policy version on first start.
    await governance.policies.active(defaultAccountId);
    const metrics = createMetrics({ events, bus });
    closers.push(() => metrics.close());
    const tracing = await createTracing(resolved.tracing, logger);
    closers.push(() => tracing.close());
    const toolSources = createToolSources({
      bus,
      onError: (source, error) => logger.warn(`tool source "${source}" failed to list its tools`, { error }),
    });
    const trackers = createTrackerConnections({
      db,
      secrets,
      bus,
      trackers: plugins.flatMap((plugin) => plugin.contributions?.trackers ?? []),
      onChange: (accountId) => toolSources.changed(accountId),
    });
    closers.push(() => trackers.close());
    toolSources.add(trackerToolSource(trackers));
    const issues = createIssues({
      db: issueTables(db),
      dialect,
      connections: trackers,
      events,
      bus,
      audit,
      identity,
      logger,
      // Duplicate detection's model (`issues.similarity`); a gateway factory is built on the first embeddings call.
      similarity: toIssueSimilarityOptions(resolved.issues.similarity, () => preloop),
    });
    closers.push(() => issues.close());

    const preloop = {
      events,
      hooks,
      bus,
      db,
      dialect,
      accountId: defaultAccountId,
      identity,
      rateLimits,
      secrets,
      audit,
      governance,
      plugins,
      tools: [],
      toolSources,
      trackers,
      issues,
      logger,
      options: resolved,
      metrics,
      tracing,
      readiness: createReadiness({ db, bus }),
      service: (id: string) => services.get(id),
      async authenticate(request, authenticateOptions) {
        const principal = await identity.authenticate(request, authenticateOptions);
        if (principal) return principal;
        // A Preloop API key that identity refused (revoked, expired, wrong scope) must not fall through to the host's hook.
        if (/^bearer\s+plk_/i.test(request.headers.get('authorization') ?? '')) return null;
        return hooks.authenticate(request);
      },
      async close() {
        for (const plugin of [...plugins].reverse()) {
          await Promise.resolve(plugin.close?.()).catch((error) => logger.warn(`plugin "${plugin.id}" failed to close`, { error }));
        }
        await closeAll();
        services.clear();
      },
    } as Omit<Preloop, 'api' | 'service'> as Preloop;

    const tools = plugins.flatMap((plugin) => (typeof plugin.tools === 'function' ? plugin.tools(preloop) : (plugin.tools ?? [])));
    const routes = plugins.flatMap((plugin) => (typeof plugin.routes === 'function' ? plugin.routes(preloop) : (plugin.routes ?? [])));
    Object.assign(preloop, {
      tools,
      api: metrics.instrument(
        'admin',
        createAdminApi(preloop, [...coreRoutes, ...routes], {
          bodyLimitBytes: resolved.bodyLimitBytes,
          basePath: resolved.basePath,
          trustedOrigins: resolved.trustedOrigins,
          validateResponses: resolved.validateResponses,
        }),
      ),
    });
    for (const plugin of plugins) services.register(plugin.id, await plugin.init?.(preloop));
    return preloop as Preloop<ServicesOf<Plugins>>;
  } catch (error) {
    await closeAll();
    throw error;
  }
}
