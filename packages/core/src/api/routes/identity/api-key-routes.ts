import { z } from 'zod';
import { PreloopError } from '../../../errors.js';
import { apiKeyScopes } from '../../../identity/api-keys.js';
import { defineRoute, type AdminRoute } from '../../define-route.js';
import { apiKeySchema, createdApiKeySchema } from './identity-schemas.js';
import { pageOf } from '../../route-contract.js';
import { booleanQuery, idSchema, listQuery, nameSchema, noStore, requirePrincipal } from './route-helpers.js';

/** Body of `POST /api-keys`. */
export const createApiKeyBody = z.strictObject({
  name: nameSchema,
  scopes: z.array(z.enum(apiKeyScopes)).min(1).max(apiKeyScopes.length).optional(),
  expiresAt: z.number().int().positive().optional(),
  agentId: idSchema.optional(),
});

/** Query of `GET /api-keys`. */
export const apiKeyListQuery = listQuery.extend({
  userId: idSchema.optional(),
  agentId: idSchema.optional(),
  revoked: booleanQuery.optional(),
});

/** API keys: list, create (the key is shown once), read, revoke. */
export const apiKeyRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api-keys',
    summary: 'List API keys (never the keys themselves)',
    tag: 'api-keys',
    access: { role: 'viewer' },
    query: apiKeyListQuery,
    response: pageOf(apiKeySchema),
    handler: ({ preloop, principal, query }) => preloop.identity.apiKeys.list(requirePrincipal(principal).accountId, query),
  }),
  defineRoute({
    method: 'POST',
    path: '/api-keys',
    summary: 'Create an API key acting for you (or bound to an agent); the key is returned once',
    tag: 'api-keys',
    access: { role: 'admin' },
    body: createApiKeyBody,
    status: 201,
    response: createdApiKeySchema,
    async handler({ preloop, principal, body }) {
      const self = requirePrincipal(principal);
      const scopes = body.scopes ?? ['mcp', 'gateway'];
      if (self.type === 'api_key') {
        // A key never mints a key with more power than itself.
        const extra = scopes.find((scope) => !self.scopes.includes(scope));
        if (extra) throw new PreloopError('FORBIDDEN', `This API key lacks the "${extra}" scope, so it cannot grant it.`);
      }
      const created = await preloop.identity.apiKeys.create(
        self.accountId,
        { name: body.name, scopes, expiresAt: body.expiresAt ?? null, agentId: body.agentId ?? null, userId: self.userId },
        self,
      );
      return noStore(created, 201);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api-keys/:id',
    summary: 'Get an API key’s record',
    tag: 'api-keys',
    access: { role: 'viewer' },
    response: apiKeySchema,
    errors: [404],
    handler: ({ preloop, principal, params }) => preloop.identity.apiKeys.get(requirePrincipal(principal).accountId, params.id!),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api-keys/:id',
    summary: 'Revoke an API key (every instance refuses it at once)',
    tag: 'api-keys',
    access: { role: 'admin' },
    response: apiKeySchema,
    errors: [404],
    handler({ preloop, principal, params }) {
      const self = requirePrincipal(principal);
      return preloop.identity.apiKeys.revoke(self.accountId, params.id!, self);
    },
  }),
];
