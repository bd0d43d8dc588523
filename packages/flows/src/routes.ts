import { defineRoute, readTextBody, type AdminRoute } from '@preloop/core';
import { Cron } from 'croner';
import { z } from 'zod';
import {
  allExecutionsQuerySchema,
  cancelExecutionBodySchema,
  executionListQuerySchema,
  executionPageSchema,
  executionViewSchema,
  flowListSchema,
  flowViewSchema,
  previewBodySchema,
  previewResultSchema,
  runFlowBodySchema,
  schedulePreviewBodySchema,
  schedulePreviewSchema,
  runtimeListSchema,
  savedFlowSchema,
  setFlowEnabledBodySchema,
  webhookAcceptedSchema,
  webhookSecretSchema,
} from './api-schemas.js';
import { createFlowBodySchema, updateFlowBodySchema } from './flow-schema.js';
import type { FlowsService } from './flows-service.js';
import { createLogStream } from './log-stream.js';
import type { ResolvedFlowsOptions } from './options.js';
import { renderTemplate } from './templates.js';

const idParams = z.object({ id: z.string().min(1).max(200) });

/**
 * The flows plugin's admin API routes, under `/api/v1`: flows (list, create,
 * read, replace, enable/disable, delete, run, rotate the webhook secret,
 * preview a prompt), executions (list per flow, read, cancel, retry, the live
 * log as server-sent events) and the public, signed webhook of each flow.
 *
 * @example
 * ```ts
 * const routes = flowRoutes(() => service, resolved);
 * ```
 */
