import { workflowFactors } from '@preloop/core/internal';
import type { EngineContext } from './engine-context.js';
import type { ApprovalReadiness, ReadinessUser, WorkflowReadiness, WorkflowReadinessStatus } from './api-schemas.js';
import type { ApproverSet } from './workflows.js';

export type { ApprovalReadiness, ReadinessUser, WorkflowReadiness, WorkflowReadinessStatus } from './api-schemas.js';

const approversShown = 20;

const remedies = [
  'Add a second person who can approve: a user with a role the workflow names (the default "admins" workflow names owner and admin), in Settings → Users or with POST /api/v1/users. They approve your agents’ calls, and you theirs.',
  'For a solo test setup only: give the workflow `separationOfDuties: false` in the policy, which lets an approver approve the calls of their own agents and keys.',
];

const listNames = (users: ReadinessUser[]): string => users.map((user) => user.name).join(', ');

/**
 * Checks every workflow an account can use (the active policy's, the
 * `workflows` option's, or the fallback) against the enabled users: a factor
 * with fewer approvers than its quorum approves nothing; under separation of
 * duties, a factor with no more approvers than its quorum can never approve a
 * call made by one of those approvers' own agents or keys (the one-admin first
 * run with the default policy).
 *
 * @example
 * ```ts
 * const { ready, workflows } = await approvalReadiness(context, 'acc_default');
 * ```
 */
export async function approvalReadiness(context: EngineContext, accountId: string): Promise<ApprovalReadiness> {
  const names = new Set<string>(Object.keys(context.options.workflows ?? {}));
  const document = (await context.preloop.governance.policies.active(accountId)).document as { workflows?: Record<string, unknown> };
  for (const name of Object.keys(document.workflows ?? {})) names.add(name);
  if (names.size === 0) names.add('admins');
  const workflows: WorkflowReadiness[] = [];
  for (const name of [...names].sort()) {
    const { workflow, source } = await context.lookupWorkflow(accountId, name);
    const everyone = new Map<string, ReadinessUser>();
    const blocked = new Map<string, ReadinessUser>();
    let status: WorkflowReadinessStatus = 'ready';
    for (const factor of workflowFactors(workflow)) {
      // Escalation approvers stand in for any factor once the request escalates.
      const sets: ApproverSet[] = [factor.approvers, ...(workflow.escalation ? [workflow.escalation.approvers] : [])];
      const eligible = await context.directory.recipients(accountId, sets, [], Math.max(approversShown, factor.quorum + 1));
      for (const user of eligible) everyone.set(user.userId, { id: user.userId, name: user.name, email: user.email });
      if (eligible.length < factor.quorum) status = 'no_approvers';
      else if (workflow.separationOfDuties && eligible.length <= factor.quorum) {
        if (status === 'ready') status = 'self_approval_only';
        for (const user of eligible) blocked.set(user.userId, { id: user.userId, name: user.name, email: user.email });
      }
    }
    const blockedOwners = status === 'self_approval_only' ? [...blocked.values()] : [];
    const message =
      status === 'no_approvers'
        ? `Workflow "${name}" names fewer enabled users than its quorum: nothing under it can be approved.`
        : status === 'self_approval_only'
          ? `Only ${listNames(blockedOwners)} can approve under workflow "${name}", and separation of duties keeps an approver from approving calls of their own agents and API keys: nobody can approve calls from agents or keys owned by ${listNames(blockedOwners)}.`
          : null;
    workflows.push({
      workflow: name,
      source,
      status,
      separationOfDuties: workflow.separationOfDuties,
      approvers: [...everyone.values()].slice(0, approversShown),
      blockedOwners,
      message,
    });
  }
  const ready = workflows.every((entry) => entry.status === 'ready');
  return { ready, workflows, remedies: ready ? [] : remedies };
}
