import { defineRoute, PreloopError, type AdminRoute, type Principal } from '@preloop/core';
import { z } from 'zod';
import type { ApprovalEngine } from './create-approval-engine.js';
import { approverUserIdOf } from './decide.js';
import type { EngineContext } from './engine-context.js';
import {
  notificationPreferencesSchema,
  readNotificationPreferences,
  writeNotificationPreferences,
  type NotificationPreferences,
} from './notification-preferences.js';

const preferencesResponse = notificationPreferencesSchema.extend({ userId: z.string() });

function ownUserId(principal: Principal): string {
  const userId = approverUserIdOf(principal);
  if (!userId)
    throw new PreloopError('FORBIDDEN', 'Notification preferences belong to a user; this credential acts for no user (an agent key).');
  return userId;
}

function checkNotifiers(engine: ApprovalEngine, preferences: NotificationPreferences): void {
  const installed = engine.notifiers.map((notifier) => notifier.id);
  preferences.mutedNotifiers.forEach((id, index) => {
    if (!installed.includes(id)) {
      const message = `no notifier "${id}" is installed (installed: ${installed.join(', ') || 'none'})`;
      throw new PreloopError('VALIDATION_ERROR', `mutedNotifiers[${index}]: ${message}`, {
        details: { issues: [{ path: `mutedNotifiers.${index}`, message }] },
      });
    }
  });
}

async function userOfAccount(context: EngineContext, accountId: string, userId: string): Promise<string> {
  if (!(await context.preloop.identity.users.find(accountId, userId))) throw new PreloopError('NOT_FOUND', `No user ${userId}.`);
  return userId;
}

/**
 * The routes of approvers' notification preferences (muted notifiers, quiet
 * hours, digests): `GET`/`PUT /notification-preferences` for the caller's
 * own, `GET`/`PUT /notification-preferences/:userId` for an admin.
 *
 * @example
 * ```ts
 * const routes = notificationPreferenceRoutes(() => engine, () => context);
 * ```
 */
export function notificationPreferenceRoutes(engine: () => ApprovalEngine, context: () => EngineContext): AdminRoute[] {
  const answer = async (accountId: string, userId: string) => ({
    userId,
    ...(await readNotificationPreferences(context(), accountId, userId)),
  });
  const store = async (accountId: string, userId: string, body: NotificationPreferences) => {
    checkNotifiers(engine(), body);
    return { userId, ...(await writeNotificationPreferences(context(), accountId, userId, body)) };
  };
  return [
    defineRoute({
      method: 'GET',
      path: '/notification-preferences',
      summary: 'Read your approval notification preferences (muted notifiers, quiet hours, digests)',
      tag: 'approvals',
      access: { role: 'viewer' },
      response: preferencesResponse,
      handler: ({ principal }) => answer(principal!.accountId, ownUserId(principal!)),
    }),
    defineRoute({
      method: 'PUT',
      path: '/notification-preferences',
      summary: 'Set your approval notification preferences',
      tag: 'approvals',
      access: { role: 'viewer' },
      body: notificationPreferencesSchema,
      response: preferencesResponse,
      handler: ({ principal, body }) => store(principal!.accountId, ownUserId(principal!), body),
    }),
    defineRoute({
      method: 'GET',
      path: '/notification-preferences/:userId',
      summary: "Read a user's approval notification preferences (admin)",
      tag: 'approvals',
      access: { role: 'admin' },
      response: preferencesResponse,
      errors: [404],
      handler: async ({ principal, params }) =>
        answer(principal!.accountId, await userOfAccount(context(), principal!.accountId, params.userId!)),
    }),
    defineRoute({
      method: 'PUT',
      path: '/notification-preferences/:userId',
      summary: "Set a user's approval notification preferences (admin)",
      tag: 'approvals',
      access: { role: 'admin' },
      body: notificationPreferencesSchema,
      response: preferencesResponse,
      errors: [404],
      handler: async ({ principal, params, body }) =>
        store(principal!.accountId, await userOfAccount(context(), principal!.accountId, params.userId!), body),
    }),
  ];
}
