import { z } from 'zod';
import { defineRoute, type AdminRoute } from '../define-route.js';
import { createEventStream } from '../event-stream.js';

const healthResponse = z.object({ status: z.literal('ok'), dialect: z.enum(['sqlite', 'postgres']), time: z.number() });

/** Health and the live event stream. */
export const systemRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/health',
    summary: 'Liveness and database check',
    tag: 'system',
    access: 'public',
    response: healthResponse,
    async handler({ preloop }) {
      await preloop.db.selectFrom('accounts').select('id').limit(1).execute();
      return { status: 'ok' as const, dialect: preloop.dialect, time: Date.now() };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/events',
    summary: 'Server-sent events: the account’s kernel events, live',
    tag: 'system',
    access: { role: 'viewer', principals: ['user', 'api_key'] },
    handler: ({ preloop, principal, request }) => createEventStream(preloop.events, { accountId: principal!.accountId, signal: request.signal }),
  }),
];
