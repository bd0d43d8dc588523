import { z } from 'zod';
import { defineRoute, type AdminRoute } from '../../define-route.js';
import { teamSchema } from './identity-schemas.js';
import { pageOf } from '../../route-contract.js';
import { idSchema, listQuery, nameSchema, requirePrincipal } from './route-helpers.js';

const memberIds = z.array(idSchema).max(1000);

/** Body of `POST /teams`. */
export const createTeamBody = z.strictObject({ name: nameSchema, memberIds: memberIds.optional() });

/** Body of `PATCH /teams/:id`. */
export const renameTeamBody = z.strictObject({ name: nameSchema });

/** Body of `PUT /teams/:id/members`. */
export const setTeamMembersBody = z.strictObject({ userIds: memberIds });

/** Teams and their members (teams name approvers). */
export const teamRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/teams',
    summary: 'List teams',
    tag: 'teams',
    access: { role: 'viewer' },
    query: listQuery,
    response: pageOf(teamSchema),
    handler: ({ preloop, principal, query }) => preloop.identity.teams.list(requirePrincipal(principal).accountId, query),
  }),
  defineRoute({
    method: 'POST',
    path: '/teams',
    summary: 'Create a team',
    tag: 'teams',
    access: { role: 'admin' },
    body: createTeamBody,
    status: 201,
    response: teamSchema,
    errors: [409],
    handler({ preloop, principal, body }) {
      const self = requirePrincipal(principal);
      return preloop.identity.teams.create(self.accountId, body, self);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/teams/:id',
    summary: 'Get a team',
    tag: 'teams',
    access: { role: 'viewer' },
    response: teamSchema,
    errors: [404],
    handler: ({ preloop, principal, params }) => preloop.identity.teams.get(requirePrincipal(principal).accountId, params.id!),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/teams/:id',
    summary: 'Rename a team',
    tag: 'teams',
    access: { role: 'admin' },
    body: renameTeamBody,
    response: teamSchema,
    errors: [404, 409],
    handler({ preloop, principal, params, body }) {
      const self = requirePrincipal(principal);
      return preloop.identity.teams.update(self.accountId, params.id!, body, self);
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/teams/:id',
    summary: 'Delete a team',
    tag: 'teams',
    access: { role: 'admin' },
    status: 204,
    response: null,
    errors: [404],
    async handler({ preloop, principal, params }) {
      const self = requirePrincipal(principal);
      await preloop.identity.teams.delete(self.accountId, params.id!, self);
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/teams/:id/members',
    summary: 'Replace a team’s members',
    tag: 'teams',
    access: { role: 'admin' },
    body: setTeamMembersBody,
    response: teamSchema,
    errors: [404],
    handler({ preloop, principal, params, body }) {
      const self = requirePrincipal(principal);
      return preloop.identity.teams.setMembers(self.accountId, params.id!, body.userIds, self);
    },
  }),
];
