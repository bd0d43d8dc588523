import type { Kysely } from 'kysely';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Bus } from '../bus/bus.js';
import type { ToolContribution } from '../contracts/tool.js';
import type { PreloopEvents } from '../events/create-event-bus.js';
import type { Governance } from '../governance/create-governance.js';
import type { HookRunner } from '../hooks/hook-runner.js';
import type { Identity } from '../identity/create-identity.js';
import type { Principal } from '../identity/principal.js';
import type { Logger } from '../logger.js';
import type { PreloopMetrics } from '../metrics/create-metrics.js';
import type { Tracing } from '../tracing/create-tracing.js';
import type { PreloopPlugin } from '../plugins/define-plugin.js';
import type { KernelServices, PreloopServices } from '../plugins/plugin-services.js';
import type { RateLimitStore } from '../rate-limit/rate-limit-store.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { DialectName } from '../storage/database.js';
import type { KernelTables } from '../storage/schema.js';
import type { ToolSources } from '../tools/tool-sources.js';
import type { TrackerConnections } from '../trackers/tracker-connections.js';
import type { Issues } from '../trackers/sync/issue-service.js';
import type { ResolvedPreloopOptions } from './options.js';
import type { Readiness } from './readiness.js';

/** Options of {@link Preloop.authenticate}. */
export interface AuthenticateOptions {
  /** The audience a runtime credential must carry (for example `mcp` or `gateway`). Omitted: any of ours. */
  audience?: string;
  /**
   * The exact URL of the resource being called (RFC 8707). OAuth access tokens
   * are accepted only where it is given and equals the resource they were
   * issued for. Omitted: OAuth access tokens are refused.
   */
  resource?: string;
}

/**
 * A running Preloop kernel, as returned by `createPreloop`.
 *
 * @typeParam Services - The plugin services `createPreloop` inferred from its `plugins`, by plugin id
 * (added to those declared in {@link PreloopServices}).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Preloop<Services extends object = {}> {
  /** The admin REST API: a web-standard handler serving `/api/v1/*`. */
  readonly api: (request: Request) => Promise<Response>;
  /** Typed events: observe, never decide. */
  readonly events: PreloopEvents;
  /** The hook runner (policy, approvals, audit sinks, transforms). */
  readonly hooks: HookRunner;
  /** Signals between instances. */
  readonly bus: Bus;
  /**
   * The database (Kysely), typed with the kernel's tables ({@link KernelTables}).
   * A plugin queries its own tables through Kysely's
   * `preloop.db.withTables<MyTables>()`, a typed copy on the same connection.
   */
  readonly db: Kysely<KernelTables>;
  /** Which SQL dialect `db` speaks. */
  readonly dialect: DialectName;
  /** The id of the default account created on first start. */
  readonly accountId: string;
  /** Users, teams, API keys, agents, runtime sessions, console sessions. */
  readonly identity: Identity;
  /** Rate-limit counters in the database, shared by every instance (the login throttle and the gateway's limits use them). */
  readonly rateLimits: RateLimitStore;
  /** Encrypted credential storage. */
  readonly secrets: SecretStore;
  /** The tamper-evident audit trail. */
  readonly audit: AuditTrail;
  /** Policy versions, evaluation (with plugin evaluators) and the kill switch. */
  readonly governance: Governance;
  /** The installed plugins in dependency order. */
  readonly plugins: readonly PreloopPlugin[];
  /**
   * The service plugin `id` returned from its `init` (for example
   * `preloop.service('approvals')`, the approval engine). Typed from the
   * plugins given to `createPreloop` and from {@link PreloopServices}.
   * Throws `SERVICE_NOT_REGISTERED` (500) naming the id when no such plugin
   * runs in this kernel (or it returned no service).
   *
   * @example
   * ```ts
   * const engine = preloop.service('approvals');
   * ```
   */
  service<Id extends keyof KernelServices<Services> & string>(id: Id): KernelServices<Services>[Id];
  /** Tools contributed by plugins. */
  readonly tools: readonly ToolContribution[];
  /** Per-account tool sources (tracker connections' tools…), listed by the MCP catalog next to `tools`. */
  readonly toolSources: ToolSources;
  /** Tracker connections and their clients (`preloop.trackers.client(accountId, connectionId)`). */
  readonly trackers: TrackerConnections;
  /** The unified issue store of the connected trackers: search, sync, duplicates, writes through a connection. */
  readonly issues: Issues;
  /** The structured logger. */
  readonly logger: Logger;
  /** The validated options. */
  readonly options: Readonly<ResolvedPreloopOptions>;
  /** Prometheus metrics of this kernel (its own registry) and of the process; served at `GET /api/v1/metrics`. */
  readonly metrics: PreloopMetrics;
  /** OpenTelemetry traces of governed calls (option `tracing`); `enabled` is false, and nothing is loaded, without it. */
  readonly tracing: Tracing;
  /** Readiness checks (database, Bus, and those plugins add), served at `GET /api/v1/health/ready`. */
  readonly readiness: Readiness;
  /**
   * Returns the principal behind a request: an API key or runtime credential
   * (`Authorization: Bearer …`), a console session cookie, or the host's
   * `authenticate` hook. Null when none is valid; throws `STORE_UNAVAILABLE`
   * (503) when the database cannot be reached to check the credential.
   */
  authenticate(request: Request, options?: AuthenticateOptions): Promise<Principal | null>;
  /** Stops timers, closes plugins, the Bus and the database. */
  close(): Promise<void>;
}
