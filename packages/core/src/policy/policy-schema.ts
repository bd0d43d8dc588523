/**
 * The zod schema of a policy document: its shape, types, ranges and defaults.
 * Checks that span fields (workflow references, CEL conditions, unique names)
 * live in `policy-semantics.ts`; parsing text lives in `policy-document.ts`.
 */
import { z } from 'zod';
import { roles } from '../identity/principal.js';
import { globPatternProblem } from './tool-glob.js';

/** A glob over tool or model names: printable ASCII, `*` is the only wildcard. */
const glob = z.string().superRefine((value, context) => {
  const problem = globPatternProblem(value);
  if (problem !== null) context.addIssue({ code: 'custom', message: `invalid glob: ${problem}` });
});

/** An identifier of a thing that lives elsewhere (an API key, agent, team or user id). */
const reference = z.string().min(1).max(256);

/** A short human text without control characters. */
const label = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\x00-\x1f\x7f]+$/, 'must not contain control characters');

/** Workflow names: a letter, then letters, digits, `_` or `-`. */
const workflowName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'workflow names start with a letter and hold only letters, digits, _ and -');

/** What a rule or the default does with a tool call. */
export const policyActions = ['allow', 'deny', 'require_approval'] as const;

/** A policy action: `allow`, `deny` or `require_approval`. */
export type PolicyAction = (typeof policyActions)[number];

const action = z.enum(policyActions);

const approvers = z
  .strictObject({
    users: z.array(reference).optional(),
    teams: z.array(reference).optional(),
    roles: z.array(z.enum(roles)).optional(),
  })
  .refine((value) => (value.users?.length ?? 0) + (value.teams?.length ?? 0) + (value.roles?.length ?? 0) > 0, {
    message: 'name at least one approver (users, teams or roles)',
  });

const seconds = z.number().int().min(30).max(2_592_000);

/** Factor names: a letter, then letters, digits, `_` or `-`. */
const factorName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'factor names start with a letter and hold only letters, digits, _ and -');

/**
 * One factor of a workflow: its own approvers and quorum. Every factor must
 * reach its quorum; one person counts toward one factor only.
 */
export const workflowFactorSchema = z.strictObject({
  name: factorName,
  approvers,
  quorum: z.number().int().min(1).max(10).default(1),
});

/**
 * A workflow's AI reviewer: a model alias served by the gateway reviews each
 * request against `guidelines` and answers `{ decision, confidence, reasoning }`.
 * In `advise` mode (the default) its opinion is a note for the humans; in
 * `decide` mode a confident answer (at least `threshold`) decides the request.
 * Below the threshold, or on any invalid answer or failure, `fallback` applies:
 * `escalate` (the default) leaves the request to the humans; `approve` and
 * `deny` (only with `mode: 'decide'`) decide it so.
 */
export const aiReviewerSchema = z
  .strictObject({
    /** The gateway model alias to ask. */
    model: z.string().min(1).max(200),
    /** What the reviewer must check, in plain words (shown to it as its instructions). */
    guidelines: z.string().min(1).max(8000),
    /** `advise`: a note for the humans; `decide`: a confident answer decides. @default 'advise' */
    mode: z.enum(['advise', 'decide']).default('advise'),
    /** Least confidence (0..1) for the answer to count. @default 0.8 */
    threshold: z.number().min(0).max(1).default(0.8),
    /** What happens below the threshold, on an invalid answer or a failure. @default 'escalate' */
    fallback: z.enum(['escalate', 'approve', 'deny']).default('escalate'),
    /** Time allowed for the model call, in seconds. @default 60 */
    timeoutSeconds: z.number().int().min(1).max(600).default(60),
  })
  .superRefine((value, context) => {
    if (value.mode === 'advise' && value.fallback !== 'escalate') {
      context.addIssue({
        code: 'custom',
        path: ['fallback'],
        message: "an advising reviewer decides nothing: fallback approve or deny needs mode 'decide'",
      });
    }
  });

/**
 * The cross-field rules of a workflow: `approvers` (with `quorum`) or
 * `factors`, never both and never neither; factor names unique.
 */
export function checkWorkflowShape(
  value: { approvers?: unknown; factors?: ReadonlyArray<{ name: string }>; quorum: number },
  context: z.RefinementCtx,
): void {
  if (value.factors === undefined && value.approvers === undefined) {
    context.addIssue({ code: 'custom', path: ['approvers'], message: 'name the approvers (users, teams or roles), or list factors' });
  }
  if (value.factors !== undefined && value.approvers !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['factors'],
      message: 'use either approvers with quorum, or factors (each with its own approvers and quorum), not both',
    });
  }
  if (value.factors !== undefined && value.quorum !== 1) {
    context.addIssue({
      code: 'custom',
      path: ['quorum'],
      message: 'with factors, each factor has its own quorum: remove the top-level quorum',
    });
  }
  const seen = new Set<string>();
  value.factors?.forEach((factor, index) => {
    if (seen.has(factor.name))
      context.addIssue({ code: 'custom', path: ['factors', index, 'name'], message: `duplicate factor name "${factor.name}"` });
    seen.add(factor.name);
  });
}

