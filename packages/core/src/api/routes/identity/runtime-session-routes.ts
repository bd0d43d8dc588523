import { z } from 'zod';
import { PreloopError } from '../../../errors.js';
import type { Principal } from '../../../identity/principal.js';
import { runtimeAudiences, type RuntimeAudience } from '../../../identity/runtime-credentials.js';
import type { RuntimeSession } from '../../../identity/runtime-sessions.js';
import { defineRoute, type AdminRoute } from '../../define-route.js';
import { runtimeSessionSchema, sessionActivitySchema, startedRuntimeSessionSchema } from './identity-schemas.js';
import { pageOf } from '../../route-contract.js';
import { idSchema, isIdentityManager, listQuery, nameSchema, noStore, requirePrincipal } from './route-helpers.js';

/** Body of `POST /runtime-sessions`. */
export const startRuntimeSessionBody = z.strictObject({
  name: nameSchema,
  agentId: idSchema.optional(),
  source: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be 1–64 lower-case letters, digits, "_", "-" or "."')
    .optional(),
  externalId: z.string().min(1).max(200).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  audience: z.array(z.enum(runtimeAudiences)).min(1).optional(),
});

/** Body of `POST /runtime-sessions/:id/end` (optional): why it ended. */
export const endRuntimeSessionBody = z.strictObject({ reason: z.string().trim().min(1).max(200).optional() }).optional();

/** Query of `GET /runtime-sessions`. */
export const runtimeSessionListQuery = listQuery.extend({
  agentId: idSchema.optional(),
  apiKeyId: idSchema.optional(),
  userId: idSchema.optional(),
  source: z.string().max(64).optional(),
  externalId: z.string().max(200).optional(),
  state: z.enum(['active', 'ended']).optional(),
});

const allPrincipals = ['user', 'api_key', 'agent', 'runtime_session'] as const;

/** The audiences a non-admin principal may give its own session: its scopes among mcp and gateway. */
function ownAudiences(principal: Principal): RuntimeAudience[] {
  return runtimeAudiences.filter((audience) => principal.scopes.includes(audience));
}

/** Whether `principal` may heartbeat or end `session`: admins any, others only their own (404 otherwise, like an unknown id). */
function assertMaySteer(principal: Principal, session: RuntimeSession): void {
  if (isIdentityManager(principal)) return;
  const own =
    (principal.type === 'runtime_session' && principal.runtimeSessionId === session.id) ||
    (principal.type === 'agent' && principal.agentId !== null && principal.agentId === session.agentId) ||
    (principal.type === 'api_key' && principal.apiKeyId === session.apiKeyId && ownAudiences(principal).length > 0);
  if (own) return;
  if (principal.type === 'user' || principal.type === 'api_key')
    throw new PreloopError('FORBIDDEN', 'Only an admin may steer another principal’s runtime session.');
  throw new PreloopError('NOT_FOUND', `No runtime session with id "${session.id}".`);
}

/** Runtime sessions: start (with a credential), list, read, activity, heartbeat (a fresh credential), end. */
export const runtimeSessionRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/runtime-sessions',
    summary: 'List runtime sessions',
    tag: 'runtime-sessions',
    access: { role: 'viewer' },
    query: runtimeSessionListQuery,
    response: pageOf(runtimeSessionSchema),
    handler: ({ preloop, principal, query }) => preloop.identity.runtimeSessions.list(requirePrincipal(principal).accountId, query),
  }),
  defineRoute({
    method: 'POST',
    path: '/runtime-sessions',
    summary: 'Start a runtime session; returns its runtime credential',
    tag: 'runtime-sessions',
    access: { principals: ['user', 'api_key', 'agent'] },
    body: startRuntimeSessionBody,
    status: 201,
    response: startedRuntimeSessionSchema,
    errors: [409],
    async handler({ preloop, principal, body }) {
      const self = requirePrincipal(principal);
      let agentId = body.agentId ?? null;
      let audience = body.audience;
      if (!isIdentityManager(self)) {
        const allowed = ownAudiences(self);
        if (self.type === 'user' || allowed.length === 0)
          throw new PreloopError('FORBIDDEN', 'Starting a runtime session needs an admin, or a key with the mcp or gateway scope.');
        if (self.type === 'agent') {
          if (agentId !== null && agentId !== self.agentId)
            throw new PreloopError('FORBIDDEN', 'An agent may only start its own sessions.');
          agentId = self.agentId;
        } else if (agentId !== null) {
          throw new PreloopError('FORBIDDEN', 'Only an admin, or the agent’s own key, may start a session for an agent.');
        }
        const extra = audience?.find((value) => !allowed.includes(value));
        if (extra) throw new PreloopError('FORBIDDEN', `This key lacks the "${extra}" scope, so its session cannot carry that audience.`);
        audience ??= allowed;
      }
      const started = await preloop.identity.runtimeSessions.start(
        self.accountId,
        {
          name: body.name,
          agentId,
          apiKeyId: self.apiKeyId,
          userId: self.userId,
          source: body.source,
          externalId: body.externalId ?? null,
          metadata: body.metadata,
          audience,
        },
        self,
      );
      return noStore(started, 201);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/runtime-sessions/:id',
    summary: 'Get a runtime session',
    tag: 'runtime-sessions',
    access: { role: 'viewer' },
    response: runtimeSessionSchema,
    errors: [404],
    handler: ({ preloop, principal, params }) => preloop.identity.runtimeSessions.get(requirePrincipal(principal).accountId, params.id!),
  }),
  defineRoute({
    method: 'GET',
    path: '/runtime-sessions/:id/activity',
    summary: 'A runtime session’s activity, oldest first',
    tag: 'runtime-sessions',
    access: { role: 'viewer' },
    query: listQuery,
    response: pageOf(sessionActivitySchema),
    errors: [404],
    handler: ({ preloop, principal, params, query }) =>
      preloop.identity.runtimeSessions.listActivity(requirePrincipal(principal).accountId, params.id!, query),
  }),
  defineRoute({
    method: 'POST',
    path: '/runtime-sessions/:id/heartbeat',
    summary: 'Keep a runtime session alive; returns a fresh runtime credential',
    tag: 'runtime-sessions',
    access: { principals: [...allPrincipals] },
    body: z.strictObject({}).optional(),
    response: startedRuntimeSessionSchema,
    errors: [404, 409, 410],
    async handler({ preloop, principal, params }) {
      const self = requirePrincipal(principal);
      const session = await preloop.identity.runtimeSessions.get(self.accountId, params.id!);
      assertMaySteer(self, session);
      return noStore(await preloop.identity.runtimeSessions.heartbeat(self.accountId, session.id));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/runtime-sessions/:id/end',
    summary: 'End a runtime session: its credential is refused at once',
    tag: 'runtime-sessions',
    access: { principals: [...allPrincipals] },
    body: endRuntimeSessionBody,
    response: runtimeSessionSchema,
    errors: [404],
    async handler({ preloop, principal, params, body }) {
      const self = requirePrincipal(principal);
      const session = await preloop.identity.runtimeSessions.get(self.accountId, params.id!);
      assertMaySteer(self, session);
      return preloop.identity.runtimeSessions.end(self.accountId, session.id, body?.reason ?? 'ended', self);
    },
  }),
];