export function flowRoutes(service: () => FlowsService, options: ResolvedFlowsOptions): AdminRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/flows',
      summary: 'List the flows',
      tag: 'flows',
      access: { role: 'viewer' },
      response: flowListSchema,
      handler: async ({ principal }) => ({ items: await service().listFlows(principal!.accountId) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/flows',
      summary: 'Create a flow (answers its webhook secret once, when it has a webhook trigger)',
      tag: 'flows',
      access: { role: 'admin' },
      body: createFlowBodySchema,
      response: savedFlowSchema,
      status: 201,
      errors: [409],
      handler: ({ principal, body }) => service().createFlow(principal!.accountId, body),
    }),
    defineRoute({
      method: 'GET',
      path: '/flows/runtimes',
      summary: 'List the installed runtimes (built in and contributed by plugins)',
      tag: 'flows',
      access: { role: 'viewer' },
      response: runtimeListSchema,
      handler: () => ({ items: service().runtimes() }),
    }),
    defineRoute({
      method: 'GET',
      path: '/executions',
      summary: 'List the executions of every flow, newest first (filters: flowId, status; cursor pagination)',
      tag: 'flows',
      access: { role: 'viewer' },
      query: allExecutionsQuerySchema,
      response: executionPageSchema,
      handler: ({ principal, query }) => {
        const { flowId, ...rest } = query;
        return service().listExecutions(principal!.accountId, flowId ?? null, rest);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/flows/preview',
      summary: 'Render a prompt template against a sample event and inputs',
      tag: 'flows',
      access: { role: 'viewer' },
      body: previewBodySchema,
      response: previewResultSchema,
      handler: async ({ body }) => ({
        rendered: await renderTemplate(body.prompt, { event: body.event ?? null, inputs: body.inputs, flow: body.flow }),
      }),
    }),
    defineRoute({
      method: 'POST',
      path: '/flows/schedule-preview',
      summary: "A cron schedule's next fire times in its time zone (for the builder; an invalid cron or zone is a 400 naming it)",
      tag: 'flows',
      access: { role: 'viewer' },
      body: schedulePreviewBodySchema,
      response: schedulePreviewSchema,
      handler: ({ body }) => ({
        times: new Cron(body.cron, { timezone: body.timezone, paused: true }).nextRuns(body.count).map((time) => time.getTime()),
      }),
    }),
    defineRoute({
      method: 'POST',
      path: '/flows/hooks/:id',
      summary:
        'A flow\'s signed webhook (public): X-Preloop-Timestamp, X-Preloop-Signature (v1=HMAC-SHA256 of "<timestamp>.<body>"), X-Preloop-Delivery',
      tag: 'flows',
      access: 'public',
      params: idParams,
      rawBody: true,
      response: webhookAcceptedSchema,
      status: 202,
      errors: [401, 409],
      handler: async ({ request, params }) => {
        const body = await readTextBody(request, options.webhookMaxBytes);
        return service().webhook(params.id!, request, body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/flows/:id',
      summary: 'Get a flow',
      tag: 'flows',
      access: { role: 'viewer' },
      params: idParams,
      response: flowViewSchema,
      errors: [404],
      handler: ({ principal, params }) => service().getFlow(principal!.accountId, params.id!),
    }),
    defineRoute({
      method: 'PUT',
      path: '/flows/:id',
      summary: 'Replace a flow (its version counts up)',
      tag: 'flows',
      access: { role: 'admin' },
      params: idParams,
      body: updateFlowBodySchema,
      response: savedFlowSchema,
      errors: [404, 409],
      handler: ({ principal, params, body }) => service().updateFlow(principal!.accountId, params.id!, body),
    }),
    defineRoute({
      method: 'POST',
      path: '/flows/:id/enabled',
      summary: 'Enable or disable a flow',
      tag: 'flows',
      access: { role: 'admin' },
      params: idParams,
      body: setFlowEnabledBodySchema,
      response: flowViewSchema,
      errors: [404],
      handler: ({ principal, params, body }) => service().setEnabled(principal!.accountId, params.id!, body.enabled),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/flows/:id',
      summary: 'Delete a flow with its executions, webhook secret and managed agent',
      tag: 'flows',
      access: { role: 'admin' },
      params: idParams,
      response: null,
      status: 204,
      errors: [404],
      handler: async ({ principal, params }) => {
        await service().deleteFlow(principal!.accountId, params.id!);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/flows/:id/webhook-secret',
      summary: "Replace a flow's webhook secret (answered once)",
      tag: 'flows',
      access: { role: 'admin' },
      params: idParams,
      response: webhookSecretSchema,
      errors: [404, 409],
      handler: async ({ principal, params }) => ({ webhookSecret: await service().rotateWebhookSecret(principal!.accountId, params.id!) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/flows/:id/run',
      summary: "Start a flow by hand with inputs (validated against the flow's declared inputs)",
      tag: 'flows',
      access: { role: 'admin' },
      params: idParams,
      body: runFlowBodySchema,
      response: executionViewSchema,
      status: 202,
      errors: [404, 409],
      handler: ({ principal, params, body }) =>
        service().run(principal!.accountId, params.id!, body ?? {}, principal!.userId ?? principal!.id),
    }),
    defineRoute({
      method: 'GET',
      path: '/flows/:id/executions',
      summary: "List a flow's executions, newest first (filter: status; cursor pagination)",
      tag: 'flows',
      access: { role: 'viewer' },
      params: idParams,
      query: executionListQuerySchema,
      response: executionPageSchema,
      errors: [404],
      handler: ({ principal, params, query }) => service().listExecutions(principal!.accountId, params.id!, query),
    }),
    defineRoute({
      method: 'GET',
      path: '/executions/:id',
      summary: 'Get a flow execution (status, trigger, rendered prompt, runtime session, cost, result)',
      tag: 'flows',
      access: { role: 'viewer' },
      params: idParams,
      response: executionViewSchema,
      errors: [404],
      handler: ({ principal, params }) => service().getExecution(principal!.accountId, params.id!),
    }),
    defineRoute({
      method: 'POST',
      path: '/executions/:id/cancel',
      summary: 'Cancel an execution (a running one is aborted: its runtime stopped, its child processes killed)',
      tag: 'flows',
      access: { role: 'admin' },
      params: idParams,
      body: cancelExecutionBodySchema,
      response: executionViewSchema,
      errors: [404, 409],
      handler: ({ principal, params, body }) =>
        service().cancel(principal!.accountId, params.id!, body?.reason ?? `cancelled by ${principal!.name}`, principal!),
    }),
    defineRoute({
      method: 'POST',
      path: '/executions/:id/retry',
      summary: 'Queue a new execution with the trigger and input of a failed, cancelled or timed-out one',
      tag: 'flows',
      access: { role: 'admin' },
      params: idParams,
      response: executionViewSchema,
      status: 202,
      errors: [404, 409],
      handler: ({ principal, params }) => service().retry(principal!.accountId, params.id!),
    }),
    defineRoute({
      method: 'GET',
      path: '/executions/:id/logs',
      summary: "An execution's log as server-sent events (`event: log`, then `event: end` once it ended); Last-Event-ID resumes",
      tag: 'flows',
      access: { role: 'viewer' },
      params: idParams,
      response: {
        mediaType: 'text/event-stream',
        description: 'One `log` event per line (data: {seq, time, stream, text}); `end` with the final status.',
      },
      errors: [404],
      handler: async ({ principal, params, request, preloop }) => {
        await service().getExecution(principal!.accountId, params.id!);
        const after = Number(request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('after') ?? 0);
        return createLogStream(service(), preloop.events, {
          accountId: principal!.accountId,
          executionId: params.id!,
          afterSeq: Number.isFinite(after) ? after : 0,
          signal: request.signal,
          pollIntervalMs: options.pollIntervalMs,
        });
      },
    }),
  ];
}
