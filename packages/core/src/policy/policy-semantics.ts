/**
 * Cross-field checks of a policy document that a schema cannot express:
 * workflow references, CEL conditions, unique names and impossible workflows.
 */
import { compileCondition } from './policy-cel.js';
import type { PolicyDocument, PolicyRule, PolicyWorkflow } from './policy-schema.js';
import { tallyFactors, workflowFactors } from './workflow-factors.js';

/** A path into a policy document, as keys and array indexes. */
export type PolicyPath = readonly (string | number)[];

/** One problem found in a policy document. */
export interface PolicyProblem {
  /** Where the problem is. */
  path: PolicyPath;
  /** What is wrong, without the path. */
  message: string;
}

/**
 * Formats a path the way the policy guide writes it: `rules[2].condition`,
 * `workflows.admins.quorum`, `workflows["odd name"]`.
 *
 * @example
 * ```ts
 * formatPolicyPath(['scopes', 0, 'rules', 1, 'tool']); // 'scopes[0].rules[1].tool'
 * ```
 */
export function formatPolicyPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) {
      text += text === '' ? segment : `.${segment}`;
    } else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** True when `workflows` has its own workflow called `name` (never a prototype member). */
function hasWorkflow(document: PolicyDocument, name: string): boolean {
  return Object.hasOwn(document.workflows, name);
}

function checkWorkflow(name: string, workflow: PolicyWorkflow, problems: PolicyProblem[]): void {
  const base = ['workflows', name];
  const factors = workflowFactors(workflow);
  const before = problems.length;
  factors.forEach((factor, index) => {
    const { approvers } = factor;
    const onlyUsers = (approvers.teams?.length ?? 0) === 0 && (approvers.roles?.length ?? 0) === 0;
    const users = new Set(approvers.users ?? []).size;
    if (onlyUsers && factor.quorum > users) {
      problems.push({
        path: workflow.factors ? [...base, 'factors', index, 'quorum'] : [...base, 'quorum'],
        message: `quorum ${factor.quorum} can never be reached: only ${users} approver user(s) are named`,
      });
    }
  });
  // One person counts toward one factor: when the factors name only users, check that the named users can fill every quorum.
  const onlyUsers = factors.every((factor) => (factor.approvers.teams?.length ?? 0) === 0 && (factor.approvers.roles?.length ?? 0) === 0);
  if (factors.length > 1 && onlyUsers && problems.length === before) {
    const everyone = [...new Set(factors.flatMap((factor) => factor.approvers.users ?? []))];
    const voters = everyone.map((id) => ({
      id,
      factors: factors.filter((factor) => factor.approvers.users?.includes(id)).map((factor) => factor.name),
    }));
    if (!tallyFactors(factors, voters).satisfied) {
      problems.push({
        path: [...base, 'factors'],
        message: `the factors can never all reach their quorums: one person counts toward one factor, and only ${everyone.length} user(s) are named`,
      });
    }
  }
  if (workflow.escalation && workflow.escalation.afterSeconds >= workflow.timeoutSeconds) {
    problems.push({
      path: [...base, 'escalation', 'afterSeconds'],
      message: `escalation after ${workflow.escalation.afterSeconds}s never happens: the request times out after ${workflow.timeoutSeconds}s`,
    });
  }
}

function checkRule(
  document: PolicyDocument,
  rule: PolicyRule,
  path: PolicyPath,
  names: Map<string, string>,
  problems: PolicyProblem[],
): void {
  if (rule.name !== undefined) {
    const first = names.get(rule.name);
    if (first !== undefined) {
      problems.push({ path: [...path, 'name'], message: `duplicate rule name "${rule.name}" (first used at ${first})` });
    } else names.set(rule.name, formatPolicyPath(path));
  }
  if (rule.workflow !== undefined) {
    if (rule.action !== 'require_approval') {
      problems.push({
        path: [...path, 'workflow'],
        message: `a workflow is only used by action require_approval, but the action is ${rule.action}`,
      });
    } else if (!hasWorkflow(document, rule.workflow)) {
      problems.push({ path: [...path, 'workflow'], message: `unknown workflow "${rule.workflow}"` });
    }
  } else if (rule.action === 'require_approval' && document.defaults.workflow === undefined) {
    problems.push({
      path: [...path, 'workflow'],
      message: 'action require_approval needs a workflow: name one here or set defaults.workflow',
    });
  }
  if (rule.condition !== undefined) {
    const compiled = compileCondition(rule.condition);
    if (!compiled.ok) {
      problems.push({ path: [...path, 'condition'], message: `invalid CEL condition: ${compiled.message}` });
    }
  }
}

/**
 * Runs every cross-field check on a document that already passed the schema and
 * returns the problems found, in document order (empty when the document is valid).
 *
 * @example
 * ```ts
 * findPolicyProblems(document); // [{ path: ['rules', 0, 'workflow'], message: 'unknown workflow "ops"' }]
 * ```
 */
export function findPolicyProblems(document: PolicyDocument): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const { defaults } = document;
  if (defaults.workflow !== undefined && !hasWorkflow(document, defaults.workflow)) {
    problems.push({ path: ['defaults', 'workflow'], message: `unknown workflow "${defaults.workflow}"` });
  } else if (defaults.tools === 'require_approval' && defaults.workflow === undefined) {
    problems.push({
      path: ['defaults', 'workflow'],
      message: 'defaults.tools is require_approval, so defaults.workflow must name the workflow to use',
    });
  }
  for (const [name, workflow] of Object.entries(document.workflows)) checkWorkflow(name, workflow, problems);

  const ruleNames = new Map<string, string>();
  document.rules.forEach((rule, index) => checkRule(document, rule, ['rules', index], ruleNames, problems));

  const subjects = new Map<string, number>();
  document.scopes.forEach((scope, scopeIndex) => {
    const key = JSON.stringify(scope.subject);
    const first = subjects.get(key);
    if (first !== undefined) {
      problems.push({
        path: ['scopes', scopeIndex, 'subject'],
        message: `duplicate scope for the same subject as scopes[${first}]; merge them into one scope`,
      });
    } else subjects.set(key, scopeIndex);
    scope.rules?.forEach((rule, index) => checkRule(document, rule, ['scopes', scopeIndex, 'rules', index], ruleNames, problems));
  });

  const testNames = new Set<string>();
  document.tests?.forEach((test, index) => {
    if (testNames.has(test.name)) {
      problems.push({ path: ['tests', index, 'name'], message: `duplicate test name "${test.name}"` });
    }
    testNames.add(test.name);
  });
  return problems;
}