const workflow = z
  .strictObject({
    /** Who may approve, counted in one `quorum`; or use `factors`. */
    approvers: approvers.optional(),
    /** Separately counted groups of approvers, each with its own quorum (instead of `approvers`). */
    factors: z.array(workflowFactorSchema).min(1).max(10).optional(),
    quorum: z.number().int().min(1).max(10).default(1),
    timeoutSeconds: seconds.default(300),
    onTimeout: z.enum(['deny']).default('deny'),
    escalation: z.strictObject({ afterSeconds: seconds, approvers }).optional(),
    requireReason: z.boolean().default(false),
    separationOfDuties: z.boolean().default(true),
    async: z.boolean().optional(),
    /** An AI reviewer that gives its opinion (or, in `decide` mode, decides) before the humans. */
    aiReviewer: aiReviewerSchema.optional(),
  })
  .superRefine(checkWorkflowShape);

const rule = z.strictObject({
  name: label.optional(),
  tool: glob,
  action,
  condition: z.string().min(1).optional(),
  reason: z.string().min(1).max(1000).optional(),
  workflow: workflowName.optional(),
  readOnly: z.boolean().optional(),
});

const scopeSubject = z.union(
  [z.strictObject({ apiKey: reference }), z.strictObject({ agent: reference }), z.strictObject({ team: reference })],
  { error: 'must be exactly one of { apiKey: <id> }, { agent: <id> } or { team: <id> }' },
);

const scope = z.strictObject({
  subject: scopeSubject,
  tools: z
    .strictObject({
      visible: z.array(glob).optional(),
      hidden: z.array(glob).optional(),
    })
    .optional(),
  rules: z.array(rule).optional(),
  models: z.strictObject({ allow: z.array(glob) }).optional(),
});

const testSubject = z.strictObject({
  type: z.enum(['user', 'api_key', 'agent', 'runtime_session']).optional(),
  id: reference.optional(),
  accountId: reference.optional(),
  name: z.string().max(200).optional(),
  role: z.enum(roles).nullable().optional(),
  userId: reference.nullable().optional(),
  apiKeyId: reference.nullable().optional(),
  agentId: reference.nullable().optional(),
  runtimeSessionId: reference.nullable().optional(),
  teamIds: z.array(reference).optional(),
  scopes: z.array(z.string()).optional(),
});

const policyTest = z.strictObject({
  name: label,
  subject: testSubject.optional(),
  tool: z.string().min(1).max(1000),
  server: z.string().min(1).max(256).nullable().optional(),
  readOnly: z.boolean().optional(),
  args: z.record(z.string(), z.unknown()).optional(),
  time: z.iso.datetime({ offset: true }).optional(),
  /** Run the case in a tainted runtime session (`session.tainted`); needs a `subject.runtimeSessionId`. */
  sessionTainted: z.boolean().optional(),
  expect: action,
});

/**
 * The zod 4 schema of a policy document. Parse with {@link parsePolicyDocument}
 * rather than directly: that also runs the cross-field checks and reports lines.
 */
export const policyDocumentSchema = z.strictObject({
  version: z.literal(1),
  metadata: z.strictObject({ name: label.optional(), description: z.string().max(2000).optional() }).optional(),
  defaults: z
    .strictObject({
      tools: action.default('require_approval'),
      workflow: workflowName.optional(),
      models: z.strictObject({ allow: z.array(glob).default([]) }).prefault({}),
    })
    .prefault({}),
  workflows: z.record(workflowName, workflow).default({}),
  rules: z.array(rule).default([]),
  scopes: z.array(scope).default([]),
  tests: z.array(policyTest).optional(),
});

/** A validated policy document, with every default filled in. */
export type PolicyDocument = z.output<typeof policyDocumentSchema>;

/** A policy document as written: fields with defaults may be left out. */
export type PolicyDocumentInput = z.input<typeof policyDocumentSchema>;

/** One ordered tool rule (`rules[]` or `scopes[].rules[]`). */
export type PolicyRule = PolicyDocument['rules'][number];

/** One approval workflow (`workflows.<name>`). */
export type PolicyWorkflow = PolicyDocument['workflows'][string];

/** One factor of a workflow (`workflows.<name>.factors[]`). */
export type PolicyWorkflowFactor = z.output<typeof workflowFactorSchema>;
/** A workflow's AI reviewer, defaults filled in. */
export type PolicyAiReviewer = z.output<typeof aiReviewerSchema>;

/** One per-subject scope (`scopes[]`). */
export type PolicyScope = PolicyDocument['scopes'][number];

/** Who a scope applies to: `{ apiKey }`, `{ agent }` or `{ team }`. */
export type PolicyScopeSubject = PolicyScope['subject'];

/** One embedded policy test case (`tests[]`). */
export type PolicyTestCase = NonNullable<PolicyDocument['tests']>[number];

/**
 * The JSON Schema (draft 2020-12) of a policy document as written, for editors
 * and the admin API's `schema` endpoint. Cross-field checks are not expressible
 * in it; {@link parsePolicyDocument} is the authority.
 *
 * @example
 * ```ts
 * const schema = policyJsonSchema();
 * schema.properties.rules; // { type: 'array', … }
 * ```
 */
export function policyJsonSchema(): Record<string, unknown> & { properties: Record<string, unknown> } {
  return z.toJSONSchema(policyDocumentSchema, { io: 'input' }) as Record<string, unknown> & {
    properties: Record<string, unknown>;
  };
}
