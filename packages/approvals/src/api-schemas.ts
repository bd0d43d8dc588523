/**
 * The admin API contract of the approvals plugin: zod schemas of every
 * request and response body its routes take and answer, and the types
 * derived from them (re-exported, types only, by `@preloop/approvals/api`).
 * The routes validate bodies with these schemas, the OpenAPI document is
 * built from them, and response validation checks what the handlers answer.
 *
 * @module
 */
import {
  pageOf,
  pageQueryShape,
  type ApprovalRequestView,
  type ArgumentRedaction,
  type FactorTally,
  type SchemaAgrees,
} from '@preloop/core';
import { z } from 'zod';
import type { WorkflowSource } from './workflows.js';

/** Every approval request status. */
export const approvalStatuses = ['pending', 'approved', 'denied', 'expired', 'cancelled', 'executed', 'execution_unknown'] as const;

const decision = z.enum(['approve', 'deny']);
const epochMs = z.number().int();

/** One place in the shown arguments that was redacted or cut (core's `ArgumentRedaction`). */
export const argumentRedactionSchema = z.object({
  path: z.array(z.union([z.string(), z.number().int()])),
  reason: z.enum(['secret-name', 'secret-value', 'truncated']),
  kinds: z.array(z.enum(['private-key', 'jwt', 'bearer', 'api-key', 'url-password'])).optional(),
  bytes: z.number().int().optional(),
  sha256: z.string().optional(),
});

/** An approval request as notifiers, the admin API and the console see it (core's `ApprovalRequestView`). */
export const approvalRequestViewSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  status: z.enum(approvalStatuses),
  kind: z.enum(['tool_call', 'request', 'question']),
  tool: z.object({ name: z.string(), definitionHash: z.string().nullable() }),
  args: z.record(z.string(), z.unknown()),
  argsRedactions: z.array(argumentRedactionSchema),
  argsHash: z.string(),
  subject: z.object({
    type: z.enum(['user', 'api_key', 'agent', 'runtime_session']),
    id: z.string(),
    name: z.string(),
    userId: z.string().nullable(),
    apiKeyId: z.string().nullable(),
    agentId: z.string().nullable(),
  }),
  runtimeSessionId: z.string().nullable(),
  workflow: z.object({
    name: z.string(),
    quorum: z.number().int(),
    requireReason: z.boolean(),
    escalates: z.boolean(),
    factors: z.array(z.object({ name: z.string(), quorum: z.number().int() })).optional(),
  }),
  reason: z.string().nullable(),
  justification: z.string().nullable(),
  question: z.object({ text: z.string(), options: z.array(z.string()), allowFreeText: z.boolean() }).nullable(),
  votes: z.object({ approve: z.number().int(), deny: z.number().int() }),
  createdAt: epochMs,
  expiresAt: epochMs,
  escalatedAt: epochMs.nullable(),
  decidedAt: epochMs.nullable(),
  decidedBy: z.string().nullable(),
  comment: z.string().nullable(),
  answer: z.string().nullable(),
  outcomeReason: z.string().nullable(),
  executedAt: epochMs.nullable(),
  execution: z.object({ claimedAt: epochMs, leaseExpiresAt: epochMs.nullable(), idempotent: z.boolean() }).nullable().optional(),
});

true satisfies SchemaAgrees<typeof argumentRedactionSchema, ArgumentRedaction>;
true satisfies SchemaAgrees<typeof approvalRequestViewSchema, ApprovalRequestView>;

/**
 * Why a principal may not decide a request, in the order the decide path checks:
 * `viewer_role` (the admin API decides with role approver or higher),
 * `read_only_key` (an API key without the `admin:write` scope),
 * `requester` (they asked for the call), `key_owner` (they own the requesting
 * API key or agent), `already_voted`, `not_an_approver` (not named by the
 * workflow, or not a user at all), `not_pending` (decided, expired or cancelled).
 */
export const decisionRefusals = [
  'viewer_role',
  'read_only_key',
  'requester',
  'key_owner',
  'already_voted',
  'not_an_approver',
  'not_pending',
] as const;

/** Whether the signed-in principal may decide a request, and if not why (the `viewer` field). */
export const viewerDecisionSchema = z.object({
  canDecide: z.boolean(),
  /** Set when `canDecide` is false. */
  reason: z.enum(decisionRefusals).optional(),
  /** With `already_voted`: the vote already cast. */
  vote: decision.optional(),
});

/** A request as the calling principal sees it: the view and whether they may decide it. */
export const approvalListItemSchema = approvalRequestViewSchema.extend({ viewer: viewerDecisionSchema });

/** One vote, as the admin API shows it. */
export const approvalVoteSchema = z.object({
  approverId: z.string(),
  decision,
  comment: z.string().nullable(),
  /** The answer the approver gave to a question (`ask_user`). */
  answer: z.string().nullable(),
  /** Where it came from: `api`, `link`, … (`ai` for the AI reviewer). */
  channel: z.string(),
  createdAt: epochMs,
  /** `user`, or `ai` for the AI reviewer's vote (its `approverId` is the reviewer agent's id; it never counts toward quorum or factors). */
  approverType: z.enum(['user', 'ai']),
  /** The AI reviewer's confidence (0..1); null for a user's vote. */
  confidence: z.number().min(0).max(1).nullable(),
});

