import type { ApprovalWorkflow, FactorTally, FactorVoter } from '@preloop/core';
import { tallyFactors, workflowFactors } from '@preloop/core/internal';
import type { Kysely } from 'kysely';
import type { ApprovalTables } from './tables.js';

/** A timeline entry as the tally reads it. */
interface VoteEntry {
  type: string;
  actorId: string | null;
  data: Record<string, unknown>;
}

/**
 * Per-factor progress of a request from its timeline: each `vote` entry
 * records the factors its approver was eligible for when voting, so a later
 * change of team or role never re-counts a vote. Null for a workflow written
 * with `approvers` and `quorum` (one factor: the approve count is the progress).
 *
 * @example
 * ```ts
 * factorTallyOf(workflow, detail.timeline); // { satisfied: false, tallies: [{ name: 'platform', quorum: 2, approvers: ['usr_…'] }, …] }
 * ```
 */
export function factorTallyOf(
  workflow: ApprovalWorkflow,
  timeline: readonly VoteEntry[],
): { satisfied: boolean; tallies: FactorTally[] } | null {
  if (workflow.factors === undefined) return null;
  const voters: FactorVoter[] = [];
  for (const entry of timeline) {
    if (entry.type !== 'vote' || entry.actorId === null || entry.data.decision !== 'approve') continue;
    const factors = Array.isArray(entry.data.factors) ? entry.data.factors.filter((name): name is string => typeof name === 'string') : [];
    voters.push({ id: entry.actorId, factors });
  }
  return tallyFactors(workflowFactors(workflow), voters);
}

/**
 * Reads a request's vote entries (inside the caller's transaction) and tallies them per factor.
 *
 * @example
 * ```ts
 * const tally = await readFactorTally(trx, row.id, workflow);
 * ```
 */
export async function readFactorTally(
  db: Kysely<ApprovalTables>,
  requestId: string,
  workflow: ApprovalWorkflow,
): Promise<{ satisfied: boolean; tallies: FactorTally[] } | null> {
  if (workflow.factors === undefined) return null;
  const rows = await db
    .selectFrom('approval_events')
    .select(['type', 'actor_id', 'data'])
    .where('request_id', '=', requestId)
    .where('type', '=', 'vote')
    .orderBy('time')
    .orderBy('id')
    .execute();
  return factorTallyOf(
    workflow,
    rows.map((row) => ({ type: row.type, actorId: row.actor_id, data: JSON.parse(row.data) as Record<string, unknown> })),
  );
}
