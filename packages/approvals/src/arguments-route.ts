import { defineRoute, PreloopError, type AdminRoute, type Principal } from '@preloop/core';
import { roleAtLeast } from '@preloop/core/internal';
import { approvalArgumentsSchema, type ApprovalArguments } from './api-schemas.js';
import { approverUserIdOf } from './decide.js';
import { readRequest, runEffects, type EngineContext } from './engine-context.js';
import { approvalError } from './errors.js';
import { workflowOf } from './views.js';
import { isEligibleApprover } from './workflows.js';

export type { ApprovalArguments } from './api-schemas.js';

/**
 * Reads a request's exact arguments for `actor`: an owner or admin, or a user
 * (or its API key) eligible to decide the request. Every read is audited
 * (`approval.arguments.read`, with the hash, never the arguments); a refused
 * read too. `NOT_FOUND` outside the account, `APPROVER_NOT_ELIGIBLE` (403)
 * for anyone else.
 *
 * @example
 * ```ts
 * const { args, argsHash } = await readApprovalArguments(context, principal, 'apr_…');
 * ```
 */
export async function readApprovalArguments(context: EngineContext, actor: Principal, id: string): Promise<ApprovalArguments> {
  const row = await readRequest(context.db, context.dialect, id);
  if (!row || row.account_id !== actor.accountId) throw new PreloopError('NOT_FOUND', `No approval request ${id}.`);
  const userId = approverUserIdOf(actor);
  let allowed = userId !== null && roleAtLeast(actor.role, 'admin');
  if (!allowed && userId !== null) {
    const facts = await context.directory.approver(actor.accountId, userId);
    allowed = facts !== null && isEligibleApprover(workflowOf(row), { escalated: row.escalated_at !== null }, facts);
  }
  await runEffects(context, [
    {
      kind: 'audit',
      input: {
        accountId: row.account_id,
        actor,
        action: 'approval.arguments.read',
        target: { type: 'approval', id: row.id },
        outcome: allowed ? 'success' : 'refused',
        runtimeSessionId: row.runtime_session_id,
        data: { argsHash: row.args_hash, tool: row.tool_name },
      },
    },
  ]);
  if (!allowed)
    throw approvalError('APPROVER_NOT_ELIGIBLE', 'Only an owner, an admin or an approver of this request may read its exact arguments.');
  return { id: row.id, argsHash: row.args_hash, args: JSON.parse(row.args_json) as Record<string, unknown> };
}

/**
 * The route that returns a request's exact arguments (what the approval view
 * redacts and cuts), for an owner, an admin or an eligible approver; audited;
 * sent with `cache-control: no-store`.
 *
 * @example
 * ```ts
 * const routes = [approvalArgumentsRoute(() => context)];
 * ```
 */
export function approvalArgumentsRoute(context: () => EngineContext): AdminRoute {
  return defineRoute({
    method: 'GET',
    path: '/approvals/:id/arguments',
    summary: 'Read the exact arguments of an approval request (owner, admin, or an approver of the request; audited)',
    tag: 'approvals',
    access: { role: 'approver' },
    response: approvalArgumentsSchema,
    errors: [404],
    async handler({ principal, params }) {
      const result: ApprovalArguments = await readApprovalArguments(context(), principal!, params.id!);
      return new Response(JSON.stringify(result), {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      });
    },
  });
}
