import { createHash } from 'node:crypto';
import type {} from '@preloop/approvals';
import { defineRoute, PreloopError, readTextBody, toUserPrincipal, type AdminRoute, type Preloop } from '@preloop/core';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { slackActionIds, type SlackActionValue } from './slack-message.js';
import { slackSignatureToleranceSeconds, verifySlackRequest, type SlackSignatureRefusal } from './slack-signature.js';
import type { SlackTables } from './slack-tables.js';
import { findSlackUser } from './slack-user-links.js';

/** What the interactivity endpoint needs from the plugin. */
export interface SlackInteractionRuntime {
  /** The app's signing secret. */
  signingSecret(): Promise<string>;
  /** The Web API client (bot token). */
  client(): Promise<WebClient>;
  /** The ID of the workspace the app is installed in (`auth.test`). */
  workspaceId(): Promise<string>;
  /** Now, epoch ms. */
  now(): number;
  /** How long Slack is kept waiting before the answer, in ms (Slack gives up after 3 s). */
  ackWithinMs: number;
  /** Interactions still being handled after their answer (tests and shutdown wait on them). */
  inFlight: Set<Promise<void>>;
}

/** The most a Slack interactivity request may weigh. */
const maxBodyBytes = 1_048_576;

const payloadSchema = z.looseObject({
  type: z.string(),
  user: z.looseObject({ id: z.string().min(1) }),
  team: z
    .looseObject({ id: z.string().min(1) })
    .nullable()
    .optional(),
  container: z.looseObject({ channel_id: z.string().optional() }).optional(),
  channel: z.looseObject({ id: z.string() }).nullable().optional(),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })).optional(),
});

const valueSchema = z.strictObject({
  r: z.string().min(1).max(100),
  d: z.enum(['approve', 'deny']),
  o: z.number().int().min(0).max(1000).optional(),
});

function dbOf(preloop: Preloop) {
  return preloop.db.withTables<SlackTables>();
}

async function refuse(preloop: Preloop, reason: SlackSignatureRefusal | 'replayed', timestamp: string | null): Promise<never> {
  await preloop.audit.record({
    actor: { type: 'system', name: 'slack' },
    action: 'slack.interaction-refused',
    target: { type: 'slack_interaction' },
    outcome: 'refused',
    data: { reason, timestamp },
  });
  if (reason === 'replayed') preloop.logger.warn('slack: a signed interaction was presented again (possible replay)', { timestamp });
  throw new PreloopError(
    'UNAUTHENTICATED',
    reason === 'replayed' ? 'This Slack request was already received.' : 'The Slack request signature is missing, stale or wrong.',
  );
}

/**
 * Records a signature as seen; false when it was seen before (a replay).
 * Receipts older than twice the replay window are dropped on the way.
 */
