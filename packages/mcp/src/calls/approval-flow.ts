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
  /**
   * Claims execution of approved request `id` and runs it once, storing the
   * result; a caller that loses the claim waits (up to `claimWaitMs`) for the
   * stored result, or for the claim's lease to lapse: then it gets the final
   * `execution_unknown` answer, or, for an `idempotent` tool, claims and runs it.
   */
  executeOnce(
    id: string,
    input: ApprovalRequestInput,
    run: () => Promise<ToolResult>,
    options?: { idempotent?: boolean },
  ): Promise<{ result: ToolResult; replayed: boolean }>;
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
  if (outcome.status === 'execution_unknown') return executionUnknownResult(outcome.id);
  const reason = outcome.reason ? ` (${outcome.reason})` : '';
  const text =
    outcome.status === 'denied'
      ? `Denied by the approver${outcome.comment ? '' : reason}. The call was not run.${outcome.comment ? ` Comment: ${outcome.comment}` : ''}`
      : outcome.status === 'expired'
        ? `The approval request ${outcome.id} expired before anyone decided${reason}. The call was not run.`
        : outcome.status === 'cancelled'
          ? `The approval request ${outcome.id} was cancelled${reason}. The call was not run.`
          : `The approval request ${outcome.id} is ${outcome.status}. The call was not run.`;
  return {
    content: [{ type: 'text', text }],
    isError: true,
    _meta: { 'preloop/approval': { requestId: outcome.id, status: outcome.status } },
  } as ToolResult;
}

/**
 * The final answer for an approved call whose outcome is unknown: the instance
 * running it stopped before storing a result and its execution lease lapsed.
 * It is not run again (it may have had effects); an admin resolves it.
 *
 * @example
 * ```ts
 * executionUnknownResult('apr_1')._meta['preloop/approval'].status; // 'execution_unknown'
 * ```
 */
export function executionUnknownResult(id: string): ToolResult {
  const text =
    `The approved call (approval request ${id}) was started, but the server running it stopped before it finished, so its outcome is unknown. ` +
    'It will not be run again automatically, because it may already have taken effect. Check whether it took effect before doing anything else; ' +
    'an admin can mark the request executed or not executed (if not executed, calling this tool again with the same arguments runs it once).';
  return {
    content: [{ type: 'text', text }],
    isError: true,
    _meta: { 'preloop/approval': { requestId: id, status: 'execution_unknown' } },
  } as ToolResult;
}

/**
 * The result of an approved call an admin confirmed as executed after its
 * outcome was unknown: it ran, but its result was never stored.
 *
 * @example
 * ```ts
 * executedWithoutResult('apr_1', 'deployed per the CD log').isError; // false
 * ```
 */
