/**
 * The factors of an approval workflow, whichever way it was written.
 */
import type { PolicyWorkflow, PolicyWorkflowFactor } from './policy-schema.js';

/** The name of the one factor of a workflow written with `approvers` and `quorum`. */
export const defaultFactorName = 'approvers';

/**
 * The factors a workflow's approval needs: its `factors`, or, for a workflow
 * written with `approvers` and `quorum`, one factor named `approvers` with
 * them. Every factor must reach its quorum.
 *
 * @example
 * ```ts
 * workflowFactors({ approvers: { roles: ['admin'] }, quorum: 2, ... });
 * // [{ name: 'approvers', approvers: { roles: ['admin'] }, quorum: 2 }]
 * ```
 */
export function workflowFactors(workflow: Pick<PolicyWorkflow, 'approvers' | 'factors' | 'quorum'>): PolicyWorkflowFactor[] {
  if (workflow.factors !== undefined && workflow.factors.length > 0) return workflow.factors;
  return [{ name: defaultFactorName, approvers: workflow.approvers ?? {}, quorum: workflow.quorum }];
}

/** An approving person and the factors they may count toward. */
export interface FactorVoter {
  id: string;
  /** Names of the factors this person is eligible for. */
  factors: readonly string[];
}

/** A factor's progress: who counts toward it. */
export interface FactorTally {
  name: string;
  quorum: number;
  /** The people counted toward this factor (at most `quorum`), in the order they voted. */
  approvers: string[];
}

/**
 * Counts approvals per factor when one person counts toward one factor only:
 * a maximum matching of people to the factors' quorum slots, so the order of
 * votes never matters (Alice, in both teams, counts toward whichever factor
 * still needs her). `satisfied` when every factor reached its quorum.
 *
 * @example
 * ```ts
 * tallyFactors([{ name: 'a', quorum: 1 }, { name: 'b', quorum: 1 }], [{ id: 'alice', factors: ['a', 'b'] }, { id: 'bob', factors: ['a'] }]);
 * // { satisfied: true, tallies: [{ name: 'a', quorum: 1, approvers: ['bob'] }, { name: 'b', quorum: 1, approvers: ['alice'] }] }
 * ```
 */
export function tallyFactors(
  factors: ReadonlyArray<{ name: string; quorum: number }>,
  voters: readonly FactorVoter[],
): { satisfied: boolean; tallies: FactorTally[] } {
  // Slots round-robin (every factor's first place, then every second place…), so a person eligible for several factors goes where nobody else could.
  const depth = Math.max(0, ...factors.map((factor) => factor.quorum));
  const slots = Array.from({ length: depth }, (_, place) =>
    factors.filter((factor) => factor.quorum > place).map((factor) => factor.name),
  ).flat();
  const owner: number[] = slots.map(() => -1);
  const augment = (voter: number, seen: boolean[]): boolean => {
    for (let slot = 0; slot < slots.length; slot++) {
      if (seen[slot] || !voters[voter]!.factors.includes(slots[slot]!)) continue;
      seen[slot] = true;
      if (owner[slot] === -1 || augment(owner[slot]!, seen)) {
        owner[slot] = voter;
        return true;
      }
    }
    return false;
  };
  voters.forEach((_, voter) =>
    augment(
      voter,
      slots.map(() => false),
    ),
  );
  // Each factor lists its people in the order they voted.
  const tallies = factors.map((factor) => ({
    name: factor.name,
    quorum: factor.quorum,
    approvers: owner
      .filter((voter, slot) => voter !== -1 && slots[slot] === factor.name)
      .sort((left, right) => left - right)
      .map((voter) => voters[voter]!.id),
  }));
  return { satisfied: tallies.every((tally) => tally.approvers.length >= tally.quorum), tallies };
}
