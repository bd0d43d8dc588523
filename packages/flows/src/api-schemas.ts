import { z } from 'zod';
import { executionStatuses } from './execution-store.js';
import { flowDefinitionSchema, scheduleTriggerSchema } from './flow-schema.js';

/** A flow as the admin API answers it. */
export const flowViewSchema = flowDefinitionSchema.extend({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  agentId: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Where its webhook trigger is called (`POST`), or null without one. */
  webhookUrl: z.string().nullable(),
});

/** A created or replaced flow, with its new webhook secret (shown once; null when none was made). */
export const savedFlowSchema = z.object({ flow: flowViewSchema, webhookSecret: z.string().nullable() });

/** The list of flows. */
export const flowListSchema = z.object({ items: z.array(flowViewSchema) });

/** One execution as the admin API answers it. */
export const executionViewSchema = z.object({
  id: z.string(),
  flowId: z.string(),
  flowVersion: z.number().int(),
  status: z.enum(executionStatuses),
  /** What started it: `{ type: 'event' | 'webhook' | 'schedule' | 'manual' | 'retry', … }`. */
  trigger: z.record(z.string(), z.unknown()),
  /** The template's inputs: `{ event, inputs }`. */
  input: z.record(z.string(), z.unknown()),
  renderedPrompt: z.string().nullable(),
  attempt: z.number().int(),
  failures: z.number().int(),
  runAfter: z.number(),
  /** The instance running it, while it runs. */
  leaseOwner: z.string().nullable(),
  leaseExpiresAt: z.number().nullable(),
  deadlineAt: z.number().nullable(),
  /** Its runtime session: the tool and model calls are the session's activity and usage. */
  runtimeSessionId: z.string().nullable(),
  /** The approval request it waits for (or last waited for). */
  approvalRequestId: z.string().nullable(),
  cancelRequested: z.boolean(),
  result: z.string().nullable(),
  error: z.string().nullable(),
  /** Spend of its model calls, in micro-dollars (from the gateway's usage of its session). */
  costMicros: z.number(),
  usage: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
});

/** A page of executions. */
export const executionPageSchema = z.object({ items: z.array(executionViewSchema), nextCursor: z.string().nullable() });

/** The query of the executions list. */
export const executionListQuerySchema = z.strictObject({
  status: z.enum(executionStatuses).optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

/** The installed runtimes. */
export const runtimeListSchema = z.object({ items: z.array(z.object({ id: z.string(), description: z.string() })) });

/** The query of the account-wide executions list: also by flow. */
export const allExecutionsQuerySchema = executionListQuerySchema.extend({ flowId: z.string().min(1).max(200).optional() });

/** The body of `POST /flows/:id/run`. */
export const runFlowBodySchema = z
  .strictObject({ inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional() })
  .default({});

/** The body of `POST /flows/:id/enabled`. */
export const setFlowEnabledBodySchema = z.strictObject({ enabled: z.boolean() });

/** The body of `POST /executions/:id/cancel`. */
export const cancelExecutionBodySchema = z.strictObject({ reason: z.string().min(1).max(500).optional() }).default({});

/** The body of `POST /flows/preview`. */
export const previewBodySchema = z.strictObject({
  prompt: z.string().min(1).max(32_768),
  /** A sample event (the trigger's payload). @default null */
  event: z.unknown().optional(),
  inputs: z.record(z.string(), z.unknown()).default({}),
  flow: z.strictObject({ id: z.string().max(200), name: z.string().max(200) }).default({ id: 'flow_preview', name: 'preview' }),
});

/** The body of `POST /flows/schedule-preview`: a schedule trigger's cron and time zone, checked as the trigger checks them. */
export const schedulePreviewBodySchema = z
  .strictObject({
    cron: z.string().min(1).max(200),
    /** @default 'UTC' */
    timezone: z.string().min(1).max(100).default('UTC'),
    /** How many fire times. @default 5 */
    count: z.number().int().min(1).max(20).default(5),
  })
  .superRefine((body, context) => {
    const checked = scheduleTriggerSchema.safeParse({ type: 'schedule', cron: body.cron, timezone: body.timezone });
    if (!checked.success)
      for (const issue of checked.error.issues) context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });

/** What `POST /flows/schedule-preview` answers: the next fire times (epoch milliseconds), soonest first. */
export const schedulePreviewSchema = z.object({ times: z.array(z.number()) });

/** What `POST /flows/preview` answers. */
export const previewResultSchema = z.object({ rendered: z.string() });

/** What a signed webhook delivery answers (202). */
export const webhookAcceptedSchema = z.object({ executionId: z.string(), status: z.enum(executionStatuses) });

/** A line of an execution's log. */
export const executionLogLineSchema = z.object({ seq: z.number().int(), time: z.number(), stream: z.string(), text: z.string() });

/** What `POST /flows/:id/webhook-secret` answers: the new secret, shown once. */
export const webhookSecretSchema = z.object({ webhookSecret: z.string() });

/** A flow view. */
export type FlowView = z.output<typeof flowViewSchema>;
/** A created or replaced flow with its new webhook secret. */
export type SavedFlow = z.output<typeof savedFlowSchema>;
/** An execution view. */
export type ExecutionView = z.output<typeof executionViewSchema>;
/** A page of executions. */
export type ExecutionPage = z.output<typeof executionPageSchema>;
/** The query of the executions list. */
export type ExecutionListQuery = z.input<typeof executionListQuerySchema>;
/** The body of a manual run. */
export type RunFlowInput = z.input<typeof runFlowBodySchema>;
/** The body of a preview. */
export type PreviewInput = z.input<typeof previewBodySchema>;
/** A preview's answer. */
export type PreviewResult = z.output<typeof previewResultSchema>;
/** The installed runtimes. */
export type RuntimeList = z.output<typeof runtimeListSchema>;
/** The query of `GET /executions`. */
export type AllExecutionsQuery = z.input<typeof allExecutionsQuerySchema>;
/** The body of a schedule preview. */
export type SchedulePreviewInput = z.input<typeof schedulePreviewBodySchema>;
/** A schedule preview's answer. */
export type SchedulePreview = z.output<typeof schedulePreviewSchema>;
/** A log line. */
export type ExecutionLogLineView = z.output<typeof executionLogLineSchema>;
