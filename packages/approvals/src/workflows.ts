import { PreloopError, roles, type ApprovalWorkflow, type Preloop, type Role } from '@preloop/core';
import { aiReviewerSchema, checkWorkflowShape, workflowFactors, workflowFactorSchema } from '@preloop/core/internal';
import { z } from 'zod';

const approversSchema = z
  .strictObject({
    users: z.array(z.string().min(1)).optional(),
    teams: z.array(z.string().min(1)).optional(),
    roles: z.array(z.enum(roles)).optional(),
  })
  .refine((value) => (value.users?.length ?? 0) + (value.teams?.length ?? 0) + (value.roles?.length ?? 0) > 0, {
    message: 'name at least one approver (users, teams or roles)',
  });

/**
 * The workflow schema the engine accepts: the policy document's, except that
 * timeouts may be as short as 1 second (handy in tests; the policy document
 * itself keeps its 30-second floor).
 */
export const approvalWorkflowSchema = z
  .strictObject({
    approvers: approversSchema.optional(),
    factors: z.array(workflowFactorSchema).min(1).max(10).optional(),
    quorum: z.number().int().min(1).max(10).default(1),
    timeoutSeconds: z.number().int().min(1).max(2_592_000).default(300),
    onTimeout: z.enum(['deny']).default('deny'),
    escalation: z.strictObject({ afterSeconds: z.number().int().min(1).max(2_592_000), approvers: approversSchema }).optional(),
    requireReason: z.boolean().default(false),
    separationOfDuties: z.boolean().default(true),
    async: z.boolean().optional(),
    aiReviewer: aiReviewerSchema.optional(),
  })
  .superRefine(checkWorkflowShape);

/** A workflow as written in options: fields with defaults may be left out. */
export type ApprovalWorkflowInput = z.input<typeof approvalWorkflowSchema>;

/** Who may approve: user ids, team ids and roles. */
export type ApproverSet = NonNullable<ApprovalWorkflow['approvers']>;

/**
 * The workflow used when the requested one is unknown: one approval by an
 * owner or admin within five minutes, denied on timeout (the default policy's
 * `admins` workflow).
 */
export const fallbackWorkflow: ApprovalWorkflow = Object.freeze({
  approvers: Object.freeze({ roles: ['owner', 'admin'] as Role[] }),
  quorum: 1,
  timeoutSeconds: 300,
  onTimeout: 'deny' as const,
  requireReason: false,
  separationOfDuties: true,
}) as ApprovalWorkflow;

/**
 * Validates a workflow and fills in its defaults; an invalid one is a
 * `CONFIGURATION_ERROR` naming `where` and the field.
 *
 * @example
 * ```ts
 * const workflow = normalizeWorkflow({ approvers: { roles: ['admin'] }, quorum: 2 }, 'workflows.two');
 * ```
 */
export function normalizeWorkflow(input: ApprovalWorkflowInput | ApprovalWorkflow, where: string): ApprovalWorkflow {
  const result = approvalWorkflowSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    throw new PreloopError('CONFIGURATION_ERROR', `approvals: ${where}${path ? `.${path}` : ''} ${issue.message}`);
  }
  return result.data as ApprovalWorkflow;
}

/** Finds a workflow by name for an account; null when it does not know it. */
export type WorkflowResolver = (accountId: string, name: string) => Promise<ApprovalWorkflow | null> | ApprovalWorkflow | null;

/** Where a resolved workflow came from. */
export type WorkflowSource = 'resolver' | 'options' | 'policy' | 'fallback';

/**
 * Builds the lookup used for every new request: the `resolveWorkflow` option,
 * then the `workflows` option, then the active policy (`preloop.governance`),
 * then {@link fallbackWorkflow}. The first that knows the name wins.
 *
 * @example
 * ```ts
 * const lookup = createWorkflowLookup(preloop, { workflows: { two: { approvers: { roles: ['admin'] }, quorum: 2 } } });
 * const { workflow, source } = await lookup('acc_default', 'two');
 * ```
 */
export function createWorkflowLookup(
  preloop: Preloop,
  options: {
    workflows?: Record<string, ApprovalWorkflowInput>;
    resolveWorkflow?: WorkflowResolver;
    defaultWorkflow?: ApprovalWorkflowInput;
  },
): (accountId: string, name: string) => Promise<{ workflow: ApprovalWorkflow; source: WorkflowSource }> {
  const inline = new Map(
    Object.entries(options.workflows ?? {}).map(([name, workflow]) => [name, normalizeWorkflow(workflow, `workflows.${name}`)]),
  );
  const fallback = options.defaultWorkflow ? normalizeWorkflow(options.defaultWorkflow, 'defaultWorkflow') : fallbackWorkflow;
  const governance = (preloop as { governance?: { workflow?(accountId: string, name: string): Promise<ApprovalWorkflow | null> } })
    .governance;
  return async (accountId, name) => {
    if (options.resolveWorkflow) {
      const found = await options.resolveWorkflow(accountId, name);
      if (found) return { workflow: normalizeWorkflow(found, `resolveWorkflow("${name}")`), source: 'resolver' };
    }
    const own = inline.get(name);
    if (own) return { workflow: own, source: 'options' };
    if (typeof governance?.workflow === 'function') {
      const found = await governance.workflow(accountId, name);
      if (found) return { workflow: normalizeWorkflow(found, `policy workflow "${name}"`), source: 'policy' };
    }
    return { workflow: fallback, source: 'fallback' };
  };
}

/** An approver as eligibility sees it. */
export interface ApproverFacts {
  userId: string;
  role: Role | null;
  teamIds: readonly string[];
}

/**
 * True when `approver` is named by `set`: as a user, through one of its teams,
 * or through its role.
 *
 * @example
 * ```ts
 * matchesApprovers({ roles: ['admin'] }, { userId: 'u1', role: 'owner', teamIds: [] }); // false: roles match exactly
 * ```
 */
export function matchesApprovers(set: ApproverSet, approver: ApproverFacts): boolean {
  if (set.users?.includes(approver.userId)) return true;
  if (set.teams?.some((team) => approver.teamIds.includes(team))) return true;
  return approver.role !== null && (set.roles?.includes(approver.role) ?? false);
}

/**
 * The factors `approver` may count toward: those whose approvers name them,
 * and, once the request has escalated, every factor when the escalation
 * approvers name them (an escalation approver stands in for any factor).
 * A workflow written with `approvers` has one factor, `approvers`.
 *
 * @example
 * ```ts
 * eligibleFactors(workflow, { escalated: false }, facts); // ['platform']
 * ```
 */
export function eligibleFactors(workflow: ApprovalWorkflow, state: { escalated: boolean }, approver: ApproverFacts): string[] {
  const factors = workflowFactors(workflow);
  if (state.escalated && workflow.escalation !== undefined && matchesApprovers(workflow.escalation.approvers, approver))
    return factors.map((factor) => factor.name);
  return factors.filter((factor) => matchesApprovers(factor.approvers, approver)).map((factor) => factor.name);
}

/**
 * Whether `approver` may vote on a request under `workflow`: a member of any
 * of its factors (its approvers) always; the escalation approvers once the
 * request has escalated.
 *
 * @example
 * ```ts
 * isEligibleApprover(workflow, { escalated: false }, facts);
 * ```
 */
export function isEligibleApprover(workflow: ApprovalWorkflow, state: { escalated: boolean }, approver: ApproverFacts): boolean {
  return eligibleFactors(workflow, state, approver).length > 0;
}
