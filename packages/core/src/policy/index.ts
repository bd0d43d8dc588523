/**
 * Governance: policy documents (YAML or JSON, validated with zod), compiled once
 * per version and evaluated per tool call, plus model access, policy tests,
 * simulation and diffs. Pure logic: storage, versions and the admin API live
 * elsewhere in the kernel.
 */
export {
  compilePolicy,
  isCompiledPolicy,
  type CompiledPolicy,
  type CompiledRule,
  type CompiledScope,
  type ScopeKind,
} from './compile-policy.js';
export { defaultPolicy } from './default-policy.js';
export { completePolicy } from './complete-policy.js';
export { diffPolicies, type DiffPoliciesOptions } from './diff-policy.js';
export {
  evaluateToolCall,
  isToolVisible,
  type ToolCallInput,
  type ToolCallTool,
} from './evaluate-policy.js';
export { isModelAllowed, type ModelAccessDecision } from './model-access.js';
export {
  compileCondition,
  createConditionContext,
  maximumConditionLength,
  type CompiledCondition,
  type ConditionCompileResult,
  type ConditionContext,
  type ConditionTool,
} from './policy-cel.js';
export {
  combineDecisions,
  modelNotAllowedReason,
  policyErrorDecision,
  policyErrorPrefix,
  type AllowDecision,
  type DenyDecision,
  type PolicyDecision,
  type PolicyExplanation,
  type RequireApprovalDecision,
} from './policy-decision.js';
export {
  maximumPolicyTextLength,
  parsePolicyDocument,
  type PolicyFormat,
  type PolicyValidationIssue,
} from './policy-document.js';
export {
  policyActions,
  policyDocumentSchema,
  policyJsonSchema,
  type PolicyAction,
  type PolicyDocument,
  type PolicyDocumentInput,
  type PolicyRule,
  type PolicyScope,
  type PolicyScopeSubject,
  type PolicyTestCase,
  type PolicyWorkflow,
  type PolicyWorkflowFactor,
  type PolicyAiReviewer,
} from './policy-schema.js';
export { defaultFactorName, type FactorTally, type FactorVoter } from './workflow-factors.js';
export { findPolicyProblems, formatPolicyPath, type PolicyPath, type PolicyProblem } from './policy-semantics.js';
export {
  policyTestSubject,
  runPolicyTest,
  runPolicyTests,
  type PolicyTestFailure,
  type PolicyTestReport,
} from './policy-tests.js';
export { toPolicyJson, toPolicyYaml } from './policy-yaml.js';
export type { RuleIndex } from './rule-index.js';
export { simulatePolicy, type PolicySimulation } from './simulate-policy.js';
export { maximumNameLength } from './tool-glob.js';
