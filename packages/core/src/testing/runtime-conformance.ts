import { describe, expect, it } from 'vitest';
import { findRuntimeProblems, type AgentRuntime, type RuntimeEndpoints, type RuntimeRunContext } from '../contracts/runtime.js';

/** Options of {@link runtimeConformance}. */
export interface RuntimeConformanceOptions {
  /** Names the suite in the test report. @default the runtime's id */
  name?: string;
  /** Creates the runtime under test. */
  runtime: () => AgentRuntime | Promise<AgentRuntime>;
  /** The runtime options of a run that succeeds (for example the command of a `command` runtime). @default {} */
  options?: Record<string, unknown>;
  /** The runtime options of a run that lasts until it is aborted (for example a command that sleeps). */
  longRunningOptions: Record<string, unknown>;
  /** The gateway and MCP endpoint the runs are given. @default unreachable loopback URLs */
  endpoints?: RuntimeEndpoints;
  /** The model alias. @default 'test-model' */
  model?: string | null;
}

/** A run context for the suite's runs. */
function contextFor(options: RuntimeConformanceOptions, overrides: Partial<RuntimeRunContext>, lines: string[]): RuntimeRunContext {
  return {
    accountId: 'acc_conformance',
    flowId: 'flow_conformance',
    executionId: 'exe_conformance',
    attempt: 1,
    prompt: 'Say hello.',
    model: options.model === undefined ? 'test-model' : options.model,
    endpoints: options.endpoints ?? {
      openaiBaseUrl: 'http://127.0.0.1:9/openai/v1',
      anthropicBaseUrl: 'http://127.0.0.1:9/anthropic',
      mcpUrl: 'http://127.0.0.1:9/mcp',
    },
    credential: conformanceCredential,
    runtimeSessionId: 'rts_conformance',
    options: options.options ?? {},
    signal: new AbortController().signal,
    log: (stream, text) => void lines.push(`${stream}: ${text}`),
    checkpoint: null,
    allowedTools: null,
    ...overrides,
  };
}

/** The credential every conformance run is given: it must never appear in a log line or a result. */
const conformanceCredential = 'preloop-runtime-conformance-CANARY-credential';

/**
 * The shared conformance suite of the agent runtime contract (version 1):
 * the runtime implements the contract, a run returns a well-formed result,
 * an aborted run ends (does not hang), and the runtime credential never
 * appears in the log or the result. Call it inside a test file.
 *
 * @example
 * ```ts
 * runtimeConformance({
 *   runtime: () => commandRuntime(),
 *   options: { command: process.execPath, args: ['-e', 'console.log("hi")'] },
 *   longRunningOptions: { command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'] },
 * });
 * ```
 */
export function runtimeConformance(options: RuntimeConformanceOptions): void {
  describe(`agent runtime conformance: ${options.name ?? 'runtime'}`, () => {
    it('implements the contract (version 1)', async () => {
      expect(findRuntimeProblems(await options.runtime())).toEqual([]);
    });

    it('accepts the options of the suite', async () => {
      const runtime = await options.runtime();
      expect(runtime.validateOptions?.(options.options ?? {}) ?? []).toEqual([]);
    });

    it('returns a well-formed result and never shows the credential', async () => {
      const runtime = await options.runtime();
      const lines: string[] = [];
      const result = await runtime.run(contextFor(options, {}, lines));
      expect(['succeeded', 'failed', 'waiting_approval']).toContain(result.status);
      if (result.status === 'succeeded') expect(typeof result.output).toBe('string');
      if (result.status === 'failed') expect(typeof result.error).toBe('string');
      expect(JSON.stringify(result)).not.toContain(conformanceCredential);
      expect(lines.join('\n')).not.toContain(conformanceCredential);
    });

    it('ends a run when its signal aborts', async () => {
      const runtime = await options.runtime();
      const controller = new AbortController();
      const lines: string[] = [];
      const run = runtime.run(
        contextFor(options, { signal: controller.signal, options: options.longRunningOptions, executionId: 'exe_abort' }, lines),
      );
      setTimeout(() => controller.abort(new Error('cancelled by the conformance suite')), 200);
      const result = await run.catch((error: unknown) => ({ status: 'failed' as const, error: String(error) }));
      expect(result.status).toBe('failed');
    });
  });
}
