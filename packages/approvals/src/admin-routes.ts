import { defineRoute, pageQueryShape, type AdminRoute } from '@preloop/core';
import { z } from 'zod';
import type { ApprovalEngine } from './create-approval-engine.js';
import { decideMinimumRole } from './decision-rights.js';

const statuses = ['pending', 'approved', 'denied', 'expired', 'cancelled', 'executed', 'execution_unknown'] as const;

const listQuery = z.strictObject({
  status: z.enum(statuses).optional(),
  kind: z.enum(['tool_call', 'request', 'question']).optional(),
  tool: z.string().min(1).max(1000).optional(),
  subject: z.string().min(1).max(256).optional(),
  ...pageQueryShape,
});

const decideBody = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  comment: z.string().max(4000).optional(),
  answer: z.string().max(4000).optional(),
});

const cancelBody = z.strictObject({ reason: z.string().max(1000).optional() }).optional();

const resolveExecutionBody = z.strictObject({
  outcome: z.enum(['executed', 'not_executed']),
  note: z.string().trim().min(1).max(2000),
});

const mintBody = z.strictObject({
  approverId: z.string().min(1).max(256),
  decision: z.enum(['approve', 'deny']).optional(),
  ttlSeconds: z.number().int().min(1).max(2_592_000).optional(),
});

/**
 * The admin API routes of the approval engine, under `/api/v1`: list and
 * filter requests, read one with its votes and timeline, decide (approver
 * role or higher), cancel, resolve an unknown execution outcome and mint a
 * decision link (admin or higher).
 *
 * @example
 * ```ts
 * const routes = approvalAdminRoutes(() => engine, { publicUrl: 'https://preloop.example.com' });
 * ```
 */
export function approvalAdminRoutes(engine: () => ApprovalEngine, options: { publicUrl: string | null }): AdminRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/approvals',
      summary: 'List approval requests (filters: status, kind, tool, subject; cursor pagination); each item says whether you may decide it (viewer)',
      tag: 'approvals',
      access: { role: 'viewer' },
      query: listQuery,
      handler: ({ principal, query }) => engine().list(principal!.accountId, query, principal!),
    }),
    defineRoute({
      method: 'GET',
      path: '/approvals/readiness',
      summary: 'Whether the workflows can approve what agents ask (for example: the only approver cannot approve their own agents)',
      tag: 'approvals',
      access: { role: 'viewer' },
      handler: ({ principal }) => engine().readiness(principal!.accountId),
    }),
    defineRoute({
      method: 'GET',
      path: '/approvals/:id',
      summary: 'Get an approval request with its votes and timeline (and whether you may decide it)',
      tag: 'approvals',
      access: { role: 'viewer' },
      handler: ({ principal, params }) => engine().detail(principal!.accountId, params.id!, principal!),
    }),
    defineRoute({
      method: 'POST',
      path: '/approvals/:id/decide',
      summary: 'Approve or deny an approval request (one vote per approver)',
      tag: 'approvals',
      access: { role: decideMinimumRole },
      body: decideBody,
      async handler({ principal, params, body }) {
        const result = await engine().decide({
          accountId: principal!.accountId,
          requestId: params.id!,
          actor: principal!,
          decision: body.decision,
          comment: body.comment ?? null,
          answer: body.answer ?? null,
          channel: 'api',
        });
        // The request as the voter now sees it (`viewer`: already voted), so a console shows no buttons again.
        return { ...result, request: await engine().get(principal!.accountId, params.id!, principal!) };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/approvals/:id/cancel',
      summary: 'Cancel a pending approval request',
      tag: 'approvals',
      access: { role: 'admin' },
      body: cancelBody,
      async handler({ principal, params, body }) {
        await engine().cancel(params.id!, principal!, body?.reason);
        return engine().get(principal!.accountId, params.id!);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/approvals/:id/resolve-execution',
      summary: 'Resolve a request whose execution outcome is unknown (executed, or not_executed: approved again, runs once on the next identical call)',
      tag: 'approvals',
      access: { role: 'admin' },
      body: resolveExecutionBody,
      async handler({ principal, params, body }) {
        await engine().resolveExecution({ accountId: principal!.accountId, requestId: params.id!, actor: principal!, resolution: body.outcome, note: body.note });
        return engine().detail(principal!.accountId, params.id!);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/approvals/:id/links',
      summary: 'Mint a single-use decision link for one approver (the URL is shown once)',
      tag: 'approvals',
      access: { role: 'admin' },
      body: mintBody,
      status: 201,
      handler: ({ principal, params, body, request }) =>
        engine().mintLink({
          accountId: principal!.accountId,
          requestId: params.id!,
          approverId: body.approverId,
          decision: body.decision ?? null,
          ttlSeconds: body.ttlSeconds,
          baseUrl: options.publicUrl ?? new URL(request.url).origin,
          actor: principal!,
        }),
    }),
  ];
}

