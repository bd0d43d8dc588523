import type { ApprovalOutcome, ApprovalProvider, ApprovalRequestInput, ApprovalTicket, Logger, Principal, ToolResult } from '@preloop/core';
import type { ApprovalOwners } from '../store/approval-owners.js';
import type { ToolRunContext } from './tool-types.js';

/** How approvals behave at the MCP endpoint. */
export interface ApprovalFlowOptions {
  /** `wait`: the call waits for the decision; `async`: it returns "pending" with the request id at once (a workflow's own `async` wins). */
  mode: 'wait' | 'async';
  /** How often a waiting call sends a progress notification (when the client gave a progress token), in ms. */
  progressIntervalMs: number;
  /** How long a call that lost the execution claim waits for the winner's stored result, in ms. */
  claimWaitMs: number;
}

/** A request created or joined, and its outcome (null while it is pending and the caller does not wait). */
export interface ApprovalAnswer {
  ticket: ApprovalTicket;
  outcome: ApprovalOutcome | null;
}

/** Approval requests on behalf of MCP calls: create or join, wait with progress, cancel, execute once. */
export interface ApprovalFlow {
  /** The installed approval provider, or null. */
  provider(): ApprovalProvider | null;
  /**
   * Creates or joins the request for `input` and, unless `async`, waits for its
   * outcome with progress notifications. A client cancellation cancels the
   * request; a vanished session only stops the wait (the request stays pending
   * and an identical retry joins it).
   */
  ask(input: ApprovalRequestInput, context: ToolRunContext, async: boolean): Promise<ApprovalAnswer>;
  /** Claims execution of approved request `id` and runs it once, storing the result; a caller that loses the claim gets the stored result. */
  executeOnce(id: string, input: ApprovalRequestInput, run: () => Promise<ToolResult>): Promise<{ result: ToolResult; replayed: boolean }>;
  /** The status of a request the principal (or its key or agent) asked for; null for any other id. */
  status(id: string, principal: Principal): Promise<ApprovalOutcome | null>;
}

/**
 * A tool result saying why an approval did not lead to execution (denied,
 * expired or cancelled), with the request in `_meta['preloop/approval']`.
 *
 * @example
 * ```ts
 * approvalEndedResult({ id: 'apr_1', status: 'denied', comment: 'not on Fridays' });
 * ```
 */
export function approvalEndedResult(outcome: ApprovalOutcome): ToolResult {
  const reason = outcome.reason ? ` (${outcome.reason})` : '';
  const text =
    outcome.status === 'denied'
      ? `Denied by the approver${outcome.comment ? '' : reason}. The call was not run.${outcome.comment ? ` Comment: ${outcome.comment}` : ''}`
      : outcome.status === 'expired'
        ? `The approval request ${outcome.id} expired before anyone decided${reason}. The call was not run.`
        : outcome.status === 'cancelled'
          ? `The approval request ${outcome.id} was cancelled${reason}. The call was not run.`
          : `The approval request ${outcome.id} is ${outcome.status}. The call was not run.`;
  return { content: [{ type: 'text', text }], isError: true, _meta: { 'preloop/approval': { requestId: outcome.id, status: outcome.status } } } as ToolResult;
}

/**
 * The tool result of a call left pending (async mode): the request id to poll,
 * and how to get the result. It is an error result because the call did not run.
 *
 * @example
 * ```ts
 * approvalPendingResult(ticket, 'admins').content[0].text; // 'This call needs approval …'
 * ```
 */
export function approvalPendingResult(ticket: ApprovalTicket, workflow: string): ToolResult {
  const text =
    `This call needs approval (workflow "${workflow}"); approval request ${ticket.id} is pending until ${new Date(ticket.expiresAt).toISOString()}. ` +
    `Check it with get_approval_status {"request_id":"${ticket.id}"}; once it is approved, call this tool again with the same arguments and it will run once.`;
  return { content: [{ type: 'text', text }], isError: true, _meta: { 'preloop/approval': { requestId: ticket.id, status: 'pending', expiresAt: ticket.expiresAt } } } as ToolResult;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref?.());

