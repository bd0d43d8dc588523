import { defineRoute, type AdminRoute } from '@preloop/core';
import {
  approvalDetailSchema,
  approvalListItemSchema,
  approvalListQuerySchema,
  approvalPageSchema,
  approvalReadinessSchema,
  cancelApprovalBodySchema,
  decideApprovalBodySchema,
  decideApprovalResultSchema,
  mintedDecisionLinkSchema,
  mintLinkBodySchema,
  resolveExecutionBodySchema,
  type ApprovalDetail,
  type ApprovalListItem,
  type ApprovalPage,
  type ApprovalReadiness,
  type DecideApprovalResult,
  type MintedDecisionLink,
} from './api-schemas.js';
import type { ApprovalEngine } from './create-approval-engine.js';
import { decideMinimumRole } from './decision-rights.js';

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
      summary:
        'List approval requests (filters: status, kind, tool, subject; cursor pagination); each item says whether you may decide it (viewer)',
      tag: 'approvals',
      access: { role: 'viewer' },
      query: approvalListQuerySchema,
      response: approvalPageSchema,
      handler: ({ principal, query }): Promise<ApprovalPage> => engine().list(principal!.accountId, query, principal!),
    }),
    defineRoute({
      method: 'GET',
      path: '/approvals/readiness',
      summary: 'Whether the workflows can approve what agents ask (for example: the only approver cannot approve their own agents)',
      tag: 'approvals',
      access: { role: 'viewer' },
      response: approvalReadinessSchema,
      handler: ({ principal }): Promise<ApprovalReadiness> => engine().readiness(principal!.accountId),
    }),
    defineRoute({
      method: 'GET',
      path: '/approvals/:id',
      summary: 'Get an approval request with its votes and timeline (and whether you may decide it)',
      tag: 'approvals',
      access: { role: 'viewer' },
      response: approvalDetailSchema,
      errors: [404],
      handler: ({ principal, params }): Promise<ApprovalDetail> => engine().detail(principal!.accountId, params.id!, principal!),
    }),
    defineRoute({
      method: 'POST',
      path: '/approvals/:id/decide',
      summary: 'Approve or deny an approval request (one vote per approver)',
      tag: 'approvals',
      access: { role: decideMinimumRole },
      body: decideApprovalBodySchema,
      response: decideApprovalResultSchema,
      // Besides the automatic 400 (a required comment, an invalid answer) and 403 (not an eligible approver, separation of duties): 409 decided or voted the other way, 410 expired.
      errors: [404, 409, 410],
      async handler({ principal, params, body }): Promise<DecideApprovalResult> {
        const result = await engine().decide({
          accountId: principal!.accountId,
          requestId: params.id!,
          actor: principal!,
          decision: body.decision,
          comment: body.comment ?? null,
          answer: body.answer ?? null,
          // A principal that came through a paired device (`via: 'device:…'`) votes on that channel, so the audit names the device.
          channel: principal!.via ?? 'api',
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
      body: cancelApprovalBodySchema,
      response: approvalListItemSchema,
      errors: [404, 409],
      async handler({ principal, params, body }): Promise<ApprovalListItem> {
        await engine().cancel(params.id!, principal!, body?.reason);
        return engine().get(principal!.accountId, params.id!, principal!);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/approvals/:id/resolve-execution',
      summary:
        'Resolve a request whose execution outcome is unknown (executed, or not_executed: approved again, runs once on the next identical call)',
      tag: 'approvals',
      access: { role: 'admin' },
      body: resolveExecutionBodySchema,
      response: approvalDetailSchema,
      errors: [404, 409],
      async handler({ principal, params, body }): Promise<ApprovalDetail> {
        await engine().resolveExecution({
          accountId: principal!.accountId,
          requestId: params.id!,
          actor: principal!,
          resolution: body.outcome,
          note: body.note,
        });
        return engine().detail(principal!.accountId, params.id!, principal!);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/approvals/:id/links',
      summary: 'Mint a single-use decision link for one approver (the URL is shown once)',
      tag: 'approvals',
      access: { role: 'admin' },
      body: mintLinkBodySchema,
      status: 201,
      response: mintedDecisionLinkSchema,
      errors: [404],
      handler: ({ principal, params, body, request }): Promise<MintedDecisionLink> =>
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
