import { definePlugin, type Preloop, type PreloopPlugin } from '@preloop/core';
import { mcpServerRoutes } from '../admin/server-routes.js';
import { mcpToolRoutes } from '../admin/tool-routes.js';
import { mcpMigrations } from '../store/mcp-migrations.js';
import { createMcpRuntime, type McpPluginOptions, type McpRuntime } from './mcp-runtime.js';

/**
 * The `@preloop/mcp` plugin (id `mcp`): its tables (upstream servers, tools
 * with pinned definition hashes and quarantine state, per-tool statistics),
 * its admin routes (`/mcp-servers`, `/tools`) and the shared runtime that
 * `createMcpHandler` uses (upstream connections, catalog, records): its
 * service, `preloop.service('mcp')`.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({ database: ':memory:', plugins: [approvals(), mcp({ maxHttpConnections: 8 })] });
 * const handler = createMcpHandler(preloop);
 * ```
 */
export function mcp(options: McpPluginOptions = {}) {
  const runtimes = new Set<McpRuntime>();
  return definePlugin({
    id: 'mcp',
    migrations: mcpMigrations,
    routes: [...mcpServerRoutes, ...mcpToolRoutes],
    init(preloop: Preloop): McpRuntime {
      const runtime = createMcpRuntime(preloop, options);
      runtimes.add(runtime);
      return runtime;
    },
    async close() {
      const all = [...runtimes];
      runtimes.clear();
      await Promise.all(all.map((runtime) => runtime.close()));
    },
  }) satisfies PreloopPlugin;
}
