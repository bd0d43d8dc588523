import { NotifierError, PreloopError, type ApprovalNotification, type ApprovalNotificationType, type Notifier } from '@preloop/core';
import { untilAborted, webhookAnswerFailure } from './notifier-failure.js';
import { toMarkdownMessage, toSlackMessage } from './slack-message.js';

/** Options of {@link createIncomingWebhookNotifier}. */
export interface IncomingWebhookOptions {
  /** The incoming webhook URL (Slack: `https://hooks.slack.com/services/…`; Mattermost: `https://<server>/hooks/<id>`). Held as a secret: never logged. */
  url: string;
  /** `slack` sends Block Kit with link buttons; `mattermost` sends Markdown text. */
  flavor: 'slack' | 'mattermost';
  /** Notifier id. @default the flavor, with `-webhook` for Slack: `slack-webhook` or `mattermost` */
  id?: string;
  /**
   * Mattermost only: a direct message per approver, with that approver's
   * personal single-use decision links, in the channel this returns (for
   * example `@ann`); null skips the approver. Without it, one message per
   * event goes to the webhook's own channel with the View link only: personal
   * links in a shared channel would let anyone there vote as that approver.
   * @default none (audience `channel`)
   */
  channelFor?: (recipient: NonNullable<ApprovalNotification['recipient']>) => string | null;
  /** Mattermost: the name shown as the sender (the webhook must allow overriding it). @default 'Preloop' */
  username?: string;
  /** Which notifications to send. @default all three */
  events?: ApprovalNotificationType[];
  /** Time allowed for one delivery, in ms. @default 10000 */
  timeoutMs?: number;
  /** The fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Names the user who resolved a request. @default none: the user id is shown */
  nameOf?: (accountId: string, userId: string) => Promise<string | null>;
}

/**
 * Creates a notifier that posts to an incoming webhook, Slack's or
 * Mattermost's (which takes Slack's JSON format): no app, no interactivity,
 * the decision links instead of buttons. Slack's incoming webhooks post to
 * one fixed channel, so a Slack webhook is always audience `channel` (View
 * link to the console). Mattermost's can post to a direct message
 * (`channel: '@user'`), so with `channelFor` each approver gets personal
 * Approve / Deny links. The notification id travels in the body (`metadata`
 * for Slack, `props.preloop_notification_id` for Mattermost). A 429 is retried
 * after its `Retry-After`, a 5xx retried, any other failure (a removed webhook,
 * a refused payload) is permanent.
 *
 * @example
 * ```ts
 * const notifier = createIncomingWebhookNotifier({ url: process.env.MATTERMOST_WEBHOOK_URL!, flavor: 'mattermost' });
 * ```
 */
export function createIncomingWebhookNotifier(options: IncomingWebhookOptions): Notifier {
  let url: URL;
  try {
    url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new PreloopError('CONFIGURATION_ERROR', `${options.flavor}: option "url" must be the incoming webhook's http(s) URL.`);
  }
  if (options.flavor === 'slack' && options.channelFor) {
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      'slack-webhook: option "channelFor" is for Mattermost; Slack incoming webhooks post to their one channel (use the Slack app for direct messages).',
    );
  }
  const events = new Set<ApprovalNotificationType>(options.events ?? ['approval.requested', 'approval.escalated', 'approval.resolved']);
  const send = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const name = options.flavor === 'slack' ? 'slack-webhook' : 'mattermost';

  async function body(notification: ApprovalNotification, channel: string | null): Promise<Record<string, unknown>> {
    const { request } = notification;
    const decidedByName =
      request.decidedBy && options.nameOf ? await options.nameOf(request.accountId, request.decidedBy).catch(() => null) : null;
    if (options.flavor === 'slack') {
      const message = toSlackMessage(notification, { interactive: false, decidedByName });
      return {
        ...message,
        unfurl_links: false,
        metadata: {
          event_type: 'preloop_approval',
          event_payload: { notification_id: notification.id, request_id: request.id, type: notification.type },
        },
      };
    }
    return {
      text: toMarkdownMessage(notification, decidedByName),
      username: options.username ?? 'Preloop',
      ...(channel ? { channel } : {}),
      props: { preloop_notification_id: notification.id, preloop_request_id: request.id },
    };
  }

  return {
    id: options.id ?? name,
    version: 1,
    audience: options.channelFor ? 'approvers' : 'channel',
    async notify(notification, context) {
      if (!events.has(notification.type)) return;
      const channel = options.channelFor && notification.recipient ? options.channelFor(notification.recipient) : null;
      if (options.channelFor && !channel) return;
      const payload = JSON.stringify(await body(notification, channel));
      const response = await untilAborted(
        send(url, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/json', 'user-agent': 'preloop-notifier/1', 'idempotency-key': notification.id },
          body: payload,
          signal: AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]),
        }).catch((error: unknown) => {
          // Never echo the URL: it is the webhook's credential.
          throw new NotifierError(`${name}: the webhook could not be reached (${(error as Error).name ?? 'error'})`, { cause: error });
        }),
        context.signal,
        name,
      );
      await response.body?.cancel().catch(() => {});
      const failure = webhookAnswerFailure(name, response);
      if (failure) throw failure;
    },
  };
}