export function executedWithoutResult(id: string, reason: string | null | undefined): ToolResult {
  const text = `The approved call (approval request ${id}) was executed, but its result was not recorded${reason ? ` (${reason})` : ''}. It will not be run again.`;
  return { content: [{ type: 'text', text }], _meta: { 'preloop/approval': { requestId: id, status: 'executed' } } } as ToolResult;
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
  return {
    content: [{ type: 'text', text }],
    isError: true,
    _meta: { 'preloop/approval': { requestId: ticket.id, status: 'pending', expiresAt: ticket.expiresAt } },
  } as ToolResult;
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
export function createApprovalFlow(
  getProvider: () => ApprovalProvider | null,
  owners: ApprovalOwners,
  options: ApprovalFlowOptions,
  logger: Logger,
): ApprovalFlow {
  const required = (): ApprovalProvider => {
    const provider = getProvider();
    if (!provider) throw new Error('no approval provider is installed');
    return provider;
  };

  const wait = async (provider: ApprovalProvider, ticket: ApprovalTicket, context: ToolRunContext): Promise<ApprovalOutcome | null> => {
    const signal = AbortSignal.any([context.cancelSignal, context.stopSignal]);
    const announce = () =>
      context.progress(`Waiting for approval: request ${ticket.id} (until ${new Date(ticket.expiresAt).toISOString()})`);
    announce();
    const timer = context.wantsProgress ? setInterval(announce, options.progressIntervalMs) : null;
    try {
      return await provider.wait(ticket.id, { signal });
    } catch (error) {
      if (context.cancelSignal.aborted) {
        await provider
          .cancel(ticket.id, context.principal, 'cancelled by the MCP client')
          .catch((cause) => logger.debug('mcp: could not cancel an approval request', { error: cause }));
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
      await owners
        .remember(ticket.id, input.principal, input.tool.name)
        .catch((error) => logger.warn('mcp: could not remember an approval owner', { error }));
      context.onApproval?.(ticket.id);
      if (ticket.status === 'executed' && ticket.storedResult === null)
        ticket.storedResult = executedWithoutResult(ticket.id, ticket.reason);
      if (ticket.status !== 'pending') {
        // Joined a decided request: read it for the approver's comment or answer.
        const current =
          ticket.status === 'denied' && ticket.reason
            ? null
            : await provider.status(ticket.id, input.principal.accountId).catch(() => null);
        return { ticket, outcome: current ?? { id: ticket.id, status: ticket.status, reason: ticket.reason ?? null } };
      }
      if (async) return { ticket, outcome: null };
      return { ticket, outcome: await wait(provider, ticket, context) };
    },

    async executeOnce(id, input, run, runOptions = {}) {
      const provider = required();
      const deadline = Date.now() + options.claimWaitMs;
      let leaseExpiresAt: number | null = null;
      for (let attempt = 0; ; attempt++) {
        if (await provider.claimExecution(id, { idempotent: runOptions.idempotent === true })) {
          let result: ToolResult;
          try {
            result = await run();
          } catch (error) {
            result = {
              content: [{ type: 'text', text: `The approved call failed: ${(error as Error)?.message ?? 'unknown error'}` }],
              isError: true,
            };
          }
          await provider
            .storeResult(id, result)
            .catch((error) => logger.error('mcp: could not store the result of an approved call', { error, approvalId: id }));
          return { result, replayed: false };
        }
        // Another caller holds the claim: wait for the result it stores, or for its lease to lapse (its instance died), instead of running the call twice.
        const outcome = await provider.status(id, input.principal.accountId);
        if (outcome?.status === 'executed') {
          const ticket = await provider.request(input);
          if (ticket.status === 'executed' && ticket.storedResult !== undefined) {
            return {
              result: ticket.storedResult === null ? executedWithoutResult(id, outcome.reason) : (ticket.storedResult as ToolResult),
              replayed: true,
            };
          }
        }
        if (outcome?.status === 'execution_unknown') return { result: executionUnknownResult(id), replayed: true };
        if (!outcome || (outcome.status !== 'approved' && outcome.status !== 'executed'))
          return { result: approvalEndedResult(outcome ?? { id, status: 'cancelled' }), replayed: true };
        leaseExpiresAt = outcome.leaseExpiresAt ?? null;
        const now = Date.now();
        if (now >= deadline) break;
        // Poll with backoff, but look again right when the holder's lease lapses.
        let pause = Math.min(2000, 100 * 2 ** attempt);
        if (leaseExpiresAt !== null && leaseExpiresAt > now) pause = Math.min(pause, leaseExpiresAt - now + 25);
        await delay(Math.max(10, Math.min(pause, deadline - now)));
      }
      const until = leaseExpiresAt
        ? ` (its execution lease runs until ${new Date(leaseExpiresAt).toISOString()} and is renewed while the call runs)`
        : '';
      return {
        result: {
          content: [
            {
              type: 'text',
              text: `Approval request ${id} is being executed by another call${until}; call again with the same arguments to get its result.`,
            },
          ],
          isError: true,
          _meta: { 'preloop/approval': { requestId: id, status: 'approved', leaseExpiresAt } },
        } as ToolResult,
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
