/**
 * Native-tool permission checks: an agent's PreToolUse hook asks "may I run
 * this tool of my own (Bash, Edit, WebFetch…) with these arguments?". The
 * answer comes from the governed-call pipeline (`runGovernedCall`) as a
 * surface of kind `native_tool`: kill switch, policy (the tool is named
 * `native.<tool>`, its input is `args`), plugin `policy.evaluate` hooks,
 * approvals and one audit record. The pipeline's execute stage is "answer
 * allow": the agent runs the tool itself.
 *
 * @module
 */

import type { ApprovalOutcome, ApprovalRequestInput } from '../contracts/approval.js';
import { redactAuditData, redactString } from '../audit/redact.js';
import type { Principal } from '../identity/principal.js';
import type { Preloop } from '../kernel/preloop.js';
import { runGovernedCall } from '../governed-call/run-governed-call.js';
import type { GovernedCallRecord, GovernedCallSurface } from '../governed-call/governed-call-types.js';

/** What the agent's hook may be told: run it, refuse it, let the agent ask its user, or end the run for the host to resume. */
export type PermissionDecision = 'allow' | 'deny' | 'ask' | 'defer';

/** The hook's question, as read from the PreToolUse JSON. */
export interface NativeToolCheckInput {
  /** The agent's own tool name, for example `Bash` (`tool_name`). */
  toolName: string;
  /** The tool's input (`tool_input`): policy sees it as `args`. */
  toolInput: Record<string, unknown>;
  /** The agent's session id (`session_id`): one runtime session per agent session. @default null */
  sessionId?: string | null;
  /** The agent's own id of this tool use (`tool_use_id`), for the record. @default null */
  toolUseId?: string | null;
  /** The working directory (`cwd`), for the record. @default null */
  cwd?: string | null;
}

/** How a check that needs approval behaves. */
export interface NativeToolCheckOptions {
  /** How long to wait for an approver, in seconds (keep it below the hook's timeout); 0 answers at once. @default 25 */
  waitSeconds?: number;
  /**
   * The answer when approval is still pending after `waitSeconds`: `deny`
   * (with the request id: the agent retries the same call once it is
   * approved), `defer` (ends a headless run for an SDK host to resume) or
   * `ask` (hands the decision to the person at the agent's terminal). @default 'deny'
   */
  onPending?: 'deny' | 'ask' | 'defer';
  /** Aborts a wait (the hook gave up): the request stays pending and an identical retry joins it. */
  signal?: AbortSignal;
}

/** The answer to a permission check. */
export interface NativeToolCheckAnswer {
  decision: PermissionDecision;
  /** Why, for the agent (at most 2000 characters, already safe to show). */
  reason: string;
  /** The approval request involved, if any. */
  approvalId: string | null;
  /** The runtime session the check was attributed to, if any. */
  runtimeSessionId: string | null;
}

/** The prefix of native tool names as policy sees them: `native.Bash`, `native.Edit`. */
export const nativeToolPrefix = 'native.';

/** The longest reason the agents take (Claude Code caps `permissionDecisionReason` at 2000 characters). */
const maxReason = 2000;
const clip = (text: string) => (text.length > maxReason ? `${text.slice(0, maxReason - 1)}…` : text);

/**
 * The name policy sees for an agent's native tool.
 *
 * @example
 * ```ts
 * nativeToolName('Bash'); // 'native.Bash'
 * ```
 */
export function nativeToolName(toolName: string): string {
  return `${nativeToolPrefix}${toolName}`;
}

/** Sessions being started, so two hook calls of one new agent session share one runtime session (on this instance). */
const starting = new Map<string, Promise<string>>();

/**
 * The runtime session a hook call belongs to: the caller's own (a runtime
 * credential), else the active session of this agent (or key) whose external
 * id is the agent's `session_id`, started on first use (source `hook`).
 *
 * @example
 * ```ts
 * const id = await hookRuntimeSession(preloop, principal, '8b43…');
 * ```
 */
