/**
 * The `gateway()` plugin: the gateway's tables, admin routes and shared
 * runtime in a kernel.
 *
 * @module
 */

import { definePlugin, type Preloop, type PreloopPlugin } from '@preloop/core';
import { registerGatewayMetrics } from '../records/gateway-metrics.js';
import { budgetRoutes } from '../admin/budget-routes.js';
import { modelRoutes } from '../admin/model-routes.js';
import { usageRoutes } from '../admin/usage-routes.js';
import { gatewayMigrations } from '../storage/gateway-migrations.js';
import { createGatewayRuntime, type GatewayPluginOptions, type GatewayRuntime } from './gateway-runtime.js';

/**
 * The model gateway plugin (id `gateway`): migrations (model aliases, usage
 * records, budgets, reservations, gateway events), admin routes under
 * `/api/v1` (`/models`, `/usage`, `/usage/summary`, `/budgets`,
 * `/budgets/status`, `/runtime-sessions/:id/gateway-events`) and the runtime
 * `createGateway` uses: its service, `preloop.service('gateway')`. Install
 * provider plugins next to it.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({ database: 'sqlite:./preloop.db', plugins: [gateway(), openai(), anthropic()] });
 * const handler = createGateway(preloop);
 * ```
 */
export function gateway(options: GatewayPluginOptions = {}) {
  let runtime: GatewayRuntime | null = null;
  return definePlugin({
    id: 'gateway',
    migrations: gatewayMigrations,
    routes: [...modelRoutes(), ...budgetRoutes(), ...usageRoutes()],
    init(preloop: Preloop): GatewayRuntime {
      runtime = createGatewayRuntime(preloop, options);
      registerGatewayMetrics(preloop);
      return runtime;
    },
    async close() {
      await runtime?.close();
      runtime = null;
    },
  }) satisfies PreloopPlugin;
}
