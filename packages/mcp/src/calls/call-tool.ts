import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  isPreloopError,
  runGovernedCall,
  type ApprovalRequestInput,
  type GovernedCallRecord,
  type GovernedCallSurface,
  type GovernedExecution,
  type Preloop,
  type ToolResult,
} from '@preloop/core';
import { redactString, toStoreUnavailableError, unknownToolReason } from '@preloop/core/internal';
import type { UpstreamManager } from '../upstream/upstream-manager.js';
import { approvalEndedResult, approvalPendingResult, type ApprovalFlow } from './approval-flow.js';
import { argumentShapeProblem, type ArgumentValidator } from './argument-checks.js';
import type { CallFinishInput, CallRecorder } from './call-records.js';
import { taintAfterResult } from './session-taint.js';
import { describeToolCallSpan } from './tool-call-span.js';
import type { CatalogTool, ToolRunContext } from './tool-types.js';

/** What the governed call path needs. */
export interface ToolCallerDependencies {
  preloop: Preloop;
  /** Finds the tool agents call `name` in the account (built-ins first), or null. */
  resolve(accountId: string, name: string): Promise<CatalogTool | null>;
  upstreams: UpstreamManager;
  flow: ApprovalFlow;
  records: CallRecorder;
  validator: ArgumentValidator;
  /** `wait` or `async` for calls that need approval (a workflow's own `async` wins). */
  approvalMode: 'wait' | 'async';
}

/** Runs `tools/call` through the governed-call pipeline of `@preloop/core` (`runGovernedCall`). */
export interface ToolCaller {
  /**
   * Calls `name` for `context.principal`. An unknown or hidden tool is a
   * JSON-RPC error, byte-identical for both; malformed arguments are a JSON-RPC
   * error; everything else (deny, approval outcomes, schema mismatch, tool
   * failures) is a tool result so the model can read it.
   */
  call(name: string, args: unknown, context: ToolRunContext): Promise<CallToolResult>;
}

const errorResult = (text: string): ToolResult => ({ content: [{ type: 'text', text }], isError: true });

