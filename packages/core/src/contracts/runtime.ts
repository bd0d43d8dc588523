import { describeValue } from './describe-value.js';

/** The version of the agent runtime contract described in this file. */
export const runtimeContractVersion = 1;

/** Where a runtime line of output comes from. */
export type RuntimeLogStream = 'stdout' | 'stderr' | 'info' | 'error';

/** Where the runtime reaches Preloop: the governed model gateway and MCP endpoint. */
export interface RuntimeEndpoints {
  /** OpenAI-compatible base URL of the gateway, for example `https://preloop.example.com/openai/v1`. */
  openaiBaseUrl: string;
  /** Anthropic-compatible base URL of the gateway, for example `https://preloop.example.com/anthropic`. */
  anthropicBaseUrl: string;
  /** The governed MCP endpoint (Streamable HTTP), for example `https://preloop.example.com/mcp`. */
  mcpUrl: string;
}

/** Token counts and spend a run reports (what the gateway metered is the source of truth; this is the runtime's own view). */
export interface RuntimeUsage {
  /** Model calls made. */
  modelCalls: number;
  /** Tool calls made. */
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
}

/** What a runtime's `run` is given: one execution of a flow. */
export interface RuntimeRunContext {
  accountId: string;
  flowId: string;
  executionId: string;
  /** The attempt (1 for the first run; a retry or a resume after approval counts up). */
  attempt: number;
  /** The rendered prompt. */
  prompt: string;
  /** The model alias the runtime must use (the credential may use no other), or null for the runtime's own default. */
  model: string | null;
  /** The gateway and MCP endpoint. */
  endpoints: RuntimeEndpoints;
  /** The runtime credential (a short-lived bearer token bound to `runtimeSessionId`), for the gateway and MCP. Never log it. */
  credential: string;
  /** The runtime session every call of this execution is attributed to. */
  runtimeSessionId: string;
  /** The runtime's options from the flow (already validated by `validateOptions`). */
  options: Record<string, unknown>;
  /** Aborted on cancel, timeout, kill switch or shutdown: stop at once (kill child processes). */
  signal: AbortSignal;
  /** Appends a line to the execution's log (streamed live to the console). */
  log(stream: RuntimeLogStream, text: string): void;
  /** What the runtime returned when it parked on an approval, when this run resumes it; null on a fresh run. */
  checkpoint: unknown;
  /** The flow's tool allow-list (glob patterns), already enforced by the credential's policy; for the runtime's own filtering. */
  allowedTools: string[] | null;
}

/** What a run ends with. */
export type RuntimeRunResult =
  | { status: 'succeeded'; output: string; usage?: Partial<RuntimeUsage> }
  | { status: 'failed'; error: string; usage?: Partial<RuntimeUsage> }
  /**
   * A tool call waits for a human approval (MCP async approval mode): the
   * execution parks without holding a worker and runs again, with
   * `checkpoint`, once the request is decided.
   */
  | { status: 'waiting_approval'; approvalRequestId: string; checkpoint: unknown; usage?: Partial<RuntimeUsage> };

/**
 * An agent runtime (contract version 1): runs one flow execution's agent with
 * a prompt, a model alias, the gateway and MCP endpoint and a runtime
 * credential. Contributed by plugins as `contributions.runtimes`; the flows
 * plugin's built-ins are `agent-loop` and `command`.
 *
 * @example
 * ```ts
 * const echo: AgentRuntime = {
 *   id: 'echo',
 *   version: 1,
 *   description: 'Answers with the prompt.',
 *   async run(context) {
 *     context.log('info', 'echoing');
 *     return { status: 'succeeded', output: context.prompt };
 *   },
 * };
 * ```
 */
export interface AgentRuntime {
  /** Unique id, for example `agent-loop`, `command` or `container`. */
  id: string;
  /** Contract version: 1. */
  version: typeof runtimeContractVersion;
  /** One line for the console. */
  description?: string;
  /**
   * Problems with a flow's runtime options (empty when valid), each naming the
   * option, checked when a flow is saved. @default none: every object is accepted
   */
  validateOptions?(options: Record<string, unknown>): string[];
  /** Runs one execution. Throwing counts as `failed` with the error's message. Must return soon after `signal` aborts. */
  run(context: RuntimeRunContext): Promise<RuntimeRunResult>;
}

/**
 * What is wrong with a value offered as an {@link AgentRuntime} (empty when it
 * implements the contract): the kernel checks every `contributions.runtimes`
 * entry with it at start-up.
 *
 * @example
 * ```ts
 * findRuntimeProblems({ id: 'x', version: 2 }); // ['"version" must be 1 (got 2)', '"run" must be a function']
 * ```
 */
export function findRuntimeProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [`must be an object ({ id, version: 1, run }), not ${describeValue(value)}`];
  const candidate = value as Partial<Record<keyof AgentRuntime, unknown>>;
  const problems: string[] = [];
  if (typeof candidate.id !== 'string' || !/^[a-z][a-z0-9-]{0,63}$/.test(candidate.id))
    problems.push(`"id" must be a lowercase id such as "agent-loop" (got ${describeValue(candidate.id)})`);
  if (candidate.version !== runtimeContractVersion)
    problems.push(`"version" must be ${runtimeContractVersion} (got ${describeValue(candidate.version)})`);
  if (typeof candidate.run !== 'function') problems.push(`"run" must be a function`);
  if (candidate.validateOptions !== undefined && typeof candidate.validateOptions !== 'function')
    problems.push(`"validateOptions" must be a function when present`);
  return problems;
}
