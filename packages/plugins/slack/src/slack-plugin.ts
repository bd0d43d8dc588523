import { definePlugin, PreloopError, type ApprovalNotificationType, type Preloop } from '@preloop/core';
import { createIncomingWebhookNotifier, type IncomingWebhookOptions } from './incoming-webhook.js';
import { slackInteractionRoute, type SlackInteractionRuntime } from './slack-interactions.js';
import { createSlackNotifier } from './slack-notifier.js';
import { slackMigrations } from './slack-tables.js';
import { slackUserLinkRoutes } from './slack-user-links.js';

/** A credential: the value itself (from the environment), or the name of a secret in Preloop's secret store (default account). */
export type SlackSecret = string | { secret: string };

/** Options of the {@link slack} plugin. */
export interface SlackOptions {
  /** The bot token (`xoxb-…`, OAuth & Permissions). Never logged. */
  botToken: SlackSecret;
  /** The signing secret (Basic Information → App Credentials) that signs Slack's interactivity requests. Never logged. */
  signingSecret: SlackSecret;
  /** A channel ID to post requests in (audience `channel`); without it, approvers get direct messages. @default null */
  channel?: string | null;
  /** Which notifications to send. @default all three */
  events?: ApprovalNotificationType[];
  /** The Web API base URL (a local server in tests). @default 'https://slack.com/api/' */
  apiUrl?: string;
  /** Time allowed for one Web API call, in ms. @default 10000 */
  timeoutMs?: number;
  /** The workspace (team) ID whose members are matched by confirmed email. @default the bot token's workspace (`auth.test`) */
  workspaceId?: string;
  /** How long Slack waits for the endpoint's answer at most, in ms (Slack gives up after 3000). @default 2500 */
  ackWithinMs?: number;
  /** The clock, epoch ms (tests). @default Date.now */
  clock?: () => number;
}

/** What the plugin holds once started: the kernel and in-flight interactions. */
interface SlackState {
  preloop: Preloop | null;
}

function secretReader(state: SlackState, source: SlackSecret, option: string): () => Promise<string> {
  if (typeof source === 'string') {
    if (source.trim() === '') throw new PreloopError('CONFIGURATION_ERROR', `slack: option "${option}" is empty.`);
    return async () => source;
  }
  if (!source || typeof source.secret !== 'string' || source.secret === '') {
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      `slack: option "${option}" must be a string or { secret: "<name in the secret store>" }.`,
    );
  }
  let cached: string | null = null;
  return async () => {
    if (cached !== null) return cached;
    const preloop = state.preloop;
    if (!preloop) throw new PreloopError('CONFIGURATION_ERROR', 'slack: the plugin is not started.');
    cached = await preloop.secrets.get(preloop.accountId, source.secret);
    return cached;
  };
}

async function nameOf(state: SlackState, accountId: string, userId: string): Promise<string | null> {
  return (await state.preloop?.identity.users.find(accountId, userId))?.name ?? null;
}

/**
 * The Slack app plugin (id `slack`, needs `approvals`): approval requests as
 * interactive Block Kit messages (Approve / Deny, or one button per option of
 * an `ask_user` question, and View), posted in a channel or to each approver
 * directly, edited in place once the request resolves anywhere; the
 * interactivity endpoint `POST /api/v1/slack/interactions` (signature checked
 * first); admin routes linking Slack users to Preloop users
 * (`/api/v1/slack/user-links`). Setup: docs/approvals-guide.md, "Slack".
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({
 *   database, secretKey,
 *   plugins: [approvals({ publicUrl: 'https://preloop.example.com' }), slack({ botToken: process.env.SLACK_BOT_TOKEN!, signingSecret: process.env.SLACK_SIGNING_SECRET!, channel: 'C0123456789' })],
 * });
 * ```
 */
export function slack(options: SlackOptions) {
  const state: SlackState = { preloop: null };
  const botToken = secretReader(state, options.botToken, 'botToken');
  const signingSecret = secretReader(state, options.signingSecret, 'signingSecret');
  const notifier = createSlackNotifier({
    botToken: typeof options.botToken === 'string' ? options.botToken : botToken,
    channel: options.channel ?? null,
    events: options.events,
    apiUrl: options.apiUrl,
    timeoutMs: options.timeoutMs,
    nameOf: (accountId, userId) => nameOf(state, accountId, userId),
  });
  let workspace: Promise<string> | null = options.workspaceId ? Promise.resolve(options.workspaceId) : null;
  const runtime: SlackInteractionRuntime = {
    signingSecret,
    client: () => notifier.client(),
    workspaceId() {
      workspace ??= notifier
        .client()
        .then((client) => client.auth.test())
        .then((answer) => {
          if (!answer.team_id) throw new PreloopError('UPSTREAM_ERROR', 'slack: auth.test did not name the workspace.');
          return answer.team_id;
        });
      workspace.catch(() => {
        workspace = null;
      });
      return workspace;
    },
    now: options.clock ?? Date.now,
    ackWithinMs: options.ackWithinMs ?? 2500,
    inFlight: new Set(),
  };
  return definePlugin({
    id: 'slack',
    dependencies: ['approvals'],
    migrations: slackMigrations,
    contributions: { notifiers: [notifier] },
    routes: [slackInteractionRoute(runtime), ...slackUserLinkRoutes()],
    init(preloop: Preloop) {
      state.preloop = preloop;
    },
    async close() {
      await Promise.allSettled([...runtime.inFlight]);
      state.preloop = null;
    },
  });
}

/** Options of the {@link mattermost} and {@link slackWebhook} plugins. */
export type IncomingWebhookPluginOptions = Omit<IncomingWebhookOptions, 'flavor' | 'nameOf'>;

function incomingWebhookPlugin(options: IncomingWebhookOptions) {
  const state: SlackState = { preloop: null };
  const notifier = createIncomingWebhookNotifier({ ...options, nameOf: (accountId, userId) => nameOf(state, accountId, userId) });
  return definePlugin({
    id: notifier.id,
    dependencies: ['approvals'],
    contributions: { notifiers: [notifier] },
    init(preloop: Preloop) {
      state.preloop = preloop;
    },
  });
}

/**
 * The Mattermost notifier plugin (id `mattermost`, needs `approvals`):
 * approval notifications posted to a Mattermost incoming webhook as Markdown
 * with the decision links. With `channelFor`, each approver gets a direct
 * message with personal Approve / Deny links.
 *
 * @example
 * ```ts
 * mattermost({ url: process.env.MATTERMOST_WEBHOOK_URL!, channelFor: (approver) => `@${approver.email.split('@')[0]}` });
 * ```
 */
export function mattermost(options: IncomingWebhookPluginOptions) {
  return incomingWebhookPlugin({ ...options, flavor: 'mattermost' });
}

/**
 * Slack without an app (id `slack-webhook`, needs `approvals`): approval
 * notifications posted to a Slack incoming webhook as Block Kit with a View
 * link to the console, one message per event in the webhook's channel.
 *
 * @example
 * ```ts
 * slackWebhook({ url: process.env.SLACK_WEBHOOK_URL! });
 * ```
 */
export function slackWebhook(options: Omit<IncomingWebhookPluginOptions, 'channelFor'>) {
  return incomingWebhookPlugin({ ...options, flavor: 'slack' });
}
