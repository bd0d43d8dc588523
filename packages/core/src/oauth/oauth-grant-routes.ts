import { z } from 'zod';
import { defineRoute, type AdminRoute } from '../api/define-route.js';
import { json } from '../api/respond.js';
import { PreloopError } from '../errors.js';
import { roleAtLeast, type Principal } from '../identity/principal.js';
import { parseJsonColumn } from '../storage/schema.js';
import { oauthServerOf } from './oauth-server.js';
import { oauthDatabase } from './oauth-tables.js';

/** One active OAuth grant: a consent and the tokens issued from it. */
export const oauthGrantSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  clientName: z.string(),
  /** The user who consented. */
  userId: z.string(),
  /** The managed agent the tokens act as, or null (they act as the user). */
  agentId: z.string().nullable(),
  scopes: z.array(z.string()),
  resource: z.string(),
  createdAt: z.number().int(),
});

/** `GET /oauth/grants`: the active grants. */
export const oauthGrantListSchema = z.object({ items: z.array(oauthGrantSchema) });

/** Owners and admins see every grant of the account; anyone else sees the grants they consented to. */
const seesAll = (principal: Principal) => roleAtLeast(principal.role, 'admin');

/** Listing and revoking OAuth grants (the applications connected to the MCP endpoint), for console users and admin keys. */
export const oauthGrantRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/oauth/grants',
    summary: 'Active OAuth grants: your own (owners and admins: every grant of the account)',
    tag: 'oauth',
    access: { role: 'viewer' },
    response: oauthGrantListSchema,
    errors: [404],
    async handler({ preloop, principal }) {
      oauthServerOf(preloop);
      const self = principal!;
      let query = oauthDatabase(preloop.db)
        .selectFrom('oauth_grants')
        .select(['id', 'client_id', 'client_name', 'user_id', 'agent_id', 'scopes', 'resource', 'created_at'])
        .where('account_id', '=', self.accountId)
        .where('revoked_at', 'is', null);
      if (!seesAll(self)) query = query.where('user_id', '=', self.userId ?? '');
      const rows = await query.orderBy('created_at', 'desc').limit(500).execute();
      return {
        items: rows.map((row) => ({
          id: row.id,
          clientId: row.client_id,
          clientName: row.client_name,
          userId: row.user_id,
          agentId: row.agent_id,
          scopes: parseJsonColumn<string[]>(row.scopes, []),
          resource: row.resource,
          createdAt: Number(row.created_at),
        })),
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/oauth/grants/:id',
    summary: 'Revoke an OAuth grant and every token issued from it (your own; owners and admins: any)',
    tag: 'oauth',
    access: { role: 'viewer' },
    status: 204,
    response: null,
    errors: [404],
    async handler({ preloop, principal, params }) {
      const server = oauthServerOf(preloop);
      const self = principal!;
      const grant = await oauthDatabase(preloop.db)
        .selectFrom('oauth_grants')
        .select(['id', 'account_id', 'user_id', 'client_id', 'agent_id', 'revoked_at'])
        .where('id', '=', params.id!)
        .executeTakeFirst();
      // Another account's grant, someone else's grant (without admin rights) and an unknown id get the same answer.
      if (!grant || grant.account_id !== self.accountId || grant.revoked_at !== null || (!seesAll(self) && grant.user_id !== self.userId))
        throw new PreloopError('NOT_FOUND', `No active OAuth grant ${params.id}.`);
      await server.grants.revokeGrant(grant.id, `revoked by ${self.name}`);
      await preloop.audit.record({
        actor: self,
        action: 'oauth.grant.revoke',
        target: { type: 'oauth_grant', id: grant.id },
        outcome: 'success',
        data: { clientId: grant.client_id, userId: grant.user_id, agentId: grant.agent_id, reason: 'revoked in the admin API' },
      });
      return json(null, 204);
    },
  }),
];