/**
 * Creates the approval flow over the kernel's `approval.request` provider.
 *
 * @example
 * ```ts
 * const flow = createApprovalFlow(() => preloop.hooks.approvals, owners, { mode: 'wait', progressIntervalMs: 10_000, claimWaitMs: 30_000 }, logger);
 * const { ticket, outcome } = await flow.ask(input, context, false);
 * ```
 */
export function createApprovalFlow(getProvider: () => ApprovalProvider | null, owners: ApprovalOwners, options: ApprovalFlowOptions, logger: Logger): ApprovalFlow {
  const required = (): ApprovalProvider => {
    const provider = getProvider();
    if (!provider) throw new Error('no approval provider is installed');
    return provider;
  };

  const wait = async (provider: ApprovalProvider, ticket: ApprovalTicket, context: ToolRunContext): Promise<ApprovalOutcome | null> => {
    const signal = AbortSignal.any([context.cancelSignal, context.stopSignal]);
    const announce = () => context.progress(`Waiting for approval: request ${ticket.id} (until ${new Date(ticket.expiresAt).toISOString()})`);
    announce();
    const timer = context.wantsProgress ? setInterval(announce, options.progressIntervalMs) : null;
    try {
      return await provider.wait(ticket.id, { signal });
    } catch (error) {
      if (context.cancelSignal.aborted) {
        await provider.cancel(ticket.id, context.principal, 'cancelled by the MCP client').catch((cause) => logger.debug('mcp: could not cancel an approval request', { error: cause }));
        return { id: ticket.id, status: 'cancelled', reason: 'cancelled by the MCP client' };
      }
      if (context.stopSignal.aborted) return null;
      throw error;
    } finally {
      if (timer) clearInterval(timer);
    }
  };

  return {
    provider: getProvider,

    async ask(input, context, async) {
      const provider = required();
      const ticket = await provider.request(input);
      await owners.remember(ticket.id, input.principal, input.tool.name).catch((error) => logger.warn('mcp: could not remember an approval owner', { error }));
      if (ticket.status !== 'pending') {
        // Joined a decided request: read it for the approver's comment or answer.
        const current = ticket.status === 'denied' && ticket.reason ? null : await provider.status(ticket.id, input.principal.accountId).catch(() => null);
        return { ticket, outcome: current ?? { id: ticket.id, status: ticket.status, reason: ticket.reason ?? null } };
      }
      if (async) return { ticket, outcome: null };
      return { ticket, outcome: await wait(provider, ticket, context) };
    },

    async executeOnce(id, input, run) {
      const provider = required();
      if (await provider.claimExecution(id)) {
        let result: ToolResult;
        try {
          result = await run();
        } catch (error) {
          result = { content: [{ type: 'text', text: `The approved call failed: ${(error as Error)?.message ?? 'unknown error'}` }], isError: true };
        }
        await provider.storeResult(id, result).catch((error) => logger.error('mcp: could not store the result of an approved call', { error, approvalId: id }));
        return { result, replayed: false };
      }
      // Another caller holds the claim: wait for the result it stores instead of running the call twice.
      const deadline = Date.now() + options.claimWaitMs;
      for (let attempt = 0; Date.now() < deadline; attempt++) {
        const ticket = await provider.request(input);
        if (ticket.status === 'executed' && ticket.storedResult !== undefined) return { result: ticket.storedResult as ToolResult, replayed: true };
        if (ticket.status !== 'approved' && ticket.status !== 'executed') break;
        await delay(Math.min(2000, 100 * 2 ** attempt));
      }
      return {
        result: { content: [{ type: 'text', text: `Approval request ${id} is being executed by another call; call again with the same arguments to get its result.` }], isError: true },
        replayed: true,
      };
    },

    async status(id, principal) {
      const provider = getProvider();
      if (!provider || !(await owners.owns(id, principal))) return null;
      return provider.status(id, principal.accountId);
    },
  };
}
