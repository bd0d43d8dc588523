import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPreloopError } from '../errors.js';
import { parsePolicyDocument, type PolicyValidationIssue } from './policy-document.js';
import { tallyFactors, workflowFactors } from './workflow-factors.js';

function issuesOf(input: unknown): PolicyValidationIssue[] {
  try {
    parsePolicyDocument(input);
  } catch (error) {
    if (!isPreloopError(error, 'VALIDATION_ERROR')) throw error;
    return error.details as PolicyValidationIssue[];
  }
  throw new Error('expected a VALIDATION_ERROR');
}

const policy = (workflow: Record<string, unknown>) => ({ version: 1, defaults: { tools: 'allow' }, workflows: { release: workflow } });

describe('workflow factors in the policy document', () => {
  it('accepts factors, each with its own approvers and quorum (2 from team A and 1 from team B)', () => {
    const document = parsePolicyDocument(`
version: 1
defaults: { tools: require_approval, workflow: release }
workflows:
  release:
    factors:
      - { name: platform, approvers: { teams: [team_a] }, quorum: 2 }
      - { name: security, approvers: { teams: [team_b] } }
`);
    expect(document.workflows.release!.factors).toEqual([
      { name: 'platform', approvers: { teams: ['team_a'] }, quorum: 2 },
      { name: 'security', approvers: { teams: ['team_b'] }, quorum: 1 },
    ]);
    expect(workflowFactors(document.workflows.release!).map((factor) => factor.name)).toEqual(['platform', 'security']);
  });

  it('reads a workflow written with approvers and quorum as one factor named "approvers" (backward compatible)', () => {
    const document = parsePolicyDocument(policy({ approvers: { roles: ['admin'] }, quorum: 2 }));
    expect(workflowFactors(document.workflows.release!)).toEqual([{ name: 'approvers', approvers: { roles: ['admin'] }, quorum: 2 }]);
  });

  it('refuses ambiguous or impossible factor workflows, naming the field', () => {
    expect(
      issuesOf(policy({ approvers: { roles: ['admin'] }, factors: [{ name: 'a', approvers: { roles: ['admin'] } }] })).map(
        (issue) => issue.path,
      ),
    ).toEqual(['workflows.release.factors']);
    expect(issuesOf(policy({ quorum: 2 })).map((issue) => [issue.path, issue.message])).toEqual([
      ['workflows.release.approvers', 'workflows.release.approvers: name the approvers (users, teams or roles), or list factors'],
    ]);
    expect(issuesOf(policy({ factors: [{ name: 'a', approvers: { roles: ['admin'] } }], quorum: 3 })).map((issue) => issue.path)).toEqual([
      'workflows.release.quorum',
    ]);
    expect(
      issuesOf(
        policy({
          factors: [
            { name: 'a', approvers: { roles: ['admin'] } },
            { name: 'a', approvers: { roles: ['owner'] } },
          ],
        }),
      ).map((issue) => issue.path),
    ).toEqual(['workflows.release.factors[1].name']);
    expect(issuesOf(policy({ factors: [] })).map((issue) => issue.path)).toEqual(['workflows.release.factors']);
    expect(issuesOf(policy({ factors: [{ name: 'a', approvers: {} }] })).map((issue) => issue.path)).toEqual([
      'workflows.release.factors[0].approvers',
    ]);
    // Named users only: a factor that cannot reach its quorum, and factors that cannot all be filled when one person counts once.
    expect(issuesOf(policy({ factors: [{ name: 'a', approvers: { users: ['u1'] }, quorum: 2 }] })).map((issue) => issue.path)).toEqual([
      'workflows.release.factors[0].quorum',
    ]);
    const shared = issuesOf(
      policy({
        factors: [
          { name: 'a', approvers: { users: ['u1'] } },
          { name: 'b', approvers: { users: ['u1'] } },
          { name: 'c', approvers: { users: ['u2', 'u3'] } },
        ],
      }),
    );
    expect(shared.map((issue) => issue.path)).toEqual(['workflows.release.factors']);
    expect(shared[0]!.message).toContain('one person counts toward one factor');
  });
});

describe('tallyFactors', () => {
  it('counts one person toward one factor, choosing the assignment that fills the factors', () => {
    const factors = [
      { name: 'a', quorum: 2 },
      { name: 'b', quorum: 1 },
    ];
    // Alice is in both teams; she counts once.
    expect(
      tallyFactors(factors, [
        { id: 'alice', factors: ['a', 'b'] },
        { id: 'bob', factors: ['a'] },
      ]).satisfied,
    ).toBe(false);
    const done = tallyFactors(factors, [
      { id: 'alice', factors: ['a', 'b'] },
      { id: 'bob', factors: ['a'] },
      { id: 'carol', factors: ['a'] },
    ]);
    expect(done).toEqual({
      satisfied: true,
      tallies: [
        { name: 'a', quorum: 2, approvers: ['bob', 'carol'] },
        { name: 'b', quorum: 1, approvers: ['alice'] },
      ],
    });
  });

  it('property: the outcome does not depend on the order of votes', () => {
    const names = ['a', 'b', 'c'];
    const voter = fc.record({ id: fc.uuid(), factors: fc.subarray(names) });
    fc.assert(
      fc.property(
        fc.array(voter, { maxLength: 8 }),
        fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
        (voters, quorums) => {
          const factors = names.map((name, index) => ({ name, quorum: quorums[index]! }));
          const forward = tallyFactors(factors, voters);
          const backward = tallyFactors(factors, [...voters].reverse());
          expect(backward.satisfied).toBe(forward.satisfied);
          const counted = (result: typeof forward) => result.tallies.reduce((sum, tally) => sum + tally.approvers.length, 0);
          expect(counted(backward)).toBe(counted(forward));
          const everyone = forward.tallies.flatMap((tally) => tally.approvers);
          expect(new Set(everyone).size).toBe(everyone.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
