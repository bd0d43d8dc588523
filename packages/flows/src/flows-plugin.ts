import { definePlugin, findRuntimeProblems, PreloopError, type AgentRuntime, type Preloop } from '@preloop/core';
import './flow-events.js';
import { flowRoutes } from './routes.js';
import { createFlowsService, type FlowsService } from './flows-service.js';
import { flowMigrations } from './migrations.js';
import { resolveFlowsOptions, type FlowsOptions } from './options.js';
import { agentLoopRuntime } from './runtimes/agent-loop.js';
import { commandRuntime } from './runtimes/command-runtime.js';

declare module '@preloop/core' {
  interface PreloopServices {
    /** The flows service of the `flows()` plugin. */
    flows: FlowsService;
  }
}

/**
 * The flows plugin (id `flows`): flows that run an agent when something
 * happens (a kernel event such as a tracker event, a signed webhook, a cron
 * schedule, a manual start), with a Liquid prompt template, a runtime
 * (`agent-loop`, `command`, or one a plugin contributes), a model, tools that
 * narrow policy, a budget, a concurrency limit, a timeout and retries. Each
 * execution is durable, claimed with a lease, and runs as a runtime session of
 * the flow's managed agent with a short-lived runtime credential, so every
 * model and tool call goes through this server's gateway and MCP endpoint.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({
 *   database: 'sqlite:./preloop.db',
 *   secretKey: process.env.PRELOOP_SECRET_KEY,
 *   plugins: [approvals(), mcp(), gateway(), openai(), flows({ baseUrl: 'http://127.0.0.1:8787' })],
 * });
 * await preloop.service('flows').run(preloop.accountId, flowId, { inputs: { repo: 'acme/api' } }, null);
 * ```
 */
export function flows(options: FlowsOptions) {
  const resolved = resolveFlowsOptions(options);
  let service: FlowsService | null = null;
  const current = (): FlowsService => {
    if (!service)
      throw new PreloopError('CONFIGURATION_ERROR', 'flows: the plugin is not running (the kernel has not started, or it was closed).');
    return service;
  };

  return definePlugin({
    id: 'flows',
    migrations: flowMigrations,
    hooks: {
      'policy.evaluate': (input) => (service ? service.evaluate(input) : undefined),
    },
    routes: () => flowRoutes(current, resolved),
    init(preloop: Preloop): FlowsService {
      const runtimes = new Map<string, AgentRuntime>();
      const add = (runtime: AgentRuntime, source: string) => {
        const problems = findRuntimeProblems(runtime);
        if (problems.length)
          throw new PreloopError(
            'CONFIGURATION_ERROR',
            `flows: the runtime from ${source} is not a version 1 runtime: ${problems.join('; ')}.`,
          );
        if (runtimes.has(runtime.id))
          throw new PreloopError('CONFIGURATION_ERROR', `flows: two runtimes have the id "${runtime.id}" (the second from ${source}).`);
        runtimes.set(runtime.id, runtime);
      };
      add(agentLoopRuntime(), 'the flows plugin');
      add(commandRuntime({ secret: (accountId, name) => preloop.secrets.get(accountId, name) }), 'the flows plugin');
      for (const plugin of preloop.plugins)
        for (const runtime of plugin.contributions?.runtimes ?? []) add(runtime, `plugin "${plugin.id}"`);
      for (const runtime of resolved.runtimes) add(runtime, 'the "runtimes" option');
      service = createFlowsService(preloop, resolved, runtimes);
      service.start();
      return service;
    },
    async close() {
      const running = service;
      service = null;
      await running?.close();
    },
  });
}
