import { defineRoute, type AdminRoute, type SchemaAgrees } from '@preloop/core';
import { z } from 'zod';
import type { ApprovalEngine } from './create-approval-engine.js';
import type { ApprovalDelivery } from './delivery-outbox.js';

/** One delivery of a request's notifications, as `GET /approvals/:id/deliveries` answers it. */
export const approvalDeliverySchema = z.object({
  id: z.string(),
  requestId: z.string(),
  type: z.enum(['approval.requested', 'approval.escalated', 'approval.resolved']),
  notifier: z.string(),
  recipient: z.object({ userId: z.string(), name: z.string() }).nullable(),
  digest: z.boolean(),
  status: z.enum(['pending', 'sending', 'sent', 'failed', 'given_up', 'skipped', 'held', 'digested']),
  attempts: z.number().int(),
  nextAttemptAt: z.number().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  sentAt: z.number().nullable(),
});

true satisfies SchemaAgrees<typeof approvalDeliverySchema, ApprovalDelivery>;

/**
 * `GET /approvals/:id/deliveries`: the notification outbox rows of one
 * request (one per notification, recipient and notifier) with their state,
 * attempts, next attempt and last error, oldest first.
 *
 * @example
 * ```ts
 * const routes = [approvalDeliveriesRoute(() => engine)];
 * ```
 */
export function approvalDeliveriesRoute(engine: () => ApprovalEngine): AdminRoute {
  return defineRoute({
    method: 'GET',
    path: '/approvals/:id/deliveries',
    summary:
      'List the notification deliveries of an approval request (pending, sending, sent, failed, given up, skipped) with attempts and the last error',
    tag: 'approvals',
    access: { role: 'viewer' },
    response: z.object({ items: z.array(approvalDeliverySchema) }),
    errors: [404],
    handler: async ({ principal, params }) => ({ items: await engine().deliveries(principal!.accountId, params.id!) }),
  });
}
