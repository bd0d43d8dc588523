import { defineRoute, PreloopError, type AdminRoute, type Preloop, type User } from '@preloop/core';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { SlackTables } from './slack-tables.js';

/** Who clicked, as Slack names them in an interaction. */
export interface SlackClicker {
  teamId: string;
  slackUserId: string;
}

/** The Preloop user behind a Slack user, or why there is none. */
export type SlackUserMatch =
  | { ok: true; user: User; via: 'link' | 'email' }
  | { ok: false; reason: 'not_linked' | 'email_unverified' | 'other_workspace' | 'user_disabled' | 'slack_lookup_failed' };

function dbOf(preloop: Preloop) {
  return preloop.db.withTables<SlackTables>();
}

/**
 * Finds the Preloop user behind a Slack user: an explicit link set by an
 * admin first; else the Slack profile's email (`users.info`), only when Slack
 * marks it confirmed (`is_email_confirmed`) and the user belongs to the app's
 * own workspace (`workspaceId`), matched to an enabled Preloop user with that
 * email. A disabled Preloop user never matches.
 *
 * @example
 * ```ts
 * const match = await findSlackUser(preloop, client, 'T012AB3C4', { teamId: 'T012AB3C4', slackUserId: 'U0G9QF9C6' });
 * ```
 */
export async function findSlackUser(
  preloop: Preloop,
  client: WebClient,
  workspaceId: string,
  clicker: SlackClicker,
): Promise<SlackUserMatch> {
  const link = await dbOf(preloop)
    .selectFrom('slack_user_links')
    .selectAll()
    .where('team_id', '=', clicker.teamId)
    .where('slack_user_id', '=', clicker.slackUserId)
    .executeTakeFirst();
  if (link) {
    const user = await preloop.identity.users.find(link.account_id, link.user_id);
    return user && !user.disabled ? { ok: true, user, via: 'link' } : { ok: false, reason: 'user_disabled' };
  }
  let info: Awaited<ReturnType<WebClient['users']['info']>>;
  try {
    info = await client.users.info({ user: clicker.slackUserId });
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    return { ok: false, reason: code === 'user_not_found' ? 'not_linked' : 'slack_lookup_failed' };
  }
  const profile = info.user;
  if (!profile || profile.deleted || profile.is_bot) return { ok: false, reason: 'not_linked' };
  if (profile.team_id !== workspaceId || clicker.teamId !== workspaceId) return { ok: false, reason: 'other_workspace' };
  const email = profile.profile?.email?.trim().toLowerCase();
  if (!email) return { ok: false, reason: 'not_linked' };
  if (profile.is_email_confirmed !== true) return { ok: false, reason: 'email_unverified' };
  const user = await preloop.identity.users.findByEmail(email);
  if (!user) return { ok: false, reason: 'not_linked' };
  return user.disabled ? { ok: false, reason: 'user_disabled' } : { ok: true, user, via: 'email' };
}

const slackId = z.string().regex(/^[A-Z0-9]{2,32}$/, 'must be a Slack ID such as U0G9QF9C6');
const linkBody = z.strictObject({
  teamId: slackId.describe('The Slack workspace (team) ID, T…'),
  slackUserId: slackId.describe('The Slack user ID, U… or W…'),
  userId: z.string().min(1).max(100).describe('The Preloop user the Slack user acts as'),
});
const linkView = z.object({
  teamId: z.string(),
  slackUserId: z.string(),
  userId: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.number(),
});

function toView(row: SlackTables['slack_user_links']) {
  return {
    teamId: row.team_id,
    slackUserId: row.slack_user_id,
    userId: row.user_id,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
  };
}

/**
 * The admin routes of explicit Slack user links, under `/api/v1/slack/user-links`:
 * list, set (`PUT`, replacing a Slack user's earlier link) and remove. Admins
 * only: a link lets a Slack user's clicks count as that Preloop user's votes,
 * and a user cannot prove here that a Slack account is theirs. Every change is audited.
 *
 * @example
 * ```ts
 * definePlugin({ id: 'slack', routes: slackUserLinkRoutes() });
 * ```
 */
export function slackUserLinkRoutes(): AdminRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/slack/user-links',
      summary: 'List the explicit links from Slack users to Preloop users',
      tag: 'slack',
      access: { role: 'admin' },
      response: z.object({ items: z.array(linkView) }),
      async handler({ preloop, principal }) {
        const rows = await dbOf(preloop)
          .selectFrom('slack_user_links')
          .selectAll()
          .where('account_id', '=', principal!.accountId)
          .orderBy('created_at')
          .execute();
        return { items: rows.map(toView) };
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/slack/user-links',
      summary: 'Link a Slack user to a Preloop user (their Slack clicks count as that user’s votes)',
      tag: 'slack',
      access: { role: 'admin' },
      body: linkBody,
      response: linkView,
      errors: [409],
      async handler({ preloop, principal, body }) {
        const accountId = principal!.accountId;
        const user = await preloop.identity.users.find(accountId, body.userId);
        if (!user)
          throw new PreloopError('VALIDATION_ERROR', `userId: no user ${body.userId} in this account`, {
            details: { issues: [{ path: 'userId', message: 'no such user in this account' }] },
          });
        const db = dbOf(preloop);
        const existing = await db
          .selectFrom('slack_user_links')
          .selectAll()
          .where('team_id', '=', body.teamId)
          .where('slack_user_id', '=', body.slackUserId)
          .executeTakeFirst();
        if (existing && existing.account_id !== accountId)
          throw new PreloopError('CONFLICT', 'This Slack user is linked in another account.');
        const row: SlackTables['slack_user_links'] = {
          team_id: body.teamId,
          slack_user_id: body.slackUserId,
          account_id: accountId,
          user_id: user.id,
          created_by: principal!.id,
          created_at: Date.now(),
        };
        await db.transaction().execute(async (trx) => {
          await trx
            .deleteFrom('slack_user_links')
            .where('team_id', '=', body.teamId)
            .where('slack_user_id', '=', body.slackUserId)
            .execute();
          await trx.insertInto('slack_user_links').values(row).execute();
        });
        await preloop.audit.record({
          accountId,
          actor: principal!,
          action: 'slack.user-link',
          target: { type: 'user', id: user.id },
          outcome: 'success',
          data: { teamId: body.teamId, slackUserId: body.slackUserId, previousUserId: existing?.user_id ?? null },
        });
        return toView(row);
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/slack/user-links/:teamId/:slackUserId',
      summary: 'Remove a Slack user’s explicit link',
      tag: 'slack',
      access: { role: 'admin' },
      status: 204,
      response: null,
      errors: [404],
      async handler({ preloop, principal, params }) {
        const accountId = principal!.accountId;
        const removed = await dbOf(preloop)
          .deleteFrom('slack_user_links')
          .where('account_id', '=', accountId)
          .where('team_id', '=', params.teamId!)
          .where('slack_user_id', '=', params.slackUserId!)
          .executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0)
          throw new PreloopError('NOT_FOUND', `No link for Slack user ${params.slackUserId} of ${params.teamId}.`);
        await preloop.audit.record({
          accountId,
          actor: principal!,
          action: 'slack.user-unlink',
          target: { type: 'slack_user', id: params.slackUserId! },
          outcome: 'success',
          data: { teamId: params.teamId },
        });
        return new Response(null, { status: 204 });
      },
    }),
  ];
}
