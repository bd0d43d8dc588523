import { PreloopError } from '../errors.js';
import type { AuditRecord } from '../audit/audit-types.js';
import type { ApprovalProvider } from '../contracts/approval.js';
import type { PreloopEvents } from '../events/create-event-bus.js';
import type { Principal } from '../identity/principal.js';
import type { PreloopPlugin } from '../plugins/define-plugin.js';
import { combineDecisions, type PolicyDecision } from '../policy/index.js';
import {
  hookNames,
  type HookHandlers,
  type ModelCallEnvelope,
  type ModelResultEnvelope,
  type PolicyHookInput,
  type ToolCallEnvelope,
  type ToolResultEnvelope,
} from './hook-types.js';

type Registered<K extends keyof HookHandlers> = { pluginId: string; handler: HookHandlers[K] };

/** Runs each hook family with its documented strategy. Built by the kernel; plugins reach it as `preloop.hooks`. */
export interface HookRunner {
  /** Runs every `policy.evaluate` evaluator (tool and model calls); deny > require_approval > allow; a throw denies. Null when no evaluator answered. */
  evaluatePolicy(input: PolicyHookInput): Promise<PolicyDecision | null>;
  /** True when at least one plugin registered a `policy.evaluate` hook (the hot paths skip the stage otherwise). */
  readonly hasPolicyEvaluators: boolean;
  /** The single approval provider, or null when none is installed. */
  readonly approvals: ApprovalProvider | null;
  /** Hands a stored audit record to every sink; failures are reported as `hook-failed` events, never thrown. */
  sendToAuditSinks(record: AuditRecord): Promise<void>;
  /** Runs `tool.before` transforms in order. */
  beforeTool(call: ToolCallEnvelope): Promise<ToolCallEnvelope>;
  /** Runs `tool.after` transforms in order. */
  afterTool(result: ToolResultEnvelope): Promise<ToolResultEnvelope>;
  /** Runs `model.before` transforms in order. */
  beforeModel(call: ModelCallEnvelope): Promise<ModelCallEnvelope>;
  /** Runs `model.after` transforms in order. */
  afterModel(result: ModelResultEnvelope): Promise<ModelResultEnvelope>;
  /** Runs the host's `authenticate` hooks; the first principal wins. */
  authenticate(request: Request): Promise<Principal | null>;
}

/**
 * Builds the hook runner from the ordered plugins (and the host's own hooks,
 * registered as plugin `host`). Unknown hook names and a second approval
 * provider are configuration errors.
 *
 * @example
 * ```ts
 * const hooks = createHookRunner(orderPlugins(plugins), events);
 * const decision = await hooks.evaluatePolicy(input);
 * ```
 */
export function createHookRunner(plugins: readonly PreloopPlugin[], events: PreloopEvents): HookRunner {
  const registry = new Map<keyof HookHandlers, Registered<keyof HookHandlers>[]>();
  for (const plugin of plugins) {
    for (const [name, handler] of Object.entries(plugin.hooks ?? {})) {
      if (!hookNames.includes(name as keyof HookHandlers)) {
        throw new PreloopError(
          'CONFIGURATION_ERROR',
          `plugins: "${plugin.id}" registers unknown hook "${name}"; known hooks are ${hookNames.join(', ')}.`,
        );
      }
      if (handler === undefined) continue;
      const list = registry.get(name as keyof HookHandlers) ?? [];
      list.push({ pluginId: plugin.id, handler: handler as never });
      registry.set(name as keyof HookHandlers, list);
    }
  }
  const get = <K extends keyof HookHandlers>(name: K): Registered<K>[] => (registry.get(name) ?? []) as Registered<K>[];

  const providers = get('approval.request');
  if (providers.length > 1) {
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      `plugins: only one approval provider may be installed, found ${providers.map((p) => `"${p.pluginId}"`).join(' and ')}.`,
    );
  }

  const transform = async <K extends 'tool.before' | 'tool.after' | 'model.before' | 'model.after'>(
    name: K,
    value: Parameters<HookHandlers[K]>[0],
  ): Promise<Parameters<HookHandlers[K]>[0]> => {
    let current = value;
    for (const { handler } of get(name)) current = await (handler as (v: typeof value) => Promise<typeof value>)(current);
    return current;
  };

  return {
    async evaluatePolicy(input) {
      const evaluators = get('policy.evaluate');
      if (evaluators.length === 0) return null;
      const decisions = await Promise.all(
        evaluators.map(async ({ pluginId, handler }): Promise<PolicyDecision | undefined> => {
          try {
            return await handler(input);
          } catch (error) {
            events.emit('hook-failed', { hook: 'policy.evaluate', pluginId, error: error as Error });
            return {
              action: 'deny',
              reason: `policy_error: evaluator "${pluginId}" failed`,
              explanation: { scope: `plugin:${pluginId}`, rule: null },
            } as PolicyDecision;
          }
        }),
      );
      const answered = decisions.filter((decision): decision is PolicyDecision => decision !== undefined && decision !== null);
      return answered.length === 0 ? null : combineDecisions(answered);
    },
    hasPolicyEvaluators: get('policy.evaluate').length > 0,
    approvals: providers[0]?.handler ?? null,
    async sendToAuditSinks(record) {
      await Promise.all(
        get('audit.record').map(async ({ pluginId, handler }) => {
          try {
            await handler(record);
          } catch (error) {
            events.emit('hook-failed', { hook: 'audit.record', pluginId, error: error as Error });
          }
        }),
      );
    },
    beforeTool: (call) => transform('tool.before', call),
    afterTool: (result) => transform('tool.after', result),
    beforeModel: (call) => transform('model.before', call),
    afterModel: (result) => transform('model.after', result),
    async authenticate(request) {
      for (const { handler } of get('authenticate')) {
        const principal = await handler(request);
        if (principal) return principal;
      }
      return null;
    },
  };
}
