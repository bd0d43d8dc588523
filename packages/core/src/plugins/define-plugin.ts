import type { ModelProvider } from '../contracts/model-provider.js';
import type { AgentRuntime } from '../contracts/runtime.js';
import type { Notifier } from '../contracts/notifier.js';
import type { ToolContribution } from '../contracts/tool.js';
import type { Tracker } from '../contracts/tracker.js';
import type { HookHandlers } from '../hooks/hook-types.js';
import type { AdminRoute } from '../api/define-route.js';
import type { PreloopMigration } from '../storage/migrations.js';
import type { Preloop } from '../kernel/preloop.js';

/**
 * A Preloop plugin: a plain object with an `id`, optional dependencies, its own
 * migrations, hooks, and capability contributions. Make one with {@link definePlugin}.
 * What its `init` returns is its service, kept by the kernel and read with
 * `preloop.service(id)`.
 *
 * @typeParam Id - The plugin id, as a literal type, so the kernel can key its service by it.
 * @typeParam Service - What `init` returns (the plugin's service), `void` for none.
 */
export interface PreloopPlugin<Id extends string = string, Service = unknown> {
  /** Unique id, for example `approvals` or `github`. Two plugins with one id are a configuration error. */
  id: Id;
  /** Ids of plugins that must also be installed. A missing one is a configuration error at start-up. */
  dependencies?: string[];
  /** The plugin's own migrations; they run after core's, in dependency order. */
  migrations?: PreloopMigration[];
  /** Hook handlers; see {@link HookHandlers} for each hook's run strategy. */
  hooks?: Partial<HookHandlers>;
  /** MCP tools the plugin contributes. */
  tools?: ToolContribution[] | ((preloop: Preloop) => ToolContribution[]);
  /** Extra admin API (or webhook) routes, mounted under `/api/v1`. */
  routes?: AdminRoute[] | ((preloop: Preloop) => AdminRoute[]);
  /**
   * Further capability contributions, read by the packages that use them.
   * Each is checked against its contract when the kernel starts: one that
   * does not implement it is a `CONFIGURATION_ERROR` naming the plugin, the
   * kind, the index and the problem.
   */
  contributions?: PluginContributions;
  /**
   * Called once the kernel is built and migrated, in dependency order (so a
   * plugin's dependencies' services are already registered). What it returns
   * (resolved) is the plugin's service, served by `preloop.service(id)`;
   * `undefined` registers none.
   */
  init?(preloop: Preloop): Service | Promise<Service>;
  /** Called on `preloop.close()`, in reverse order. */
  close?(): void | Promise<void>;
}

/** What a plugin contributes besides tools and routes. */
export interface PluginContributions {
  /** Upstream model APIs for the model gateway (contract version 1). */
  modelProviders?: ModelProvider[];
  /** Approval notification channels for the approvals engine (contract version 1). */
  notifiers?: Notifier[];
  /** Issue trackers (contract version 1): GitHub, GitLab, Jira… */
  trackers?: Tracker<any>[];
  /** Agent runtimes for the flows plugin (contract version 1). */
  runtimes?: AgentRuntime[];
}

/**
 * Helps inference when writing a plugin factory: the id is kept as a literal
 * type and `init`'s result as the service type, so `createPreloop` types
 * `preloop.service(id)`. The object is returned as is.
 *
 * @example
 * ```ts
 * export function hello(options: { greeting?: string } = {}) {
 *   return definePlugin({
 *     id: 'hello',
 *     hooks: { 'audit.record': async (record) => console.log(options.greeting ?? 'hi', record.action) },
 *     init: () => ({ greet: (name: string) => `${options.greeting ?? 'hi'} ${name}` }),
 *   });
 * }
 * const preloop = await createPreloop({ database: ':memory:', plugins: [hello()] });
 * preloop.service('hello').greet('Ada'); // 'hi Ada'
 * ```
 */
export function definePlugin<const T extends PreloopPlugin<string, any>>(plugin: T): T {
  return plugin;
}