export async function hookRuntimeSession(preloop: Preloop, principal: Principal, sessionId: string | null): Promise<string | null> {
  if (principal.runtimeSessionId) return principal.runtimeSessionId;
  if (!sessionId) return null;
  const owner = principal.agentId ? { agentId: principal.agentId } : principal.apiKeyId ? { apiKeyId: principal.apiKeyId } : null;
  if (!owner) return null;
  const key = `${principal.accountId}\u0000${principal.agentId ?? ''}\u0000${principal.apiKeyId ?? ''}\u0000${sessionId}`;
  const pending = starting.get(key);
  if (pending) return pending;
  const found = (async () => {
    const page = await preloop.identity.runtimeSessions.list(principal.accountId, {
      ...owner,
      externalId: sessionId,
      state: 'active',
      limit: 1,
    });
    if (page.items[0]) return page.items[0].id;
    const started = await preloop.identity.runtimeSessions.start(
      principal.accountId,
      {
        name: `hook session ${sessionId.slice(0, 60)}`,
        agentId: principal.agentId,
        apiKeyId: principal.apiKeyId,
        userId: principal.userId,
        source: 'hook',
        externalId: sessionId,
        audience: ['mcp'],
      },
      principal,
    );
    return started.session.id;
  })();
  starting.set(key, found);
  try {
    return await found;
  } finally {
    starting.delete(key);
  }
}

/**
 * Decides one native tool call through the governed-call pipeline and
 * answers for the hook. Refusals (policy, kill switch, a hidden tool, an
 * approval denied or expired, an audit that cannot be stored) are `deny`; a
 * call that needs approval waits up to `waitSeconds`, then answers
 * `onPending`. An approval lets exactly one run of the exact call through
 * (it is then `executed`). Errors (an unreachable database) are thrown.
 *
 * @example
 * ```ts
 * const answer = await checkNativeTool(preloop, principal, { toolName: 'Bash', toolInput: { command: 'ls' }, sessionId: 's1' });
 * answer.decision; // 'allow'
 * ```
 */
