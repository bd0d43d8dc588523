import type { ToolContribution } from '../contracts/tool.js';
import type { HookHandlers } from '../hooks/hook-types.js';
import type { AdminRoute } from '../api/define-route.js';
import type { PreloopMigration } from '../storage/migrations.js';
import type { Preloop } from '../kernel/preloop.js';

/**
 * A Preloop plugin: a plain object with an `id`, optional dependencies, its own
 * migrations, hooks, and capability contributions. Make one with {@link definePlugin}.
 */
export interface PreloopPlugin {
  /** Unique id, for example `approvals` or `github`. Two plugins with one id are a configuration error. */
  id: string;
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
  /** Further capability contributions (model providers, notifiers, trackers, runtimes), read by the packages that use them. */
  contributions?: {
    modelProviders?: unknown[];
    notifiers?: unknown[];
    trackers?: unknown[];
    runtimes?: unknown[];
  };
  /** Called once the kernel is built and migrated, in dependency order. */
  init?(preloop: Preloop): void | Promise<void>;
  /** Called on `preloop.close()`, in reverse order. */
  close?(): void | Promise<void>;
}

/**
 * Helps inference when writing a plugin factory. The object is returned as is.
 *
 * @example
 * ```ts
 * export function hello(options: { greeting?: string } = {}) {
 *   return definePlugin({
 *     id: 'hello',
 *     hooks: { 'audit.record': async (record) => console.log(options.greeting ?? 'hi', record.action) },
 *   });
 * }
 * ```
 */
export function definePlugin<const T extends PreloopPlugin>(plugin: T): T {
  return plugin;
}
