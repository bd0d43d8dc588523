/**
 * Running the test cases a policy document carries in `tests:` (allow, deny and
 * approval examples kept beside the rules they check).
 */
import type { Principal } from '../identity/principal.js';
import { type CompiledPolicy, compilePolicy, isCompiledPolicy } from './compile-policy.js';
import { evaluateToolCall } from './evaluate-policy.js';
import type { PolicyDecision, PolicyExplanation } from './policy-decision.js';
import type { PolicyAction, PolicyDocument, PolicyTestCase } from './policy-schema.js';

/** One failed policy test. */
export interface PolicyTestFailure {
  /** The test's name. */
  name: string;
  /** The action the test expected. */
  expected: PolicyAction;
  /** The action the policy decided. */
  actual: PolicyAction;
  /** The reason of a deny or approval decision, if any. */
  reason?: string;
  /** Which part of the policy decided. */
  explanation: PolicyExplanation;
}

/** The outcome of {@link runPolicyTests}. */
export interface PolicyTestReport {
  /** How many tests passed. */
  passed: number;
  /** The tests that failed, in document order. */
  failed: PolicyTestFailure[];
}

/**
 * The principal a test case runs as: its `subject` fields over these defaults
 * `{ type: 'api_key', id: 'policy-test', accountId: 'policy-test', name:
 * 'policy test', role: null, userId/apiKeyId/agentId/runtimeSessionId: null,
 * teamIds: [], scopes: [] }`. When `id` is left out it is taken from `apiKeyId`,
 * `agentId` or `userId`, in that order.
 *
 * @example
 * ```ts
 * policyTestSubject({ name: 'ci', tool: 'x', expect: 'deny', subject: { agentId: 'ci' } }).agentId; // 'ci'
 * ```
 */
export function policyTestSubject(test: PolicyTestCase): Principal {
  const given = test.subject ?? {};
  const apiKeyId = given.apiKeyId ?? null;
  const agentId = given.agentId ?? null;
  const userId = given.userId ?? null;
  return {
    type: given.type ?? 'api_key',
    id: given.id ?? apiKeyId ?? agentId ?? userId ?? 'policy-test',
    accountId: given.accountId ?? 'policy-test',
    name: given.name ?? 'policy test',
    role: given.role ?? null,
    userId,
    apiKeyId,
    agentId,
    runtimeSessionId: given.runtimeSessionId ?? null,
    teamIds: [...(given.teamIds ?? [])],
    scopes: [...(given.scopes ?? [])],
  };
}

/**
 * Evaluates one test case against a compiled policy.
 *
 * @example
 * ```ts
 * runPolicyTest(compiled, { name: 'reads', tool: 'github.list_issues', readOnly: true, expect: 'allow' }).action; // 'allow'
 * ```
 */
export function runPolicyTest(compiled: CompiledPolicy, test: PolicyTestCase): PolicyDecision {
  return evaluateToolCall(compiled, {
    subject: policyTestSubject(test),
    tool: { name: test.tool, server: test.server ?? null, readOnly: test.readOnly ?? false },
    args: test.args ?? {},
    time: test.time === undefined ? Date.UTC(2025, 0, 6, 12) : Date.parse(test.time),
    session: { tainted: test.sessionTainted === true },
  });
}

/**
 * Runs every test in the policy's `tests:` and reports the failures. A test
 * without `time` runs at Monday 2025-01-06 12:00 UTC, so results never depend on
 * the clock. Accepts a compiled policy or a document (which is compiled first,
 * and so throws `VALIDATION_ERROR` when invalid).
 *
 * @example
 * ```ts
 * const report = runPolicyTests(compilePolicy(document));
 * if (report.failed.length > 0) console.table(report.failed);
 * ```
 */
export function runPolicyTests(policy: CompiledPolicy | PolicyDocument): PolicyTestReport {
  const compiled = isCompiledPolicy(policy) ? policy : compilePolicy(policy);
  const report: PolicyTestReport = { passed: 0, failed: [] };
  for (const test of compiled.document.tests ?? []) {
    const decision = runPolicyTest(compiled, test);
    if (decision.action === test.expect) {
      report.passed += 1;
      continue;
    }
    report.failed.push({
      name: test.name,
      expected: test.expect,
      actual: decision.action,
      ...(decision.action !== 'allow' && decision.reason !== undefined ? { reason: decision.reason } : {}),
      explanation: decision.explanation,
    });
  }
  return report;
}
