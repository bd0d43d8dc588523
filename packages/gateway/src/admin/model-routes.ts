/**
 * Admin routes for model aliases: `/api/v1/models`. A credential given as
 * `apiKey` is stored in the secret store and never returned (`hasCredential`
 * says whether there is one).
 *
 * @module
 */

import { defineRoute, type AdminRoute, type Preloop } from '@preloop/core';
import { modelAliasCreateSchema, modelAliasUpdateSchema } from '../models/model-alias.js';
import { modelAliasListSchema, modelAliasSchema, type ModelAlias, type ModelAliasList } from './api-schemas.js';

const tag = 'gateway';

/**
 * The model alias routes.
 *
 * @example
 * ```ts
 * const routes = modelRoutes();
 * ```
 */
export function modelRoutes(): AdminRoute[] {
  const models = (preloop: Preloop) => preloop.service('gateway').models;
  return [
    defineRoute({
      method: 'GET',
      path: '/models',
      summary: 'List model aliases',
      tag,
      access: { role: 'viewer' },
      response: modelAliasListSchema,
      handler: async ({ preloop, principal }): Promise<ModelAliasList> => ({ items: await models(preloop).list(principal!.accountId) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/models',
      summary: 'Create a model alias',
      tag,
      access: { role: 'admin' },
      body: modelAliasCreateSchema,
      status: 201,
      response: modelAliasSchema,
      errors: [409],
      handler: ({ preloop, principal, body }): Promise<ModelAlias> => models(preloop).create(principal!.accountId, body, principal!),
    }),
    defineRoute({
      method: 'GET',
      path: '/models/:alias',
      summary: 'Get a model alias',
      tag,
      access: { role: 'viewer' },
      response: modelAliasSchema,
      errors: [404],
      handler: ({ preloop, principal, params }): Promise<ModelAlias> => models(preloop).get(principal!.accountId, params.alias!),
    }),
    defineRoute({
      method: 'PATCH',
      path: '/models/:alias',
      summary: 'Update a model alias',
      tag,
      access: { role: 'admin' },
      body: modelAliasUpdateSchema,
      response: modelAliasSchema,
      errors: [404],
      handler: ({ preloop, principal, params, body }): Promise<ModelAlias> =>
        models(preloop).update(principal!.accountId, params.alias!, body, principal!),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/models/:alias',
      summary: 'Delete a model alias (and its stored credential)',
      tag,
      access: { role: 'admin' },
      status: 204,
      response: null,
      errors: [404],
      handler: async ({ preloop, principal, params }) => {
        await models(preloop).delete(principal!.accountId, params.alias!, principal!);
        return new Response(null, { status: 204 });
      },
    }),
  ];
}
