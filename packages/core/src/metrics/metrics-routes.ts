import { defineRoute, type AdminRoute } from '../api/define-route.js';
import { assertMayReadMetrics } from './metrics-handler.js';

/** `GET /api/v1/metrics`: the kernel's metrics in the Prometheus text format, for owners and admins (API keys: `metrics:read` or `admin:read`). */
export const metricsRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics (text exposition format): requests per surface, tool and model calls, approvals, Bus lag, process',
    tag: 'system',
    access: { role: 'admin', principals: ['user', 'api_key'] },
    response: { mediaType: 'text/plain', description: 'Prometheus text exposition format 0.0.4' },
    async handler({ preloop, principal }) {
      assertMayReadMetrics(principal!);
      return new Response(await preloop.metrics.scrape(), {
        status: 200,
        headers: { 'content-type': preloop.metrics.contentType, 'cache-control': 'no-store' },
      });
    },
  }),
];
