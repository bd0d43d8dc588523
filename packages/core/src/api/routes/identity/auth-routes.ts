import { z } from 'zod';
import { PreloopError } from '../../../errors.js';
import { clientAddress } from '../../client-address.js';
import { clearSessionCookie, isSecureRequest, readSessionCookie } from '../../../identity/console-sessions.js';
import { defineRoute, type AdminRoute } from '../../define-route.js';
import { loginResponseSchema, meResponseSchema, passwordChangeSchema } from './identity-schemas.js';
import { json } from '../../respond.js';
import { maxPasswordLength, minPasswordLength } from '../../../identity/passwords.js';
import { noStore, requirePrincipal } from './route-helpers.js';

/** Body of `POST /auth/login`. */
export const loginBody = z.strictObject({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(1024),
});

/** Body of `POST /auth/password`. */
export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(maxPasswordLength),
  newPassword: z.string().min(minPasswordLength).max(maxPasswordLength),
});

/** Console login, logout, who am I, and changing one's own password. */
export const authRoutes: AdminRoute[] = [
  defineRoute({
    method: 'POST',
    path: '/auth/login',
    summary: 'Log in with email and password; sets the preloop_session cookie',
    tag: 'auth',
    access: 'public',
    body: loginBody,
    response: loginResponseSchema,
    errors: [401, 429, 503],
    async handler({ body, preloop, request }) {
      const secure = isSecureRequest(request);
      const result = await preloop.identity.consoleSessions.login(body.email, body.password, { secure, address: clientAddress(request) });
      if (!result) throw new PreloopError('UNAUTHENTICATED', 'Invalid email or password.');
      return noStore({ user: result.user, expiresAt: result.session.expiresAt }, 200, { 'set-cookie': result.cookie });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/auth/logout',
    summary: 'End the console session and clear its cookie',
    tag: 'auth',
    access: 'public',
    status: 204,
    response: null,
    errors: [503],
    async handler({ preloop, request }) {
      const token = readSessionCookie(request);
      if (token) {
        const principal = await preloop.identity.authenticate(request);
        await preloop.identity.consoleSessions.logout(token, principal?.type === 'user' ? principal : undefined);
      }
      return json(null, 204, { 'set-cookie': clearSessionCookie({ secure: isSecureRequest(request) }) });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/auth/password',
    summary: 'Change your own password (the current one is checked; your other console sessions end)',
    tag: 'auth',
    access: { principals: ['user'] },
    body: changePasswordBody,
    response: passwordChangeSchema,
    errors: [409, 429],
    async handler({ body, preloop, principal, request }) {
      const self = requirePrincipal(principal);
      const { user, endedSessions } = await preloop.identity.passwords.change(
        self.accountId,
        self.id,
        {
          currentPassword: body.currentPassword,
          newPassword: body.newPassword,
          keepSessionToken: readSessionCookie(request),
          address: clientAddress(request),
        },
        self,
      );
      return noStore({ user, endedSessions });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/auth/me',
    summary: 'The calling principal (and its user, if any)',
    tag: 'auth',
    access: { principals: ['user', 'api_key', 'agent', 'runtime_session'] },
    response: meResponseSchema,
    async handler({ preloop, principal }) {
      const self = requirePrincipal(principal);
      const user = self.userId ? await preloop.identity.users.find(self.accountId, self.userId) : null;
      return { principal: self, user };
    },
  }),
];