/** One entry of a request's timeline (`requested`, `joined`, `vote`, `approved`, `denied`, `expired`, `escalated`, `cancelled`, `execution_claimed`, `executed`, `notified`, …). */
export const approvalTimelineEntrySchema = z.object({
  id: z.string(),
  time: epochMs,
  type: z.string(),
  actorId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

/** A factor's progress: who counts toward it (core's `FactorTally`). */
export const factorTallySchema = z.object({ name: z.string(), quorum: z.number().int(), approvers: z.array(z.string()) });

true satisfies SchemaAgrees<typeof factorTallySchema, FactorTally>;

/** What a request's detail adds to its view: votes, timeline, whether a result is stored, per-factor progress. */
export const approvalDetailExtraShape = {
  voteList: z.array(approvalVoteSchema),
  timeline: z.array(approvalTimelineEntrySchema),
  /** True when the executed call's result is stored. */
  hasResult: z.boolean(),
  /** With factors: who counts toward each factor so far (one person toward one factor); null for a single-quorum workflow. */
  factorTallies: z.array(factorTallySchema).nullable(),
};

/** A request with its votes and timeline, as the calling principal sees it (`GET /approvals/:id`). */
export const approvalDetailSchema = approvalListItemSchema.extend(approvalDetailExtraShape);

/** A page of `GET /approvals`. */
export const approvalPageSchema = pageOf(approvalListItemSchema);

/** A user named in a readiness report (an approver or a blocked owner). */
export const readinessUserSchema = z.object({ id: z.string(), name: z.string(), email: z.string() });

/** One workflow's readiness (an item of `GET /approvals/readiness`). */
export const workflowReadinessSchema = z.object({
  workflow: z.string(),
  /** Where the workflow came from. */
  source: z.enum(['resolver', 'options', 'policy', 'fallback']),
  /** `ready`; `no_approvers` (fewer enabled approvers than its quorum); `self_approval_only` (only the owners of the agents could approve, and separation of duties forbids it). */
  status: z.enum(['ready', 'no_approvers', 'self_approval_only']),
  separationOfDuties: z.boolean(),
  /** The enabled users who may approve under it (escalation approvers included), at most 20. */
  approvers: z.array(readinessUserSchema),
  /** With `self_approval_only`: the users whose agents' and keys' calls nobody else can approve. */
  blockedOwners: z.array(readinessUserSchema),
  /** A sentence saying what is wrong, or null when ready. */
  message: z.string().nullable(),
});

true satisfies SchemaAgrees<typeof workflowReadinessSchema.shape.source, WorkflowSource>;

/** `GET /approvals/readiness`: whether the account's workflows can approve what its agents ask. */
export const approvalReadinessSchema = z.object({
  /** True when every workflow is `ready`. */
  ready: z.boolean(),
  workflows: z.array(workflowReadinessSchema),
  /** The ways out, when something is not ready. */
  remedies: z.array(z.string()),
});

/** The query of `GET /approvals`. */
export const approvalListQuerySchema = z.strictObject({
  status: z.enum(approvalStatuses).optional(),
  kind: z.enum(['tool_call', 'request', 'question']).optional(),
  /** Exact tool name. */
  tool: z.string().min(1).max(1000).optional(),
  /** A user, API key, agent or runtime session id of the requester. */
  subject: z.string().min(1).max(256).optional(),
  ...pageQueryShape,
});

/** The body of `POST /approvals/:id/decide`. */
export const decideApprovalBodySchema = z.strictObject({
  /** For a question, `approve` sends the answer and `deny` declines to answer. */
  decision,
  comment: z.string().max(4000).optional(),
  /** The answer to a question (`ask_user`): one of its options, or free text when the question allows it. */
  answer: z.string().max(4000).optional(),
});

/** What `POST /approvals/:id/decide` answers: what the vote did and the request as the voter now sees it. */
export const decideApprovalResultSchema = z.object({
  /** The request as the voter now sees it (`viewer`: already voted). */
  request: approvalListItemSchema,
  /** False when this approver had already voted the same way (the vote counts once). */
  counted: z.boolean(),
  /** True when this vote resolved the request (approved or denied). */
  resolved: z.boolean(),
});

/** The body of `POST /approvals/:id/cancel` (optional). */
export const cancelApprovalBodySchema = z.strictObject({ reason: z.string().max(1000).optional() }).optional();

/** The body of `POST /approvals/:id/resolve-execution`: what an admin found out about a call whose outcome is unknown. */
export const resolveExecutionBodySchema = z.strictObject({
  /** `executed`: it ran (nothing runs again); `not_executed`: it did not (the next identical call runs it, once). */
  outcome: z.enum(['executed', 'not_executed']),
  /** What was checked (kept on the timeline and in the audit trail). */
  note: z.string().trim().min(1).max(2000),
});

/** The body of `POST /approvals/:id/links`. */
export const mintLinkBodySchema = z.strictObject({
  /** The user the link decides as. */
  approverId: z.string().min(1).max(256),
  /** Restrict the link to one decision. @default either */
  decision: decision.optional(),
  /** Lifetime in seconds. @default the `linkTtlSeconds` option */
  ttlSeconds: z.number().int().min(1).max(2_592_000).optional(),
});

/** A freshly minted decision link (`POST /approvals/:id/links`): the token is shown this once. */
export const mintedDecisionLinkSchema = z.object({
  id: z.string(),
  /** The single-use token (`pla_` + 32 random bytes, base64url). */
  token: z.string(),
  /** The confirm page (GET shows it, POST decides); null without a base URL. */
  url: z.string().nullable(),
  /** The confirm page with Approve preselected. */
  approveUrl: z.string().nullable(),
  /** The confirm page with Deny preselected. */
  denyUrl: z.string().nullable(),
  approverId: z.string(),
  decision: decision.nullable(),
  expiresAt: epochMs,
});

/** The exact arguments of a request (`GET /approvals/:id/arguments`). */
export const approvalArgumentsSchema = z.object({
  id: z.string(),
  /** SHA-256 (hex) of the canonical JSON of `args`: the hash the request is bound to. */
  argsHash: z.string(),
  /** The arguments exactly as bound at creation: nothing redacted, nothing cut. */
  args: z.record(z.string(), z.unknown()),
});

/** The body of `POST /approvals/:id/links/:token` (JSON or a plain form post). */
export const linkDecisionBodySchema = z.strictObject({
  /** The link's token again: it must equal the one in the URL. */
  token: z.string().max(200),
  decision,
  comment: z.string().max(4000).optional(),
  answer: z.string().max(4000).optional(),
});

/** What a JSON `POST /approvals/:id/links/:token` answers (a form post gets an HTML page). */
export const linkDecisionResultSchema = z.object({
  /** Only the id and status: a link holder sees nothing more of the request. */
  request: z.object({ id: z.string(), status: z.enum(approvalStatuses) }),
  counted: z.boolean(),
  resolved: z.boolean(),
});

/** Why the signed-in principal may not decide a request. */
export type DecisionRefusal = (typeof decisionRefusals)[number];
/** Whether the signed-in principal may decide a request, and if not why. */
export type ViewerDecision = z.output<typeof viewerDecisionSchema>;
/** An item of `GET /approvals`: the request and whether the caller may decide it. */
export type ApprovalListItem = z.output<typeof approvalListItemSchema>;
/** One vote, as the admin API shows it. */
export type ApprovalVoteView = z.output<typeof approvalVoteSchema>;
/** One timeline entry. */
export type ApprovalTimelineEntry = z.output<typeof approvalTimelineEntrySchema>;
/** A request with its votes and timeline (`GET /approvals/:id`). */
export type ApprovalDetail = z.output<typeof approvalDetailSchema>;
/** A page of `GET /approvals`. */
export type ApprovalPage = z.output<typeof approvalPageSchema>;
/** A user named by a readiness report. */
export type ReadinessUser = z.output<typeof readinessUserSchema>;
/** One workflow's readiness. */
export type WorkflowReadiness = z.output<typeof workflowReadinessSchema>;
/** Whether one workflow can approve anything. */
export type WorkflowReadinessStatus = WorkflowReadiness['status'];
/** `GET /approvals/readiness`. */
export type ApprovalReadiness = z.output<typeof approvalReadinessSchema>;
/** The query of `GET /approvals`: filters, cursor and page size, each optional. */
export type ApprovalListParams = Partial<z.output<typeof approvalListQuerySchema>>;
/** What `POST /approvals/:id/decide` takes. */
export type DecideApprovalInput = z.input<typeof decideApprovalBodySchema>;
/** What `POST /approvals/:id/decide` answers. */
export type DecideApprovalResult = z.output<typeof decideApprovalResultSchema>;
/** What `POST /approvals/:id/cancel` takes. */
export type CancelApprovalInput = z.input<typeof cancelApprovalBodySchema>;
/** What `POST /approvals/:id/resolve-execution` takes. */
export type ResolveExecutionBody = z.input<typeof resolveExecutionBodySchema>;
/** What `POST /approvals/:id/links` takes. */
export type MintLinkBody = z.input<typeof mintLinkBodySchema>;
/** A freshly minted decision link. */
export type MintedDecisionLink = z.output<typeof mintedDecisionLinkSchema>;
/** The exact arguments of a request. */
export type ApprovalArguments = z.output<typeof approvalArgumentsSchema>;
/** What `POST /approvals/:id/links/:token` takes. */
export type LinkDecisionInput = z.input<typeof linkDecisionBodySchema>;
/** What a JSON `POST /approvals/:id/links/:token` answers. */
export type LinkDecisionResult = z.output<typeof linkDecisionResultSchema>;
