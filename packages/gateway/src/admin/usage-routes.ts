/**
 * Admin routes for usage: `/api/v1/usage`, `/api/v1/usage/summary` and
 * `/api/v1/runtime-sessions/:id/gateway-events`.
 *
 * @module
 */

import { defineRoute, pageQueryShape, type AdminRoute } from '@preloop/core';
import { z } from 'zod';
import { defaultUsageWindow, listGatewayEvents, listUsage, summarizeUsage, usageGroupings } from '../records/usage-queries.js';

const tag = 'gateway';
const time = z.coerce.number().int().nonnegative();

const summaryQuery = z.strictObject({
  groupBy: z.enum(usageGroupings).default('model'),
  from: time.optional(),
  to: time.optional(),
});

const listQuery = z.strictObject({
  from: time.optional(),
  to: time.optional(),
  alias: z.string().optional(),
  agentId: z.string().optional(),
  apiKeyId: z.string().optional(),
  sessionId: z.string().optional(),
  status: z.string().optional(),
  ...pageQueryShape,
});

const pageQuery = z.strictObject(pageQueryShape);

/**
 * The usage routes.
 *
 * @example
 * ```ts
 * const routes = usageRoutes();
 * ```
 */
export function usageRoutes(): AdminRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/usage/summary', summary: 'Usage and spend grouped by model, agent, key, session or day (times in epoch ms; default: the last 30 days)', tag,
      access: { role: 'viewer' }, query: summaryQuery,
      handler: ({ preloop, principal, query }) => {
        const window = defaultUsageWindow();
        return summarizeUsage(preloop.service('gateway').db, principal!.accountId, query.groupBy, query.from ?? window.from, query.to ?? window.to);
      },
    }),
    defineRoute({
      method: 'GET', path: '/usage', summary: 'Usage records, newest first', tag, access: { role: 'viewer' }, query: listQuery,
      handler: ({ preloop, principal, query }) => listUsage(preloop.service('gateway').db, principal!.accountId, query),
    }),
    defineRoute({
      method: 'GET', path: '/runtime-sessions/:id/gateway-events', summary: "A runtime session's model calls, oldest first", tag, access: { role: 'viewer' }, query: pageQuery,
      handler: async ({ preloop, principal, params, query }) => {
        await preloop.identity.runtimeSessions.get(principal!.accountId, params.id!);
        return listGatewayEvents(preloop.service('gateway').db, principal!.accountId, params.id!, query);
      },
    }),
  ];
}