async function firstSight(preloop: Preloop, signature: string, now: number): Promise<boolean> {
  const db = dbOf(preloop);
  const hash = createHash('sha256').update(signature).digest('hex');
  await db
    .deleteFrom('slack_interaction_receipts')
    .where('received_at', '<', now - 2 * slackSignatureToleranceSeconds * 1000)
    .execute();
  const inserted = await db
    .insertInto('slack_interaction_receipts')
    .values({ signature_hash: hash, received_at: now })
    .onConflict((conflict) => conflict.column('signature_hash').doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
}

/**
 * The Slack interactivity endpoint, `POST /api/v1/slack/interactions`
 * (public: Slack's signature is its credential). In this order: the body is
 * read as bytes; the `v0` signature (HMAC-SHA256 with the signing secret) and
 * the 5-minute timestamp window are checked before anything parses it, and a
 * signature seen before is refused (forged, stale and replayed requests get
 * 401, change nothing, and are audited as `slack.interaction-refused`); then
 * the `block_actions` payload is read, the Slack user is mapped to a Preloop
 * user, and the vote goes through the approval engine's one decide path
 * (quorum, separation of duties, eligibility), on channel `slack`. Slack gets
 * its answer within `ackWithinMs` whatever the decide takes; the clicker gets
 * an ephemeral note when the click did not resolve the request.
 *
 * @example
 * ```ts
 * definePlugin({ id: 'slack', routes: [slackInteractionRoute(runtime)] });
 * ```
 */
export function slackInteractionRoute(runtime: SlackInteractionRuntime): AdminRoute {
  return defineRoute({
    method: 'POST',
    path: '/slack/interactions',
    summary: 'Slack interactivity endpoint (signed by Slack; Approve / Deny / option buttons)',
    tag: 'slack',
    access: 'public',
    rawBody: true,
    response: null,
    errors: [401, 413],
    async handler({ request, preloop }) {
      const body = await readTextBody(request, maxBodyBytes);
      const timestamp = request.headers.get('x-slack-request-timestamp');
      const signature = request.headers.get('x-slack-signature');
      const now = runtime.now();
      const refusal = verifySlackRequest({ signingSecret: await runtime.signingSecret(), timestamp, signature, body, now });
      if (refusal) await refuse(preloop, refusal, timestamp);
      if (!(await firstSight(preloop, signature!, now))) await refuse(preloop, 'replayed', timestamp);

      // Signed by Slack from here on.
      let payload: z.output<typeof payloadSchema>;
      try {
        payload = payloadSchema.parse(JSON.parse(new URLSearchParams(body).get('payload') ?? ''));
      } catch {
        throw new PreloopError('VALIDATION_ERROR', 'payload: must be the JSON of a Slack interaction (payload=…).');
      }
      const action = payload.actions?.[0];
      if (payload.type !== 'block_actions' || !action || action.action_id === slackActionIds.view)
        return new Response(null, { status: 200 });
      const task = handleAction(preloop, runtime, payload, action).catch((error: unknown) =>
        preloop.logger.error('slack: an interaction failed after its answer', { error }),
      );
      runtime.inFlight.add(task);
      void task.finally(() => runtime.inFlight.delete(task));
      await Promise.race([task, new Promise((resolve) => setTimeout(resolve, runtime.ackWithinMs).unref?.())]);
      return new Response(null, { status: 200 });
    },
  });
}

async function handleAction(
  preloop: Preloop,
  runtime: SlackInteractionRuntime,
  payload: z.output<typeof payloadSchema>,
  action: { action_id: string; value?: string },
): Promise<void> {
  const client = await runtime.client();
  const channel = payload.container?.channel_id ?? payload.channel?.id ?? null;
  const tell = async (text: string) => {
    if (!channel) return;
    await client.chat
      .postEphemeral({ channel, user: payload.user.id, text })
      .catch((error: unknown) => preloop.logger.warn('slack: chat.postEphemeral failed', { error: (error as Error).message }));
  };
  let value: SlackActionValue;
  try {
    value = valueSchema.parse(JSON.parse(action.value ?? ''));
  } catch {
    await tell('This button is not one of Preloop’s.');
    return;
  }
  const clicker = { teamId: payload.team?.id ?? '', slackUserId: payload.user.id };
  const match = await findSlackUser(preloop, client, await runtime.workspaceId(), clicker);
  if (!match.ok) {
    await preloop.audit.record({
      actor: { type: 'system', name: 'slack' },
      action: 'slack.interaction',
      target: { type: 'approval', id: value.r },
      outcome: 'refused',
      data: { reason: match.reason, slackUserId: clicker.slackUserId, teamId: clicker.teamId, decision: value.d },
    });
    const why: Record<string, string> = {
      not_linked:
        'Your Slack account is not linked to a Preloop user (no confirmed Slack email matches one). Ask a Preloop admin to link it.',
      email_unverified:
        'Your Slack email is not confirmed, so Preloop cannot tell who you are. Confirm it in Slack, or ask an admin to link your account.',
      other_workspace: 'Only members of this workspace are matched by email. Ask a Preloop admin to link your account.',
      user_disabled: 'Your Preloop user is disabled.',
      slack_lookup_failed: 'Slack did not tell Preloop who you are; try again.',
    };
    await tell(`Not recorded. ${why[match.reason]}`);
    return;
  }
  const { user } = match;
  const engine = preloop.service('approvals');
  const actor = toUserPrincipal(user, { teamIds: await preloop.identity.teams.teamIdsOf(user.accountId, user.id) });
  try {
    let answer: string | null = null;
    if (value.o !== undefined) {
      const request = await engine.get(user.accountId, value.r);
      answer = request.question?.options[value.o] ?? null;
      if (answer === null) throw new PreloopError('VALIDATION_ERROR', 'That option is no longer offered.');
    }
    const result = await engine.decide({
      accountId: user.accountId,
      requestId: value.r,
      actor,
      decision: value.d,
      answer,
      channel: 'slack',
    });
    if (!result.counted) await tell(`You already voted ${value.d} on this request; a vote counts once.`);
    else if (!result.resolved) {
      const { votes, workflow } = result.request;
      await tell(
        `Your ${value.d === 'approve' ? 'approval' : 'vote'} is recorded (${votes.approve} of ${workflow.quorum} approvals so far).`,
      );
    }
  } catch (error) {
    // The decide path audited the refusal (approval.decide, outcome refused).
    const message = error instanceof PreloopError ? error.message : 'Preloop could not record the vote.';
    if (!(error instanceof PreloopError)) preloop.logger.error('slack: decide failed', { error });
    await tell(`Not recorded: ${message}`);
  }
}
