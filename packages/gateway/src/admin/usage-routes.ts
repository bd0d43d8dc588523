/**
 * Admin routes for usage: `/api/v1/usage`, `/api/v1/usage/summary` and
 * `/api/v1/runtime-sessions/:id/gateway-events`.
 *
 * @module
 */

import { defineRoute, type AdminRoute } from '@preloop/core';
import { defaultUsageWindow, listGatewayEvents, listUsage, summarizeUsage } from '../records/usage-queries.js';
import {
  gatewayEventPageSchema,
  gatewayEventQuerySchema,
  usageListQuerySchema,
  usageRecordPageSchema,
  usageSummaryQuerySchema,
  usageSummarySchema,
  type GatewayEventPage,
  type UsageRecordPage,
  type UsageSummary,
} from './api-schemas.js';

const tag = 'gateway';
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
      method: 'GET',
      path: '/usage/summary',
      summary: 'Usage and spend grouped by model, agent, key, session or day (times in epoch ms; default: the last 30 days)',
      tag,
      access: { role: 'viewer' },
      query: usageSummaryQuerySchema,
      response: usageSummarySchema,
      handler: ({ preloop, principal, query }): Promise<UsageSummary> => {
        const window = defaultUsageWindow();
        return summarizeUsage(
          preloop.service('gateway').db,
          principal!.accountId,
          query.groupBy,
          query.from ?? window.from,
          query.to ?? window.to,
        );
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/usage',
      summary: 'Usage records, newest first',
      tag,
      access: { role: 'viewer' },
      query: usageListQuerySchema,
      response: usageRecordPageSchema,
      handler: ({ preloop, principal, query }): Promise<UsageRecordPage> =>
        listUsage(preloop.service('gateway').db, principal!.accountId, query),
    }),
    defineRoute({
      method: 'GET',
      path: '/runtime-sessions/:id/gateway-events',
      summary: "A runtime session's model calls, oldest first",
      tag,
      access: { role: 'viewer' },
      query: gatewayEventQuerySchema,
      response: gatewayEventPageSchema,
      errors: [404],
      handler: async ({ preloop, principal, params, query }): Promise<GatewayEventPage> => {
        await preloop.identity.runtimeSessions.get(principal!.accountId, params.id!);
        return listGatewayEvents(preloop.service('gateway').db, principal!.accountId, params.id!, query);
      },
    }),
  ];
}
