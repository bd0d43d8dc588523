import { definePlugin, PreloopError, type ApprovalProvider, type Preloop } from '@preloop/core';
import { approvalAdminRoutes } from './admin-routes.js';
import { approvalArgumentsRoute } from './arguments-route.js';
import { buildApprovalEngine, type ApprovalEngine } from './create-approval-engine.js';
import type { EngineContext } from './engine-context.js';
import { decisionLinkRoutes } from './link-routes.js';
import { approvalMigrations } from './migrations.js';
import { resolveApprovalsOptions, type ApprovalsOptions } from './options.js';

const engines = new WeakMap<Preloop, ApprovalEngine>();

/**
 * The approval engine plugin (id `approvals`): durable approval requests bound
 * to (subject, session, tool, argument hash, tool definition hash), workflows
 * with quorum, timeouts and one escalation, separation of duties, signed
 * single-use decision links, notifier dispatch with retries, flood control,
 * admin API routes and server-sent events. It provides core's
 * `approval.request` hook. Create one plugin per kernel.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({
 *   database: 'sqlite:./preloop.db',
 *   secretKey: process.env.PRELOOP_SECRET_KEY,
 *   plugins: [approvals({ publicUrl: 'https://preloop.example.com', maxPendingPerSubject: 20 })],
 * });
 * const engine = getApprovalEngine(preloop);
 * ```
 */
export function approvals(options: ApprovalsOptions = {}) {
  const resolved = resolveApprovalsOptions(options);
  let engine: ApprovalEngine | null = null;
  let context: EngineContext | null = null;
  let owner: Preloop | null = null;

  const current = (): ApprovalEngine => {
    if (!engine) throw new PreloopError('CONFIGURATION_ERROR', 'approvals: the plugin is not running (the kernel has not finished starting, or it was closed).');
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
      ...decisionLinkRoutes(current, currentContext),
    ],
    async init(preloop: Preloop) {
      if (owner && owner !== preloop) {
        throw new PreloopError('CONFIGURATION_ERROR', 'approvals: this plugin instance already runs in another kernel; call approvals() once per kernel.');
      }
      owner = preloop;
      const built = await buildApprovalEngine(preloop, resolved);
      engine = built.engine;
      context = built.context;
      engines.set(preloop, built.engine);
    },
    async close() {
      const running = engine;
      engine = null;
      context = null;
      if (owner) engines.delete(owner);
      owner = null;
      await running?.close();
    },
  });
}

/**
 * The approval engine running in `preloop` (installed with {@link approvals}).
 * A `CONFIGURATION_ERROR` when the plugin is not installed or not started.
 *
 * @example
 * ```ts
 * const engine = getApprovalEngine(preloop);
 * await engine.decide({ accountId, requestId, actor: principal, decision: 'approve', channel: 'api' });
 * ```
 */
export function getApprovalEngine(preloop: Preloop): ApprovalEngine {
  const engine = engines.get(preloop);
  if (!engine) throw new PreloopError('CONFIGURATION_ERROR', 'approvals: no running approval engine in this kernel; add approvals() to its plugins.');
  return engine;
}