export async function checkNativeTool(
  preloop: Preloop,
  caller: Principal,
  input: NativeToolCheckInput,
  options: NativeToolCheckOptions = {},
): Promise<NativeToolCheckAnswer> {
  const waitMs = Math.max(0, options.waitSeconds ?? 25) * 1000;
  const onPending = options.onPending ?? 'deny';
  const runtimeSessionId = await hookRuntimeSession(preloop, caller, input.sessionId ?? null);
  const principal: Principal = { ...caller, runtimeSessionId };
  const name = nativeToolName(input.toolName);
  const hookData = {
    agentTool: input.toolName,
    agentSessionId: input.sessionId ?? null,
    toolUseId: input.toolUseId ?? null,
    cwd: input.cwd ?? null,
  };
  type Args = Record<string, unknown>;
  const answer = (decision: PermissionDecision, reason: string, approvalId: string | null = null): NativeToolCheckAnswer => ({
    decision,
    reason: clip(redactString(reason)),
    approvalId,
    runtimeSessionId,
  });

  const write = (outcome: string, args: Args | null, data: Record<string, unknown>) =>
    preloop.audit.record({
      actor: principal,
      action: 'native.tool.check',
      target: { type: 'tool', id: name },
      outcome,
      data: { ...hookData, ...data, ...(args ? { args } : {}) },
    });

  const describeDecision = (record: Pick<GovernedCallRecord<unknown, Args, NativeToolCheckAnswer>, 'decision'>) =>
    record.decision
      ? {
          action: record.decision.action,
          scope: record.decision.explanation.scope,
          rule: record.decision.explanation.rule,
          ...(record.decision.action === 'require_approval' ? { workflow: record.decision.workflow } : {}),
        }
      : null;

  const surface: GovernedCallSurface<{ name: string }, Args, NativeToolCheckAnswer> = {
    kind: 'native_tool',
    scope: 'tools',
    authenticate: () => principal,
    resolve: async (_principal, requested) => ({ name: requested ?? name, target: { name: requested ?? name } }),
    // The agent's word is never trusted for read-only: native tools are never `readOnly`.
    describe: (target) => ({ kind: 'native_tool', name: target.name, server: 'native', readOnly: false }),
    // No tool.before hooks: the agent runs the tool, so its input cannot be transformed here.
    prepare: async () => ({ args: input.toolInput }),
    async approve({ args }, decision) {
      const provider = preloop.hooks.approvals;
      if (!provider)
        return {
          status: 'refused',
          approvalId: null,
          reason: `${name} requires approval (workflow "${decision.workflow}"), but no approval provider is installed, so the call is denied.`,
        };
      const request: ApprovalRequestInput = {
        principal,
        tool: { name, definitionHash: null },
        args,
        workflow: decision.workflow,
        kind: 'tool_call',
        ...(decision.reason ? { reason: decision.reason } : {}),
      };
      let ticket;
      try {
        ticket = await provider.request(request);
      } catch (error) {
        return {
          status: 'refused',
          approvalId: null,
          reason: `the approval request could not be made: ${redactString((error as Error)?.message ?? 'error').slice(0, 500)}`,
        };
      }
      let outcome: ApprovalOutcome | null =
        ticket.status === 'pending' ? null : { id: ticket.id, status: ticket.status, reason: ticket.reason ?? null };
      if (outcome === null && waitMs > 0) {
        const signal = AbortSignal.any([AbortSignal.timeout(waitMs), ...(options.signal ? [options.signal] : [])]);
        try {
          outcome = await provider.wait(ticket.id, { signal });
        } catch (error) {
          if (!signal.aborted) throw error;
        }
      }
      if (outcome === null) {
        const until = new Date(ticket.expiresAt).toISOString();
        const reason = `approval pending: ${ticket.id} (workflow "${decision.workflow}", until ${until}); retry the same call once it is approved.`;
        return { status: 'pending', approvalId: ticket.id, reply: answer(onPending, reason, ticket.id) };
      }
      if (outcome.status === 'executed' || outcome.status === 'execution_unknown') {
        return {
          status: 'refused',
          approvalId: ticket.id,
          reason: `approval ${ticket.id} was already used for one run of this exact call; a new run needs a new approval.`,
        };
      }
      if (outcome.status !== 'approved') {
        const why = outcome.comment ?? outcome.reason;
        return {
          status: 'refused',
          approvalId: ticket.id,
          reason: `approval ${outcome.status}${why ? `: ${why}` : ''} (request ${ticket.id})`,
        };
      }
      // One approval, one run: the claim makes a second identical call ask again.
      if (!(await provider.claimExecution(ticket.id))) {
        return {
          status: 'refused',
          approvalId: ticket.id,
          reason: `approval ${ticket.id} was already used for one run of this exact call; a new run needs a new approval.`,
        };
      }
      return { status: 'approved', approvalId: ticket.id };
    },
    // The one record is stored before "allow" is answered; when it cannot be stored, the call is denied.
    intent: async ({ args, decision, approvalId }) => {
      await write(approvalId ? 'approved' : 'allowed', args, { decision: describeDecision({ decision }), approvalId });
    },
    async execute({ approvalId }) {
      if (approvalId) await preloop.hooks.approvals?.storeResult(approvalId, { permissionDecision: 'allow' });
      return {
        result: answer('allow', approvalId ? `approved (request ${approvalId})` : 'allowed by policy', approvalId),
        settlement: { failed: false },
      };
    },
    audit(record) {
      const reason = record.reason ? redactString(record.reason).slice(0, 500) : null;
      if (record.outcome !== 'succeeded') {
        // Hidden tools are recorded as denied; the kill switch and store failures say so.
        void write(record.outcome, record.args, {
          decision: describeDecision(record),
          approvalId: record.approvalId,
          reason,
          code: record.code,
        }).catch((error: unknown) => preloop.logger.warn('permission check: the audit record could not be written', { error }));
      }
      if (runtimeSessionId) {
        preloop.identity
          .recordActivity(runtimeSessionId, {
            kind: 'native_tool',
            status: record.outcome,
            summary: `${name}: ${record.outcome}${reason ? ` (${reason.slice(0, 200)})` : ''}`,
            data: {
              ...hookData,
              args: redactAuditData(record.args ?? {}, { maxBytes: 4096, maxStringLength: 512, maxDepth: 6, maxItems: 20, maxKeys: 40 }),
            },
          })
          .catch((error: unknown) => preloop.logger.warn('permission check: runtime-session activity could not be written', { error }));
      }
    },
  };

  const outcome = await runGovernedCall(preloop, surface);
  if (outcome.status === 'ran' || outcome.status === 'pending') return outcome.result;
  switch (outcome.code) {
    case 'hidden':
    case 'not_found':
      return answer('deny', `${name} is not available to this agent.`, outcome.approvalId);
    case 'killed':
      return answer('deny', `Denied: ${outcome.reason}`);
    case 'audit_unavailable':
      return answer('deny', 'Denied: the audit record of this call could not be stored.');
    case 'approval':
      return answer('deny', `Not approved: ${outcome.reason}`, outcome.approvalId);
    default:
      return answer('deny', `Denied by policy: ${outcome.reason}`, outcome.approvalId);
  }
}
