import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile-policy.js';
import { parsePolicyDocument } from './policy-document.js';
import { policyTestSubject, runPolicyTest, runPolicyTests } from './policy-tests.js';

const text = `
version: 1
defaults: { tools: deny }
workflows:
  admins: { approvers: { roles: [admin] } }
rules:
  - { name: office-hours, tool: "deploy.*", action: allow, condition: "time.hour >= 9 && time.hour < 17" }
  - { name: ci-merges, tool: github.merge, action: allow, condition: 'subject.agentId == "ci"' }
  - { name: approve-merges, tool: github.merge, action: require_approval, workflow: admins }
scopes:
  - subject: { team: contractors }
    tools: { hidden: ["deploy.*"] }
tests:
  - { name: deploy at noon (the default test time), tool: deploy.run, expect: allow }
  - { name: deploy at night, tool: deploy.run, time: "2025-01-06T23:00:00Z", expect: deny }
  - { name: deploy at 18:00+02:00 is 16:00 UTC, tool: deploy.run, time: "2025-01-06T18:00:00+02:00", expect: allow }
  - { name: ci merges, subject: { type: agent, agentId: ci }, tool: github.merge, expect: allow }
  - { name: others need approval, tool: github.merge, expect: require_approval }
  - { name: contractors cannot see deploys, subject: { teamIds: [contractors] }, tool: deploy.run, expect: deny }
  - { name: wrong on purpose, tool: github.merge, expect: allow }
`;

describe('runPolicyTests', () => {
  it('counts passes and reports each failure with expected, actual, reason and explanation', () => {
    const report = runPolicyTests(parsePolicyDocument(text));
    expect(report.passed).toBe(6);
    expect(report.failed).toEqual([
      {
        name: 'wrong on purpose',
        expected: 'allow',
        actual: 'require_approval',
        explanation: { scope: 'account', rule: 'approve-merges' },
      },
    ]);
  });

  it('accepts a compiled policy and reports a deny reason', () => {
    const compiled = compilePolicy(
      parsePolicyDocument(`
version: 1
defaults: { tools: deny }
tests: [{ name: should allow, tool: a.b, expect: allow }]
`),
    );
    expect(runPolicyTests(compiled)).toEqual({
      passed: 0,
      failed: [
        {
          name: 'should allow',
          expected: 'allow',
          actual: 'deny',
          reason: 'No policy rule allows tool a.b',
          explanation: { scope: 'account', rule: null, default: true },
        },
      ],
    });
  });

  it('reports nothing for a document without tests', () => {
    expect(runPolicyTests(parsePolicyDocument('version: 1\ndefaults: { tools: allow }\n'))).toEqual({ passed: 0, failed: [] });
  });
});

describe('policyTestSubject and runPolicyTest', () => {
  it('fills in a principal from a partial subject', () => {
    expect(policyTestSubject({ name: 't', tool: 'x', expect: 'deny', subject: { agentId: 'ci', teamIds: ['a'] } })).toEqual({
      type: 'api_key',
      id: 'ci',
      accountId: 'policy-test',
      name: 'policy test',
      role: null,
      userId: null,
      apiKeyId: null,
      agentId: 'ci',
      runtimeSessionId: null,
      teamIds: ['a'],
      scopes: [],
    });
  });

  it('passes server, readOnly and args to the evaluation', () => {
    const compiled = compilePolicy(
      parsePolicyDocument(`
version: 1
defaults: { tools: deny }
rules:
  - { tool: "*", action: allow, readOnly: true, condition: 'tool.server == "gh" && args.n == 2' }
`),
    );
    expect(runPolicyTest(compiled, { name: 't', tool: 'gh.x', server: 'gh', readOnly: true, args: { n: 2 }, expect: 'allow' }).action).toBe(
      'allow',
    );
    expect(runPolicyTest(compiled, { name: 't', tool: 'gh.x', server: 'gh', args: { n: 2 }, expect: 'allow' }).action).toBe('deny');
  });
});
