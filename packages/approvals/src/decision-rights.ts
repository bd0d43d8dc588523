import type { Role } from '@preloop/core';
import { roleAtLeast } from '@preloop/core/internal';
import type { ViewerDecision } from './api-schemas.js';
import type { ApprovalRequestRow } from './tables.js';
import { principalOf, workflowOf } from './views.js';
import { eligibleFactors, type ApproverFacts } from './workflows.js';

export type { DecisionRefusal, ViewerDecision } from './api-schemas.js';

/** The role the admin API's decide route requires (`POST /approvals/:id/decide`). */
export const decideMinimumRole: Role = 'approver';

/** What {@link decisionRights} looks at. */
export interface DecisionRightsInput {
  row: ApprovalRequestRow;
  /** The user the principal would vote as (see `approverUserIdOf`), or null. */
  approverId: string | null;
  /** That user's facts (null when disabled or missing). */
  facts: ApproverFacts | null;
  /** Its vote on this request so far, if any. */
  previousVote?: 'approve' | 'deny' | null;
  /** Checked only when given: the principal's console role, against {@link decideMinimumRole} (the admin API channel). */
  role?: Role | null;
  /** Checked only when given: false for an API key without `admin:write` (the admin API refuses its writes). */
  canWrite?: boolean;
  /** Now, epoch ms: a pending request past its deadline is `not_pending`. Omitted: the status alone decides. */
  now?: number;
}

/**
 * The one rule of who may decide a request, used by the decide path (to
 * refuse) and by the list and detail reads (to tell the console before the
 * click). Separation of duties tells the requester (`requester`) from the owner
 * of the requesting key or agent (`key_owner`).
 *
 * @example
 * ```ts
 * decisionRights({ row, approverId: 'usr_1', facts, role: 'viewer' }); // { canDecide: false, reason: 'viewer_role' }
 * ```
 */
export function decisionRights(input: DecisionRightsInput): ViewerDecision {
  const { row, approverId, facts } = input;
  if (input.role !== undefined && !roleAtLeast(input.role, decideMinimumRole)) return { canDecide: false, reason: 'viewer_role' };
  if (input.canWrite === false) return { canDecide: false, reason: 'read_only_key' };
  if (!approverId || !facts) return { canDecide: false, reason: 'not_an_approver' };
  const workflow = workflowOf(row);
  if (workflow.separationOfDuties && (JSON.parse(row.excluded_user_ids) as string[]).includes(approverId)) {
    const requester = principalOf(row);
    return { canDecide: false, reason: requester.type === 'user' && requester.id === approverId ? 'requester' : 'key_owner' };
  }
  if (input.previousVote) return { canDecide: false, reason: 'already_voted', vote: input.previousVote };
  if (row.status !== 'pending' || (input.now !== undefined && row.expires_at <= input.now))
    return { canDecide: false, reason: 'not_pending' };
  if (eligibleFactors(workflow, { escalated: row.escalated_at !== null }, facts).length === 0)
    return { canDecide: false, reason: 'not_an_approver' };
  return { canDecide: true };
}
