import { z } from 'zod';
import { agentStates } from '../../../identity/agents.js';
import { defineRoute, type AdminRoute } from '../../define-route.js';
import { agentSchema } from './identity-schemas.js';
import { pageOf } from '../../route-contract.js';
import { idSchema, listQuery, nameSchema, requirePrincipal } from './route-helpers.js';

const slug = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be 1–64 lower-case letters, digits, "_", "-" or "."');
const tag = z.string().trim().min(1).max(64);
/** Body of `POST /agents/:id/suspend` and `/decommission` (optional). */
export const agentReasonBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).optional();

/** Body of `POST /agents`. */
export const enrollAgentBody = z.strictObject({
  name: nameSchema,
  kind: slug,
  tags: z.array(tag).max(50).optional(),
  ownerUserId: idSchema.optional(),
});

/** Query of `GET /agents`. */
export const agentListQuery = listQuery.extend({ state: z.enum(agentStates).optional(), kind: slug.optional(), tag: tag.optional() });

/** Managed agents: enroll, list, read, suspend, resume, decommission. */
export const agentRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/agents',
    summary: 'List managed agents',
    tag: 'agents',
    access: { role: 'viewer' },
    query: agentListQuery,
    response: pageOf(agentSchema),
    handler: ({ preloop, principal, query }) => preloop.identity.agents.list(requirePrincipal(principal).accountId, query),
  }),
  defineRoute({
    method: 'POST',
    path: '/agents',
    summary: 'Enroll a managed agent (active at once)',
    tag: 'agents',
    access: { role: 'admin' },
    body: enrollAgentBody,
    status: 201,
    response: agentSchema,
    handler({ preloop, principal, body }) {
      const self = requirePrincipal(principal);
      return preloop.identity.agents.enroll(self.accountId, { ...body, ownerUserId: body.ownerUserId ?? self.userId }, self);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/agents/:id',
    summary: 'Get a managed agent',
    tag: 'agents',
    access: { role: 'viewer' },
    response: agentSchema,
    errors: [404],
    handler: ({ preloop, principal, params }) => preloop.identity.agents.get(requirePrincipal(principal).accountId, params.id!),
  }),
  defineRoute({
    method: 'POST',
    path: '/agents/:id/suspend',
    summary: 'Suspend an agent: its keys and runtime credentials are refused until it resumes',
    tag: 'agents',
    access: { role: 'admin' },
    body: agentReasonBody,
    response: agentSchema,
    errors: [404, 409],
    handler({ preloop, principal, params, body }) {
      const self = requirePrincipal(principal);
      return preloop.identity.agents.suspend(self.accountId, params.id!, body?.reason ?? null, self);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/agents/:id/resume',
    summary: 'Resume a suspended agent',
    tag: 'agents',
    access: { role: 'admin' },
    body: z.strictObject({}).optional(),
    response: agentSchema,
    errors: [404, 409],
    handler({ preloop, principal, params }) {
      const self = requirePrincipal(principal);
      return preloop.identity.agents.resume(self.accountId, params.id!, self);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/agents/:id/decommission',
    summary: 'Decommission an agent for good: revokes its keys and ends its sessions',
    tag: 'agents',
    access: { role: 'admin' },
    body: agentReasonBody,
    response: agentSchema,
    errors: [404, 409],
    handler({ preloop, principal, params, body }) {
      const self = requirePrincipal(principal);
      return preloop.identity.agents.decommission(self.accountId, params.id!, body?.reason ?? null, self);
    },
  }),
];
