import { PreloopError, type AgentRuntime, type RuntimeEndpoints } from '@preloop/core';
import { randomUUID } from 'node:crypto';

/** Options of the `flows()` plugin. */
export interface FlowsOptions {
  /**
   * Where this server's gateway and MCP endpoint are reachable from the runtimes
   * (the server's own URL), for example `https://preloop.example.com`: the
   * OpenAI base URL is `<baseUrl>/openai/v1`, the Anthropic one
   * `<baseUrl>/anthropic`, MCP `<baseUrl>/mcp`.
   */
  baseUrl: string;
  /** Override single endpoints (a gateway mounted elsewhere). @default derived from `baseUrl` */
  endpoints?: Partial<RuntimeEndpoints>;
  /** Where the admin API is reachable from outside (for the webhook URLs shown). @default `baseUrl` */
  publicUrl?: string;
  /** Extra runtimes (besides the built-ins and those plugins contribute). @default [] */
  runtimes?: AgentRuntime[];
  /** How long a claimed execution's lease lasts without renewal (renewed every third of it). @default 30000 */
  leaseMs?: number;
  /** How often the runner looks for due, expired and resumable executions. @default 1000 */
  pollIntervalMs?: number;
  /** Executions this instance runs at once. @default 4 */
  maxConcurrentRuns?: number;
  /** How often schedules are checked (0: never by timer; call `checkSchedules()`). @default 1000 */
  scheduleIntervalMs?: number;
  /** How far a webhook's timestamp may be from the server's clock, in seconds. @default 300 */
  webhookToleranceSeconds?: number;
  /** The largest webhook body, in bytes. @default 1048576 */
  webhookMaxBytes?: number;
  /** This instance's id in leases and logs. @default a random id */
  instanceId?: string;
  /** The clock (tests pass a fake one). @default Date.now */
  now?: () => number;
}

/** The options after defaults. */
export interface ResolvedFlowsOptions {
  endpoints: RuntimeEndpoints;
  publicUrl: string;
  runtimes: AgentRuntime[];
  leaseMs: number;
  pollIntervalMs: number;
  maxConcurrentRuns: number;
  scheduleIntervalMs: number;
  webhookToleranceSeconds: number;
  webhookMaxBytes: number;
  instanceId: string;
  now: () => number;
}

const positive = (name: string, value: number | undefined, fallback: number, minimum = 1): number => {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < minimum)
    throw new PreloopError('CONFIGURATION_ERROR', `flows: "${name}" must be a number of at least ${minimum} (got ${value}).`);
  return value;
};

/**
 * Applies the defaults of {@link FlowsOptions} and checks them; a bad option is
 * a `CONFIGURATION_ERROR` naming it.
 *
 * @example
 * ```ts
 * const resolved = resolveFlowsOptions({ baseUrl: 'http://127.0.0.1:8787' });
 * resolved.endpoints.mcpUrl; // 'http://127.0.0.1:8787/mcp'
 * ```
 */
export function resolveFlowsOptions(options: FlowsOptions): ResolvedFlowsOptions {
  let base: URL;
  try {
    base = new URL(options?.baseUrl);
  } catch {
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      `flows: "baseUrl" must be an absolute http(s) URL (got ${JSON.stringify(options?.baseUrl)}).`,
    );
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new PreloopError('CONFIGURATION_ERROR', `flows: "baseUrl" must be an http(s) URL (got ${base.protocol}).`);
  const root = base.href.replace(/\/+$/, '');
  return {
    endpoints: {
      openaiBaseUrl: options.endpoints?.openaiBaseUrl ?? `${root}/openai/v1`,
      anthropicBaseUrl: options.endpoints?.anthropicBaseUrl ?? `${root}/anthropic`,
      mcpUrl: options.endpoints?.mcpUrl ?? `${root}/mcp`,
    },
    publicUrl: (options.publicUrl ?? root).replace(/\/+$/, ''),
    runtimes: options.runtimes ?? [],
    leaseMs: positive('leaseMs', options.leaseMs, 30_000, 100),
    pollIntervalMs: positive('pollIntervalMs', options.pollIntervalMs, 1000, 10),
    maxConcurrentRuns: positive('maxConcurrentRuns', options.maxConcurrentRuns, 4),
    scheduleIntervalMs: positive('scheduleIntervalMs', options.scheduleIntervalMs, 1000, 0),
    webhookToleranceSeconds: positive('webhookToleranceSeconds', options.webhookToleranceSeconds, 300),
    webhookMaxBytes: positive('webhookMaxBytes', options.webhookMaxBytes, 1_048_576),
    instanceId: options.instanceId ?? `flows-${randomUUID().slice(0, 8)}`,
    now: options.now ?? Date.now,
  };
}
