import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isPreloopError, isStoreUnavailable, redactString, toStoreUnavailableError, unknownToolReason, type ApprovalRequestInput, type PolicyDecision, type Preloop, type ToolResult } from '@preloop/core';
import type { UpstreamManager } from '../upstream/upstream-manager.js';
import { approvalEndedResult, approvalPendingResult, type ApprovalFlow } from './approval-flow.js';
import { argumentShapeProblem, type ArgumentValidator } from './argument-checks.js';
import type { CallRecorder } from './call-records.js';
import { taintAfterResult } from './session-taint.js';
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

/** Runs `tools/call` through visibility, validation, hooks, policy, approvals and the records. */
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
  const message = redactString(isPreloopError(error) || error instanceof McpError || error instanceof Error ? error.message : String(error)).slice(0, 2000);
  return tool.source === 'upstream' ? `Upstream MCP server "${tool.server!.name}" failed: ${message}` : `Tool "${tool.name}" failed: ${message}`;
}

/**
 * Creates the governed call path.
 *
 * @example
 * ```ts
 * const caller = createToolCaller({ preloop, resolve, upstreams, flow, records, validator, approvalMode: 'wait' });
 * const result = await caller.call('github.create_issue', { title: 'Bug' }, context);
 * ```
 */
export function createToolCaller(deps: ToolCallerDependencies): ToolCaller {
  const { preloop, records } = deps;

  async function execute(tool: CatalogTool, args: Record<string, unknown>, context: ToolRunContext): Promise<ToolResult> {
    let result: ToolResult;
    try {
      if (tool.source === 'upstream') {
        result = (await deps.upstreams.callTool(tool.server!, tool.upstreamName!, args, {
          bridge: context.bridge,
          signal: context.cancelSignal,
          ...(context.wantsProgress ? { onprogress: (progress) => context.progress(progress.message ?? '', { progress: progress.progress, total: progress.total }) } : {}),
        })) as ToolResult;
      } else {
        result = await tool.run!(args, context);
      }
    } catch (error) {
      // Untrusted content (even an upstream's error text) taints the runtime session before the model sees it.
      return taintAfterResult(preloop, tool, context, errorResult(failureText(error, tool)));
    }
    const untainted = result;
    result = await taintAfterResult(preloop, tool, context, result);
    if (result !== untainted) return result;
    try {
      return (await preloop.hooks.afterTool({ principal: context.principal, tool: tool.name, args, result })).result;
    } catch (error) {
      // A failing after-hook may be the one that redacts: never hand out the unfiltered result.
      preloop.logger.warn('mcp: a tool.after hook failed; the result is withheld', { error, tool: tool.name });
      return errorResult('The result was withheld: a tool.after hook failed.');
    }
  }

  /** The governed path of one call; {@link ToolCaller.call} adds the answer for an unreachable database. */
  async function governedCall(name: string, rawArgs: unknown, context: ToolRunContext): Promise<CallToolResult> {
    const started = performance.now();
    const { principal } = context;
    const base = { principal, name, mcpSessionId: context.mcpSessionId };
    const elapsed = () => performance.now() - started;
    // The kill switch answers every name alike (it reveals nothing about which tools exist) and says why.
    const stopped = await preloop.governance.killSwitch.stopped(principal.accountId, 'tools').catch((error: unknown) => {
      if (isStoreUnavailable(error)) throw error;
      return 'Kill switch state cannot be read; tools are stopped';
    });
    if (stopped) {
      records.finish({ ...base, tool: null, args: null, outcome: 'denied', durationMs: elapsed(), reason: `kill switch: ${stopped}` });
      return errorResult(`Denied: ${stopped}`) as CallToolResult;
    }
    const tool = await deps.resolve(principal.accountId, name);
    const unknown = () => {
      records.finish({ ...base, tool: null, args: null, outcome: 'denied', durationMs: elapsed(), reason: 'unknown or hidden tool' });
      return protocolError(ErrorCode.InvalidParams, unknownToolReason(name));
    };
    if (!tool || !(await preloop.governance.isToolVisible(principal, name))) throw unknown();

    const shapeProblem = argumentShapeProblem(rawArgs ?? {});
    if (shapeProblem) throw protocolError(ErrorCode.InvalidParams, `Invalid arguments for tool ${name}: ${shapeProblem}`);
    let args = (rawArgs ?? {}) as Record<string, unknown>;
    const invalid = deps.validator.validate(tool, args);
    if (invalid) {
      records.finish({ ...base, tool, args, outcome: 'failed', durationMs: elapsed(), reason: `invalid arguments: ${invalid}` });
      return errorResult(`Invalid arguments for tool ${name}: ${invalid}`) as CallToolResult;
    }
    try {
      args = (await preloop.hooks.beforeTool({ principal, tool: name, args })).args;
    } catch (error) {
      const reason = `a tool.before hook refused the call: ${redactString((error as Error)?.message ?? 'error').slice(0, 500)}`;
      records.finish({ ...base, tool, args, outcome: 'denied', durationMs: elapsed(), reason });
      return errorResult(`Denied: ${reason}`) as CallToolResult;
    }

    const decision: PolicyDecision = await preloop.governance.evaluateToolCall({ subject: principal, tool: { name, server: tool.server?.name ?? null, readOnly: tool.readOnly }, args });
    const record = { ...base, tool, args, decision };
    if (decision.action === 'deny') {
      if (decision.explanation.hidden) throw unknown();
      records.finish({ ...record, outcome: 'denied', durationMs: elapsed(), reason: decision.reason });
      return errorResult(`Denied by policy: ${decision.reason}`) as CallToolResult;
    }

    if (decision.action === 'allow') {
      try {
        await records.beforeRun(record, 'allowed');
      } catch {
        records.finish({ ...record, outcome: 'denied', durationMs: elapsed(), reason: 'audit unavailable' });
        return errorResult('The call was not run: its audit record could not be stored.') as CallToolResult;
      }
      const result = await execute(tool, args, context);
      records.finish({ ...record, outcome: result.isError ? 'failed' : 'succeeded', durationMs: elapsed(), result });
      return result as CallToolResult;
    }

    // require_approval
    if (!deps.flow.provider()) {
      const reason = `Tool ${name} requires approval (workflow "${decision.workflow}"), but no approval provider is installed, so the call is denied.`;
      records.finish({ ...record, outcome: 'denied', durationMs: elapsed(), reason });
      return errorResult(reason) as CallToolResult;
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
      records.finish({ ...record, outcome: 'denied', durationMs: elapsed(), reason });
      return errorResult(`Denied: ${reason}`) as CallToolResult;
    }
    const { ticket, outcome } = answer;
    const withApproval = { ...record, approvalId: ticket.id };
    if (ticket.status === 'executed' && ticket.storedResult !== undefined) {
      const result = ticket.storedResult as ToolResult;
      records.finish({ ...withApproval, outcome: result.isError ? 'failed' : 'succeeded', durationMs: elapsed(), result, replayed: true });
      return result as CallToolResult;
    }
    if (outcome === null) {
      records.finish({ ...withApproval, outcome: 'pending', durationMs: elapsed(), reason: 'waiting for approval' });
      return approvalPendingResult(ticket, decision.workflow) as CallToolResult;
    }
    if (outcome.status !== 'approved' && outcome.status !== 'executed') {
      records.finish({ ...withApproval, outcome: 'denied', durationMs: elapsed(), reason: `approval ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''}` });
      return approvalEndedResult(outcome) as CallToolResult;
    }
    // An idempotent tool (its pinned `idempotentHint`) may run again when the instance running it died; any other never does.
    const { result, replayed } = await deps.flow.executeOnce(ticket.id, input, async () => {
      await records.beforeRun(withApproval, 'approved');
      // A human approved this exact call and it is claimed: it runs to the end and its result is stored, cancelled or not.
      return execute(tool, args, { ...context, cancelSignal: new AbortController().signal });
    }, { idempotent: tool.listing.annotations?.idempotentHint === true });
    records.finish({ ...withApproval, outcome: result.isError ? 'failed' : 'succeeded', durationMs: elapsed(), result, replayed });
    return result as CallToolResult;
  }

  return {
    async call(name, rawArgs, context) {
      try {
        return await governedCall(name, rawArgs, context);
      } catch (error) {
        // The database cannot be reached: the model (and its operator) read that, not a policy denial or the kill switch.
        const unavailable = toStoreUnavailableError(error);
        if (!unavailable) throw error;
        records.finish({ principal: context.principal, name, mcpSessionId: context.mcpSessionId, tool: null, args: null, outcome: 'failed', durationMs: 0, reason: unavailable.message });
        return errorResult(`The call could not be completed: ${unavailable.message}`) as CallToolResult;
      }
    },
  };
}
