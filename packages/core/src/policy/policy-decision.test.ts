import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combineDecisions, modelNotAllowedReason, type PolicyDecision, policyErrorDecision, unknownToolReason } from './policy-decision.js';

const allow = (scope: string): PolicyDecision => ({ action: 'allow', explanation: { scope, rule: null } });
const deny = (reason: string): PolicyDecision => ({ action: 'deny', reason, explanation: { scope: reason, rule: null } });
const approve = (workflow: string): PolicyDecision => ({
  action: 'require_approval',
  workflow,
  explanation: { scope: workflow, rule: null },
});

describe('combineDecisions', () => {
  it('deny overrides require_approval overrides allow', () => {
    expect(combineDecisions([allow('a'), approve('w'), deny('no')]).action).toBe('deny');
    expect(combineDecisions([deny('no'), approve('w'), allow('a')]).action).toBe('deny');
    expect(combineDecisions([allow('a'), approve('w')]).action).toBe('require_approval');
    expect(combineDecisions([approve('w'), allow('a')]).action).toBe('require_approval');
    expect(combineDecisions([allow('a'), allow('b')])).toEqual(allow('a'));
  });

  it("keeps the first deny's reason and the first approval's workflow", () => {
    expect(combineDecisions([allow('a'), deny('first'), deny('second')])).toEqual(deny('first'));
    expect(combineDecisions([approve('first'), approve('second')])).toEqual(approve('first'));
  });

  it('denies an empty list and malformed decisions (fail closed)', () => {
    expect(combineDecisions([])).toMatchObject({ action: 'deny', reason: 'policy_error: no decisions to combine' });
    const malformed = [allow('a'), { action: 'yes', explanation: { scope: 'p', rule: null } }] as unknown as PolicyDecision[];
    expect(combineDecisions(malformed)).toMatchObject({ action: 'deny', reason: 'policy_error: decision 1 is malformed' });
    const noWorkflow = [
      { action: 'require_approval', workflow: '', explanation: { scope: 'p', rule: null } },
    ] as unknown as PolicyDecision[];
    expect(combineDecisions(noWorkflow).action).toBe('deny');
    expect(combineDecisions([null] as unknown as PolicyDecision[]).action).toBe('deny');
    expect(combineDecisions('nope' as unknown as PolicyDecision[]).action).toBe('deny');
  });

  it('is deny whenever any decision denies, whatever the order (property)', () => {
    const decision = fc.oneof(
      fc.constant(allow('a')),
      fc.string().map((workflow) => approve(`w${workflow}`)),
      fc.string().map((reason) => deny(reason)),
    );
    fc.assert(
      fc.property(fc.array(decision, { minLength: 1, maxLength: 8 }), (decisions) => {
        const combined = combineDecisions(decisions);
        const firstDeny = decisions.find((entry) => entry.action === 'deny');
        const firstApproval = decisions.find((entry) => entry.action === 'require_approval');
        if (firstDeny) expect(combined).toBe(firstDeny);
        else if (firstApproval) expect(combined).toBe(firstApproval);
        else expect(combined.action).toBe('allow');
      }),
    );
  });
});

describe('reasons', () => {
  it('builds the unknown-tool reason and shows look-alike characters escaped', () => {
    expect(unknownToolReason('github.delete_repo')).toBe('Unknown tool: github.delete_repo');
    expect(unknownToolReason('github.delete_repo ')).toBe('Unknown tool: github.delete_repo\\u0020');
    expect(unknownToolReason('ｇ.x')).toBe('Unknown tool: \\uff47.x');
    expect(unknownToolReason('a\nb')).toBe('Unknown tool: a\\u000ab');
    expect(unknownToolReason('x'.repeat(500))).toBe(`Unknown tool: ${'x'.repeat(200)}…`);
  });

  it('builds the model reason the same way', () => {
    expect(modelNotAllowedReason('gpt-4o')).toBe('Model not allowed: gpt-4o');
    expect(modelNotAllowedReason('gpt-4o\u200b')).toBe('Model not allowed: gpt-4o\\u200b');
  });

  it('prefixes engine errors with policy_error', () => {
    expect(policyErrorDecision('boom', { scope: 'account', rule: null })).toEqual({
      action: 'deny',
      reason: 'policy_error: boom',
      explanation: { scope: 'account', rule: null },
    });
  });
});