/** A JSON-RPC error whose message is exactly `message` (the SDK's `McpError` prefixes its own text). */
function protocolError(code: number, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function failureText(error: unknown, tool: CatalogTool): string {
  const message = redactString(
    isPreloopError(error) || error instanceof McpError || error instanceof Error ? error.message : String(error),
  ).slice(0, 2000);
  return tool.source === 'upstream'
    ? `Upstream MCP server "${tool.server!.name}" failed: ${message}`
    : `Tool "${tool.name}" failed: ${message}`;
}

/**
 * Creates the governed call path: the MCP surface of core's governed-call
 * pipeline (kill switch, visibility, validation and `tool.before`, policy and
 * plugin `policy.evaluate` hooks, approvals, the audit intent, the tool run,
 * taint and `tool.after`, one record).
 *
 * @example
 * ```ts
 * const caller = createToolCaller({ preloop, resolve, upstreams, flow, records, validator, approvalMode: 'wait' });
 * const result = await caller.call('github.create_issue', { title: 'Bug' }, context);
 * ```
 */
export function createToolCaller(deps: ToolCallerDependencies): ToolCaller {
  const { preloop, records } = deps;
  type Args = Record<string, unknown>;
  type Execution = GovernedExecution<ToolResult>;
  /** A tool that threw: its error result skips `tool.after` (there is nothing of the tool's to filter). */
  const threw = Symbol('threw');

  async function execute(tool: CatalogTool, args: Args, context: ToolRunContext): Promise<Execution> {
    try {
      const result =
        tool.source === 'upstream'
          ? ((await deps.upstreams.callTool(tool.server!, tool.upstreamName!, args, {
              bridge: context.bridge,
              signal: context.cancelSignal,
              ...(context.wantsProgress
                ? {
                    onprogress: (progress) =>
                      context.progress(progress.message ?? '', { progress: progress.progress, total: progress.total }),
                  }
                : {}),
            })) as ToolResult)
          : await tool.run!(args, context);
      return { result, settlement: { failed: result.isError === true } };
    } catch (error) {
      return { result: errorResult(failureText(error, tool)), settlement: { failed: true, detail: threw } };
    }
  }

  /** The after stage: untrusted content taints the runtime session before the model sees it, then `tool.after` may filter. */
  async function after(tool: CatalogTool, args: Args, context: ToolRunContext, executed: Execution): Promise<Execution> {
    const untainted = executed.result;
    const tainted = await taintAfterResult(preloop, tool, context, untainted);
    if (tainted !== untainted) return { result: tainted, settlement: { failed: true } };
    if (executed.settlement?.detail === threw) return executed;
    try {
      const { result } = await preloop.hooks.afterTool({ principal: context.principal, tool: tool.name, args, result: untainted });
      return { result, settlement: { failed: result.isError === true } };
    } catch (error) {
      // A failing after-hook may be the one that redacts: never hand out the unfiltered result.
      preloop.logger.warn('mcp: a tool.after hook failed; the result is withheld', { error, tool: tool.name });
      return { result: errorResult('The result was withheld: a tool.after hook failed.'), settlement: { failed: true } };
    }
  }

  /** The one record of a call: audit, runtime-session activity and statistics. */
  function finish(name: string, context: ToolRunContext, record: GovernedCallRecord<CatalogTool, Args, ToolResult>): void {
    const input: CallFinishInput = {
      principal: record.principal,
      name,
      mcpSessionId: context.mcpSessionId,
      tool: record.target,
      args: record.args,
      outcome: record.outcome,
      durationMs: record.durationMs,
      ...(record.decision ? { decision: record.decision } : {}),
      ...(record.approvalId ? { approvalId: record.approvalId } : {}),
      ...(record.replayed ? { replayed: true } : {}),
      ...(record.outcome === 'succeeded' || record.outcome === 'failed' ? { result: record.result } : {}),
    };
    // Unknown and hidden names are recorded alike: the record says nothing about which tools exist.
    if (record.code === 'not_found' || record.code === 'hidden')
      Object.assign(input, { tool: null, args: null, reason: 'unknown or hidden tool' });
    else if (record.code === 'killed') Object.assign(input, { tool: null, args: null, reason: `kill switch: ${record.reason}` });
    else if (record.code === 'audit_unavailable') input.reason = 'audit unavailable';
    else if (record.error !== undefined) {
      const unavailable = toStoreUnavailableError(record.error);
      if (unavailable) Object.assign(input, { tool: null, args: null, durationMs: 0, reason: unavailable.message });
      else input.reason = record.reason;
    } else if (record.reason && record.outcome !== 'succeeded') input.reason = record.reason;
    records.finish(input);
  }

  function surfaceOf(name: string, rawArgs: unknown, context: ToolRunContext): GovernedCallSurface<CatalogTool, Args, ToolResult> {
    const { principal } = context;
    return {
      kind: 'tool_call',
      scope: 'tools',
      authenticate: () => principal,
      async resolve(_principal, requested) {
        const wanted = requested ?? name;
        const tool = await deps.resolve(principal.accountId, wanted);
        return tool ? { name: wanted, target: tool } : null;
      },
      describe: (tool) => ({ kind: 'tool_call', name: tool.name, server: tool.server?.name ?? null, readOnly: tool.readOnly }),
      async prepare({ target: tool }) {
        const shapeProblem = argumentShapeProblem(rawArgs ?? {});
        if (shapeProblem) throw protocolError(ErrorCode.InvalidParams, `Invalid arguments for tool ${name}: ${shapeProblem}`);
        const args = (rawArgs ?? {}) as Args;
        const invalid = deps.validator.validate(tool, args);
        if (invalid)
          return {
            refuse: 'invalid',
            reason: `invalid arguments: ${invalid}`,
            reply: errorResult(`Invalid arguments for tool ${name}: ${invalid}`),
          };
        try {
          return { args: (await preloop.hooks.beforeTool({ principal, tool: name, args })).args };
        } catch (error) {
          const reason = `a tool.before hook refused the call: ${redactString((error as Error)?.message ?? 'error').slice(0, 500)}`;
          return { refuse: 'denied', reason, reply: errorResult(`Denied: ${reason}`) };
        }
      },
      async approve({ target: tool, args }, decision) {
        if (!deps.flow.provider()) {
          const reason = `Tool ${name} requires approval (workflow "${decision.workflow}"), but no approval provider is installed, so the call is denied.`;
          return { status: 'refused', approvalId: null, reason, reply: errorResult(reason) };
        }
        const workflow = await preloop.governance.workflow(principal.accountId, decision.workflow).catch(() => null);
        const async = workflow?.async ?? deps.approvalMode === 'async';
        const input: ApprovalRequestInput = {
          principal,
          tool: { name, definitionHash: tool.definitionHash },
          args,
          workflow: decision.workflow,
          kind: 'tool_call',
          ...(decision.reason ? { reason: decision.reason } : {}),
        };
        let answer;
        try {
          answer = await deps.flow.ask(input, context, async);
        } catch (error) {
          const reason = `the approval request could not be made: ${redactString((error as Error)?.message ?? 'error').slice(0, 500)}`;
          return { status: 'refused', approvalId: null, reason, reply: errorResult(`Denied: ${reason}`) };
        }
        const { ticket, outcome } = answer;
        if (ticket.status === 'executed' && ticket.storedResult !== undefined) {
          const result = ticket.storedResult as ToolResult;
          return { status: 'replayed', approvalId: ticket.id, executed: { result, settlement: { failed: result.isError === true } } };
        }
        if (outcome === null) return { status: 'pending', approvalId: ticket.id, reply: approvalPendingResult(ticket, decision.workflow) };
        if (outcome.status !== 'approved' && outcome.status !== 'executed') {
          return {
            status: 'refused',
            approvalId: ticket.id,
            reason: `approval ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''}`,
            reply: approvalEndedResult(outcome),
          };
        }
        return {
          status: 'approved',
          approvalId: ticket.id,
          // An idempotent tool (its pinned `idempotentHint`) may run again when the instance running it died; any other never does.
          async once(run) {
            const { result, replayed } = await deps.flow.executeOnce(ticket.id, input, async () => (await run()).result, {
              idempotent: tool.listing.annotations?.idempotentHint === true,
            });
            return { executed: { result, settlement: { failed: result.isError === true } }, replayed };
          },
        };
      },
      // The audit record is stored before the tool runs, so a crash mid-run still leaves a trace; when it cannot be stored, the call does not run.
      intent: ({ target, args, decision, approvalId }) =>
        records.beforeRun(
          { principal, name, mcpSessionId: context.mcpSessionId, tool: target, args, decision, approvalId },
          approvalId ? 'approved' : 'allowed',
        ),
      // A human approved this exact call and it is claimed: it runs to the end and its result is stored, cancelled or not.
      execute: ({ target, args, approvalId }) =>
        execute(target, args, approvalId ? { ...context, cancelSignal: new AbortController().signal } : context),
      after: ({ target, args }, executed) => after(target, args, context, executed),
      audit: (record) => finish(name, context, record),
      telemetry: {
        carrier: () => context.trace ?? null,
        describe: (record, captureContent) => describeToolCallSpan(name, context.mcpSessionId, record, captureContent),
      },
    };
  }

  /** The reply for a refused call: a JSON-RPC error for unknown and hidden names (byte-identical), else a result the model reads. */
  function refusalReply(name: string, code: string, reason: string, reply: ToolResult | null): CallToolResult {
    if (code === 'not_found' || code === 'hidden') throw protocolError(ErrorCode.InvalidParams, unknownToolReason(name));
    if (reply) return reply as CallToolResult;
    if (code === 'killed') return errorResult(`Denied: ${reason}`) as CallToolResult;
    if (code === 'audit_unavailable') return errorResult('The call was not run: its audit record could not be stored.') as CallToolResult;
    return errorResult(`Denied by policy: ${reason}`) as CallToolResult;
  }

  return {
    async call(name, rawArgs, context) {
      try {
        const outcome = await runGovernedCall(preloop, surfaceOf(name, rawArgs, context));
        if (outcome.status === 'refused') return refusalReply(name, outcome.code, outcome.reason, outcome.result);
        return outcome.result as CallToolResult;
      } catch (error) {
        // The database cannot be reached: the model (and its operator) read that, not a policy denial or the kill switch (the pipeline recorded it).
        const unavailable = toStoreUnavailableError(error);
        if (!unavailable) throw error;
        return errorResult(`The call could not be completed: ${unavailable.message}`) as CallToolResult;
      }
    },
  };
}
