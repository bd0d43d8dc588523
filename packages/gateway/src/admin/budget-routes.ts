/**
 * Admin routes for budgets: `/api/v1/budgets` and `/api/v1/budgets/status`.
 *
 * @module
 */

import { defineRoute, type AdminRoute, type Preloop } from '@preloop/core';
import { budgetCreateSchema, budgetUpdateSchema } from '../budgets/budget-types.js';
import { callReservations, reservationBoundsOf } from '../budgets/call-reservation.js';
import {
  budgetListSchema,
  budgetSchema,
  budgetStatusListSchema,
  type Budget,
  type BudgetList,
  type BudgetStatusList,
} from './api-schemas.js';

const tag = 'gateway';

/**
 * The budget routes (`/budgets/status` is declared before `/budgets/:id`).
 *
 * @example
 * ```ts
 * const routes = budgetRoutes();
 * ```
 */
export function budgetRoutes(): AdminRoute[] {
  const budgets = (preloop: Preloop) => preloop.service('gateway').budgets;
  return [
    defineRoute({
      method: 'GET',
      path: '/budgets/status',
      summary: 'Spend against every budget in its current period',
      tag,
      access: { role: 'viewer' },
      response: budgetStatusListSchema,
      handler: async ({ preloop, principal }): Promise<BudgetStatusList> => {
        const runtime = preloop.service('gateway');
        const accountId = principal!.accountId;
        const reservationOf = callReservations(await runtime.models.list(accountId), reservationBoundsOf(preloop));
        return { items: await runtime.budgets.status(accountId, Date.now(), reservationOf) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/budgets',
      summary: 'List budgets',
      tag,
      access: { role: 'viewer' },
      response: budgetListSchema,
      handler: async ({ preloop, principal }): Promise<BudgetList> => ({ items: await budgets(preloop).list(principal!.accountId) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/budgets',
      summary: 'Create a budget',
      tag,
      access: { role: 'admin' },
      body: budgetCreateSchema,
      status: 201,
      response: budgetSchema,
      errors: [409],
      handler: ({ preloop, principal, body }): Promise<Budget> => budgets(preloop).create(principal!.accountId, body, principal!),
    }),
    defineRoute({
      method: 'GET',
      path: '/budgets/:id',
      summary: 'Get a budget',
      tag,
      access: { role: 'viewer' },
      response: budgetSchema,
      errors: [404],
      handler: ({ preloop, principal, params }): Promise<Budget> => budgets(preloop).get(principal!.accountId, params.id!),
    }),
    defineRoute({
      method: 'PATCH',
      path: '/budgets/:id',
      summary: 'Update a budget',
      tag,
      access: { role: 'admin' },
      body: budgetUpdateSchema,
      response: budgetSchema,
      errors: [404, 409],
      handler: ({ preloop, principal, params, body }): Promise<Budget> =>
        budgets(preloop).update(principal!.accountId, params.id!, body, principal!),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/budgets/:id',
      summary: 'Delete a budget',
      tag,
      access: { role: 'admin' },
      status: 204,
      response: null,
      errors: [404],
      handler: async ({ preloop, principal, params }) => {
        await budgets(preloop).delete(principal!.accountId, params.id!, principal!);
        return new Response(null, { status: 204 });
      },
    }),
  ];
}
