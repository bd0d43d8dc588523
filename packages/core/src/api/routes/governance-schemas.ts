import { z } from 'zod';
import { killSwitchScopes, type KillSwitchState } from '../../governance/kill-switch.js';
import type { PolicyValidation, PolicyVersion } from '../../governance/policy-store.js';
import type { PolicyDecision } from '../../policy/policy-decision.js';
import { policyActions, policyDocumentSchema } from '../../policy/policy-schema.js';
import type { PolicySimulation } from '../../policy/simulate-policy.js';
import type { SchemaAgrees } from '../define-route.js';

/*
 * The response bodies of the policy and kill-switch routes. Each schema
 * describes a type the governance services already declare; the `satisfies
 * SchemaAgrees` lines fail to compile when the two drift apart.
 */

/** One stored policy version, with its validated document. */
export const policyVersionSchema = z.object({
  version: z.number().int().positive(),
  source: z.string(),
  document: policyDocumentSchema,
  comment: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.number().int(),
  active: z.boolean(),
});
true satisfies SchemaAgrees<typeof policyVersionSchema, PolicyVersion>;

/** Which part of the policy decided. */
export const policyExplanationSchema = z.object({
  scope: z.string(),
  rule: z.string().nullable(),
  conditionValue: z.unknown().optional(),
  default: z.boolean().optional(),
  hidden: z.boolean().optional(),
});

/** What policy says about one tool call: allow, deny with a reason, or require approval by a workflow. */
export const policyDecisionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('allow'), explanation: policyExplanationSchema }),
  z.object({ action: z.literal('deny'), reason: z.string(), explanation: policyExplanationSchema }),
  z.object({
    action: z.literal('require_approval'),
    workflow: z.string(),
    reason: z.string().optional(),
    explanation: policyExplanationSchema,
  }),
]);
true satisfies SchemaAgrees<typeof policyDecisionSchema, PolicyDecision>;

/** The result of validating a document without applying it: its issues, or its embedded tests' report. */
export const policyValidationSchema = z.object({
  valid: z.boolean(),
  issues: z.array(z.object({ path: z.string(), message: z.string(), line: z.number().int().optional() })),
  tests: z
    .object({
      passed: z.number().int().min(0),
      failed: z.array(
        z.object({
          name: z.string(),
          expected: z.enum(policyActions),
          actual: z.enum(policyActions),
          reason: z.string().optional(),
          explanation: policyExplanationSchema,
        }),
      ),
    })
    .nullable(),
});
true satisfies SchemaAgrees<typeof policyValidationSchema, PolicyValidation>;

/** `POST /policy/simulate`: whether the tool is listed for the subject, and what a call would get. */
export const policySimulationSchema = z.object({ visible: z.boolean(), decision: policyDecisionSchema });
true satisfies SchemaAgrees<typeof policySimulationSchema, PolicySimulation>;

/** `POST /policy/diff`: a unified diff. */
export const policyDiffSchema = z.object({ diff: z.string() });

/** `GET /policy/versions`: every version, newest first, on one page. */
export const policyVersionListSchema = z.object({ items: z.array(policyVersionSchema), nextCursor: z.null() });

/** The kill switch's state. */
export const killSwitchStateSchema = z.object({
  active: z.array(z.enum(killSwitchScopes)),
  reason: z.string().nullable(),
  activatedBy: z.string().nullable(),
  activatedAt: z.number().int().nullable(),
});
true satisfies SchemaAgrees<typeof killSwitchStateSchema, KillSwitchState>;
