import { z } from 'zod';
import { Cron } from 'croner';

/** The longest prompt template, in characters. */
export const maximumTemplateLength = 32_768;

const nameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters');
const globSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_.*:/-]+$/, 'must be a tool name or a glob such as "github.*"');

/** A kernel event starts the flow (tracker events: `tracker-event`), filtered by type, project, label and a CEL condition. */
export const eventTriggerSchema = z.strictObject({
  type: z.literal('event'),
  /** The kernel event's name. */
  event: z.string().min(1).max(100).default('tracker-event'),
  /** The payload's `type` must be one of these (for tracker events: `issue.labeled`, `issue.opened`…). @default any */
  types: z.array(z.string().min(1).max(100)).max(50).optional(),
  /** The payload's `project` must be one of these. @default any */
  projects: z.array(z.string().min(1).max(300)).max(50).optional(),
  /** The payload's `label`, or one of its issue's or pull request's labels, must be one of these. @default any */
  labels: z.array(z.string().min(1).max(200)).max(50).optional(),
  /** A CEL condition over `event` (the payload) that must be true. @default none */
  condition: z.string().min(1).max(4096).optional(),
});

/** A signed webhook (`POST /api/v1/flows/hooks/:flowId`) starts the flow. */
export const webhookTriggerSchema = z.strictObject({
  type: z.literal('webhook'),
});

/** A cron schedule starts the flow, once per tick across all instances. */
export const scheduleTriggerSchema = z
  .strictObject({
    type: z.literal('schedule'),
    /** Five or six fields (seconds first when six), for example `0 9 * * 1-5`. */
    cron: z.string().min(1).max(200),
    /** IANA time zone the cron is read in. @default 'UTC' */
    timezone: z.string().min(1).max(100).default('UTC'),
  })
  .superRefine((trigger, context) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: trigger.timezone });
    } catch {
      context.addIssue({ code: 'custom', path: ['timezone'], message: `unknown time zone "${trigger.timezone}"` });
      return;
    }
    try {
      new Cron(trigger.cron, { timezone: trigger.timezone, paused: true });
    } catch (error) {
      context.addIssue({ code: 'custom', path: ['cron'], message: `invalid cron expression: ${(error as Error).message}` });
    }
  });

/** Started by hand (console, API, CLI) with inputs. */
export const manualTriggerSchema = z.strictObject({ type: z.literal('manual') });

/** What starts a flow. */
export const flowTriggerSchema = z.discriminatedUnion('type', [
  eventTriggerSchema,
  webhookTriggerSchema,
  scheduleTriggerSchema,
  manualTriggerSchema,
]);

/** One declared input of a flow (manual starts are validated against them). */
export const flowInputDeclarationSchema = z.strictObject({
  type: z.enum(['string', 'number', 'boolean']).default('string'),
  required: z.boolean().default(false),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  description: z.string().max(500).optional(),
});

/** A flow's definition: triggers, prompt, runtime, model, tools and limits. */
export const flowDefinitionSchema = z.strictObject({
  triggers: z
    .array(flowTriggerSchema)
    .max(20)
    .default([{ type: 'manual' }]),
  /** Declared inputs, by name. @default {} */
  inputs: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'input names are identifiers'), flowInputDeclarationSchema)
    .default({}),
  /** The prompt template (Liquid) over `event`, `inputs` and `flow`. */
  prompt: z.string().min(1).max(maximumTemplateLength),
  runtime: z
    .strictObject({
      /** A runtime id: `agent-loop`, `command`, or one a plugin contributes. */
      id: z.string().min(1).max(64).default('agent-loop'),
      options: z.record(z.string(), z.unknown()).default({}),
    })
    .default({ id: 'agent-loop', options: {} }),
  /** The model alias the run may use (the only one its credential may call). @default null: the runtime's default, any model policy allows */
  model: z.string().min(1).max(200).nullable().default(null),
  /** Tools the run may call (names or globs); narrows policy, never widens it. null: what policy allows. @default null */
  tools: z.array(globSchema).max(200).nullable().default(null),
  /** Tools of the flow that need a human approval by this workflow, on top of policy. @default null */
  approval: z
    .strictObject({ workflow: z.string().min(1).max(100), tools: z.array(globSchema).min(1).max(200) })
    .nullable()
    .default(null),
  /** Spend cap per execution (micro-dollars of model calls); over it, the run is stopped and fails. @default null */
  budgetMicros: z.number().int().positive().max(1e12).nullable().default(null),
  /** Executions of this flow that may run at once (across instances). @default 1 */
  concurrency: z.number().int().min(1).max(100).default(1),
  /** How long one attempt may run, in seconds. @default 900 */
  timeoutSeconds: z.number().int().min(1).max(86_400).default(900),
  /** Retries of a failed attempt (an error, a crash of the instance running it), with exponential backoff. */
  retries: z
    .strictObject({
      count: z.number().int().min(0).max(10).default(0),
      backoffSeconds: z.number().min(0).max(3600).default(30),
    })
    .default({ count: 0, backoffSeconds: 30 }),
});

/** A flow's definition after defaults. */
export type FlowDefinition = z.output<typeof flowDefinitionSchema>;
/** One trigger after defaults. */
export type FlowTrigger = z.output<typeof flowTriggerSchema>;
/** An event trigger after defaults. */
export type EventTrigger = z.output<typeof eventTriggerSchema>;
/** A schedule trigger after defaults. */
export type ScheduleTrigger = z.output<typeof scheduleTriggerSchema>;

/** The body of `POST /flows`. */
export const createFlowBodySchema = flowDefinitionSchema.extend({
  name: nameSchema,
  description: z.string().max(2000).default(''),
  enabled: z.boolean().default(true),
});

/** The body of `PUT /flows/:id` (the whole flow, as on create). */
export const updateFlowBodySchema = createFlowBodySchema;
