import { definePlugin, PreloopError, type ApprovalProvider, type Preloop } from '@preloop/core';
import { approvalAdminRoutes } from './admin-routes.js';
import { approvalArgumentsRoute } from './arguments-route.js';
import { approvalDeliveriesRoute } from './delivery-routes.js';
import { notificationPreferenceRoutes } from './preference-routes.js';
import { registerApprovalMetrics } from './approval-metrics.js';
import { buildApprovalEngine, type ApprovalEngine } from './create-approval-engine.js';
import type { EngineContext } from './engine-context.js';
import { decisionLinkRoutes } from './link-routes.js';
import { approvalMigrations } from './migrations.js';
import { resolveApprovalsOptions, type ApprovalsOptions } from './options.js';

declare module '@preloop/core' {
  interface PreloopServices {
    /** The approval engine of the `approvals()` plugin. */
    approvals: ApprovalEngine;
  }
}

/**
 * The approval engine plugin (id `approvals`): durable approval requests bound
 * to (subject, session, tool, argument hash, tool definition hash), workflows
 * with quorum, timeouts and one escalation, separation of duties, signed
 * single-use decision links, notifier dispatch with retries, flood control,
 * admin API routes and server-sent events. It provides core's
 * `approval.request` hook, and its service is the {@link ApprovalEngine}
 * (`preloop.service('approvals')`). Create one plugin per kernel.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({
 *   database: 'sqlite:./preloop.db',
 *   secretKey: process.env.PRELOOP_SECRET_KEY,
 *   plugins: [approvals({ publicUrl: 'https://preloop.example.com', maxPendingPerSubject: 20 })],
 * });
 * const engine = preloop.service('approvals');
 * ```
 */
export function approvals(options: ApprovalsOptions = {}) {
  const resolved = resolveApprovalsOptions(options);
  let engine: ApprovalEngine | null = null;
  let context: EngineContext | null = null;
  let owner: Preloop | null = null;
  let inFlight: (() => number) | null = null;

  const current = (): ApprovalEngine => {
    if (!engine)
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        'approvals: the plugin is not running (the kernel has not finished starting, or it was closed).',
      );
    return engine;
  };
  const currentContext = (): EngineContext => {
    if (!context) throw new PreloopError('CONFIGURATION_ERROR', 'approvals: the plugin is not running.');
    return context;
  };
  const provider: ApprovalProvider = {
    request: (input) => current().request(input),
    wait: (id, waitOptions) => current().wait(id, waitOptions),
    status: (id, accountId) => current().status(id, accountId),
    cancel: (id, actor, reason) => current().cancel(id, actor, reason),
    claimExecution: (id, claimOptions) => current().claimExecution(id, claimOptions),
    storeResult: (id, result) => current().storeResult(id, result),
  };

  return definePlugin({
    id: 'approvals',
    migrations: approvalMigrations,
    hooks: { 'approval.request': provider },
    routes: () => [
      ...approvalAdminRoutes(current, { publicUrl: resolved.publicUrl }),
      approvalArgumentsRoute(currentContext),
      approvalDeliveriesRoute(current),
      ...notificationPreferenceRoutes(current, currentContext),
      ...decisionLinkRoutes(current, currentContext),
    ],
    async init(preloop: Preloop): Promise<ApprovalEngine> {
      if (owner && owner !== preloop) {
        throw new PreloopError(
          'CONFIGURATION_ERROR',
          'approvals: this plugin instance already runs in another kernel; call approvals() once per kernel.',
        );
      }
      owner = preloop;
      const built = await buildApprovalEngine(preloop, resolved);
      engine = built.engine;
      context = built.context;
      inFlight = built.inFlight;
      registerApprovalMetrics(preloop, { inFlight: () => inFlight?.() ?? 0 });
      return built.engine;
    },
    async close() {
      const running = engine;
      engine = null;
      context = null;
      inFlight = null;
      owner = null;
      await running?.close();
    },
  });
}
