import { z } from 'zod';
import { PreloopError } from '../../../errors.js';
import { isEmailAddress, maxEmailLength } from '../../../identity/email-address.js';
import { minPasswordLength, maxPasswordLength } from '../../../identity/passwords.js';
import { roles } from '../../../identity/principal.js';
import { defineRoute, type AdminRoute } from '../../define-route.js';
import { passwordResetSchema, userSchema } from './identity-schemas.js';
import { pageOf } from '../../route-contract.js';
import { assertRoleWithinOwn, booleanQuery, listQuery, nameSchema, noStore, requirePrincipal } from './route-helpers.js';

const password = z.string().min(minPasswordLength).max(maxPasswordLength);

/** Body of `POST /users`. */
export const createUserBody = z.strictObject({
  email: z
    .string()
    .trim()
    .max(maxEmailLength)
    .refine(isEmailAddress, 'must be an email address such as ada@example.com or admin@localhost'),
  name: nameSchema,
  role: z.enum(roles),
  password: password.optional(),
});

/** Body of `PATCH /users/:id`. */
export const updateUserBody = z
  .strictObject({
    name: nameSchema.optional(),
    role: z.enum(roles).optional(),
    disabled: z.boolean().optional(),
    password: password.nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'must change at least one of name, role, disabled, password' });

/** Body of `POST /users/:id/password` (optional). */
export const resetPasswordBody = z.strictObject({ password: password.optional() }).optional();

/** Query of `GET /users`. */
export const userListQuery = listQuery.extend({ role: z.enum(roles).optional(), disabled: booleanQuery.optional() });

/** Console users: list, create, read, change, reset a password, delete. Admins manage users up to their own role. */
export const userRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/users',
    summary: 'List users',
    tag: 'users',
    access: { role: 'viewer' },
    query: userListQuery,
    response: pageOf(userSchema),
    handler: ({ preloop, principal, query }) => preloop.identity.users.list(requirePrincipal(principal).accountId, query),
  }),
  defineRoute({
    method: 'POST',
    path: '/users',
    summary: 'Create a user (at most your own role)',
    tag: 'users',
    access: { role: 'admin' },
    body: createUserBody,
    status: 201,
    response: userSchema,
    errors: [409],
    handler({ preloop, principal, body }) {
      const self = requirePrincipal(principal);
      assertRoleWithinOwn(self, body.role, 'create a user with role');
      return preloop.identity.users.create(self.accountId, body, self);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/users/:id',
    summary: 'Get a user',
    tag: 'users',
    access: { role: 'viewer' },
    response: userSchema,
    errors: [404],
    handler: ({ preloop, principal, params }) => preloop.identity.users.get(requirePrincipal(principal).accountId, params.id!),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/users/:id',
    summary: 'Change a user’s name, role, password, or disable it',
    tag: 'users',
    access: { role: 'admin' },
    body: updateUserBody,
    response: userSchema,
    errors: [404, 409],
    async handler({ preloop, principal, params, body }) {
      const self = requirePrincipal(principal);
      const target = await preloop.identity.users.get(self.accountId, params.id!);
      assertRoleWithinOwn(self, target.role, 'change a user with role');
      if (body.role !== undefined) assertRoleWithinOwn(self, body.role, 'grant the role');
      if (body.disabled === true && target.id === self.userId) throw new PreloopError('FORBIDDEN', 'You cannot disable yourself.');
      return preloop.identity.users.update(self.accountId, target.id, body, self);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/users/:id/password',
    summary: 'Reset a user’s password: set one, or omit it to get a generated one (shown once); that user’s console sessions end',
    tag: 'users',
    access: { role: 'admin' },
    body: resetPasswordBody,
    response: passwordResetSchema,
    errors: [404],
    async handler({ preloop, principal, params, body }) {
      const self = requirePrincipal(principal);
      const target = await preloop.identity.users.get(self.accountId, params.id!);
      assertRoleWithinOwn(self, target.role, 'reset the password of a user with role');
      // Your own password changes with the current one (POST /auth/password), so a stolen session cannot set it.
      if (target.id === self.userId)
        throw new PreloopError('FORBIDDEN', 'Change your own password with POST /auth/password (it asks for the current one).');
      const result = await preloop.identity.passwords.reset(self.accountId, target.id, { password: body?.password ?? null }, self);
      return noStore(result);
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/users/:id',
    summary: 'Delete a user (its API keys are revoked)',
    tag: 'users',
    access: { role: 'admin' },
    status: 204,
    response: null,
    errors: [404, 409],
    async handler({ preloop, principal, params }) {
      const self = requirePrincipal(principal);
      const target = await preloop.identity.users.get(self.accountId, params.id!);
      assertRoleWithinOwn(self, target.role, 'delete a user with role');
      if (target.id === self.userId) throw new PreloopError('FORBIDDEN', 'You cannot delete yourself.');
      await preloop.identity.users.delete(self.accountId, target.id, self);
    },
  }),
];
