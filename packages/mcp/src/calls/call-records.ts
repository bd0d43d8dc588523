import type { PolicyDecision, Preloop, Principal, ToolResult } from '@preloop/core';
import { redactAuditData, redactString } from '@preloop/core/internal';
import type { ToolCallOutcome, ToolStatsStore } from '../store/tool-stats.js';
import type { CatalogTool } from './tool-types.js';

/** One governed call, as it is recorded. */
export interface CallRecordInput {
  principal: Principal;
  /** The tool as called (null for a name that is unknown or hidden). */
  tool: CatalogTool | null;
  /** The name the client asked for. */
  name: string;
  args: unknown;
  decision?: PolicyDecision | null;
  approvalId?: string | null;
  mcpSessionId: string | null;
}

/** A finished call. */
export interface CallFinishInput extends CallRecordInput {
  outcome: ToolCallOutcome;
  durationMs: number;
  /** Why it was refused or failed, for the record. */
  reason?: string | null;
  result?: ToolResult | null;
  /** True when the result came from an earlier execution of the same approved call. */
  replayed?: boolean;
}

/** Audit records, runtime-session activity and statistics of governed calls. */
export interface CallRecorder {
  /** The audit record written before a call runs; throws when it cannot be stored, so the call must not run. */
  beforeRun(input: CallRecordInput, outcome: 'allowed' | 'approved'): Promise<void>;
  /** Records a finished (or refused, or pending) call: audit, activity, statistics. Never throws; writes finish in the background. */
  finish(input: CallFinishInput): void;
  /** Audits a read through the endpoint (a resource or a prompt), in the background. */
  access(principal: Principal, action: 'mcp.resource.read' | 'mcp.prompt.get', target: string, mcpSessionId: string | null): void;
  /** Waits for the background writes. */
  close(): Promise<void>;
}

const activityLimits = { maxBytes: 4096, maxStringLength: 512, maxDepth: 6, maxItems: 20, maxKeys: 40 };

function describeDecision(decision: PolicyDecision | null | undefined): Record<string, unknown> | null {
  if (!decision) return null;
  return {
    action: decision.action,
    scope: decision.explanation.scope,
    rule: decision.explanation.rule,
    ...(decision.action === 'deny' ? { reason: decision.reason } : {}),
    ...(decision.action === 'require_approval' ? { workflow: decision.workflow } : {}),
  };
}

function summarizeResult(result: ToolResult | null | undefined): Record<string, unknown> | null {
  if (!result) return null;
  return {
    isError: result.isError === true,
    content: result.content.map((part) => part.type),
    structured: result.structuredContent !== undefined,
  };
}

/**
 * Creates the call recorder. The audit trail redacts and bounds what it stores;
 * runtime-session activity gets arguments redacted and cut to 4 KB here.
 *
 * @example
 * ```ts
 * const records = createCallRecorder(preloop, stats);
 * await records.beforeRun({ principal, tool, name: tool.name, args, decision, mcpSessionId }, 'allowed');
 * ```
 */
export function createCallRecorder(preloop: Preloop, stats: ToolStatsStore): CallRecorder {
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>, what: string) => {
    const tracked = work
      .catch((error) => preloop.logger.warn(`mcp: could not record ${what}`, { error }))
      .finally(() => pending.delete(tracked));
    pending.add(tracked);
  };
  const common = (input: CallRecordInput) => ({
    tool: input.tool?.name ?? redactString(String(input.name)).slice(0, 300),
    source: input.tool?.source ?? null,
    server: input.tool?.server?.name ?? null,
    definitionHash: input.tool?.definitionHash ?? null,
    decision: describeDecision(input.decision),
    approvalId: input.approvalId ?? null,
    mcpSessionId: input.mcpSessionId,
  });

  return {
    async beforeRun(input, outcome) {
      await preloop.audit.record({
        actor: input.principal,
        action: 'mcp.tool.call',
        target: { type: 'tool', id: input.tool?.name ?? null },
        outcome,
        data: { ...common(input), args: input.args },
      });
    },

    finish(input) {
      const known = input.tool !== null;
      const base = common(input);
      const data = {
        ...base,
        durationMs: Math.round(input.durationMs * 10) / 10,
        result: summarizeResult(input.result),
        ...(input.reason ? { reason: input.reason } : {}),
        ...(input.replayed ? { replayed: true } : {}),
      };
      // A call that ran got its `mcp.tool.call` record before running; refused and pending calls get it now.
      const ran = input.outcome === 'succeeded' || input.outcome === 'failed';
      track(
        preloop.audit.record({
          actor: input.principal,
          action: ran ? 'mcp.tool.result' : 'mcp.tool.call',
          target: { type: 'tool', id: known ? input.tool!.name : null },
          outcome: input.outcome === 'succeeded' ? 'success' : input.outcome === 'failed' ? 'failure' : input.outcome,
          data: ran ? data : { ...data, args: input.args },
        }),
        'an audit record',
      );
      const sessionId = input.principal.runtimeSessionId;
      if (sessionId) {
        track(
          preloop.identity.recordActivity(sessionId, {
            kind: 'tool_call',
            status: input.outcome,
            summary: `${base.tool}: ${input.outcome}${input.reason ? ` (${redactString(input.reason).slice(0, 200)})` : ''}`,
            data: { ...data, args: redactAuditData(input.args, activityLimits) },
          }),
          'runtime-session activity',
        );
      }
      if (known) {
        stats.record({
          accountId: input.principal.accountId,
          tool: input.tool!.name,
          outcome: input.outcome,
          durationMs: input.durationMs,
          approval: Boolean(input.approvalId),
        });
      }
    },

    access(principal, action, target, mcpSessionId) {
      track(
        preloop.audit.record({
          actor: principal,
          action,
          target: { type: action === 'mcp.resource.read' ? 'resource' : 'prompt', id: redactString(target).slice(0, 500) },
          outcome: 'success',
          data: { mcpSessionId },
        }),
        'an audit record',
      );
    },

    async close() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
