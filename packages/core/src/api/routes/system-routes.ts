import { z } from 'zod';
import { StoreUnavailableError } from '../../storage/store-unavailable.js';
import { toErrorResponse } from '../../errors.js';
import type { ReadinessReport } from '../../kernel/readiness.js';
import { defineRoute, type AdminRoute } from '../define-route.js';
import { createEventStream } from '../event-stream.js';
import { json } from '../respond.js';
import { errorBodySchema } from '../route-contract.js';

/** Each readiness check by name: ready, or why not. */
export const readinessChecksSchema = z.record(z.string(), z.object({ ready: z.boolean(), reason: z.string().optional() }));

/** `GET /health`: ok, with the database dialect, the time and the checks. */
export const healthResponse = z.object({
  status: z.literal('ok'),
  dialect: z.enum(['sqlite', 'postgres']),
  time: z.number(),
  checks: readinessChecksSchema.optional(),
});

/** `GET /health/ready`: ready, with every check. */
export const readyResponse = z.object({ status: z.literal('ready'), checks: readinessChecksSchema });

/** The 503 of a failed readiness check: the error body, plus `status` and every check. */
export const notReadyResponse = errorBodySchema.extend({ status: z.literal('unavailable'), checks: readinessChecksSchema });

/** `GET /health/live`: ok while the process runs. */
export const liveResponse = z.object({ status: z.literal('ok'), time: z.number() });

/** The 503 of a failed readiness check: the error names the first failing dependency, `checks` names them all. */
function notReady(report: ReadinessReport): Response {
  const [name, result] = Object.entries(report.checks).find(([, each]) => !each.ready)!;
  const error = new StoreUnavailableError(name, result.reason ?? 'not ready');
  return json({ status: 'unavailable', checks: report.checks, ...error.toJSON() }, 503, toErrorResponse(error).headers);
}

/** Health (liveness and readiness) and the live event stream. */
export const systemRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/health/live',
    summary: 'Liveness: 200 while the process runs (no dependency is checked)',
    tag: 'system',
    access: 'public',
    response: liveResponse,
    handler: () => ({ status: 'ok' as const, time: Date.now() }),
  }),
  defineRoute({
    method: 'GET',
    path: '/health/ready',
    summary: 'Readiness: 200 when every dependency answers, otherwise 503 (with Retry-After) naming the failing ones',
    tag: 'system',
    access: 'public',
    response: readyResponse,
    responses: { 503: notReadyResponse },
    async handler({ preloop }) {
      const report = await preloop.readiness.check();
      return report.status === 'ready' ? { status: 'ready' as const, checks: report.checks } : notReady(report);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/health',
    summary: 'Health: the readiness check with the original body ({ status: "ok", dialect, time }); 503 naming the failing dependency',
    tag: 'system',
    access: 'public',
    response: healthResponse,
    responses: { 503: notReadyResponse },
    async handler({ preloop }) {
      const report = await preloop.readiness.check();
      return report.status === 'ready'
        ? { status: 'ok' as const, dialect: preloop.dialect, time: Date.now(), checks: report.checks }
        : notReady(report);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/events',
    summary: 'Server-sent events: the account’s kernel events, live',
    tag: 'system',
    access: { role: 'viewer', principals: ['user', 'api_key'] },
    response: { mediaType: 'text/event-stream', description: 'One `event:` per kernel event of the account, with its JSON `data:`' },
    handler: ({ preloop, principal, request }) =>
      createEventStream(preloop.events, { accountId: principal!.accountId, signal: request.signal }),
  }),
];
