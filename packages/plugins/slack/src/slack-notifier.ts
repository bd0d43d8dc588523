import { PreloopError, type ApprovalNotification, type ApprovalNotificationType, type Notifier, type NotifyContext } from '@preloop/core';
import { WebClient } from '@slack/web-api';
import { toSlackFailure, untilAborted } from './notifier-failure.js';
import { toSlackMessage } from './slack-message.js';

/** Options of {@link createSlackNotifier}. */
export interface SlackNotifierOptions {
  /** The app's bot token (`xoxb-…`), or a function that reads it (from the secret store). Never logged. */
  botToken: string | (() => Promise<string>);
  /**
   * A channel ID (`C…`) to post every request in, once, for its members to
   * decide (audience `channel`). Without it, each eligible approver gets a
   * direct message, found by email with `users.lookupByEmail` (audience
   * `approvers`). @default null
   */
  channel?: string | null;
  /** Notifier id. @default 'slack' */
  id?: string;
  /** Which notifications to send. @default all three */
  events?: ApprovalNotificationType[];
  /** The Web API base URL (a local server in tests). @default 'https://slack.com/api/' */
  apiUrl?: string;
  /** Time allowed for one Web API call, in ms. @default 10000 */
  timeoutMs?: number;
  /** How long an email → Slack user lookup is kept, in ms. @default 600000 */
  lookupCacheMs?: number;
  /** Names the user who resolved a request (the plugin reads the Preloop directory). @default none: the user id is shown */
  nameOf?: (accountId: string, userId: string) => Promise<string | null>;
}

/** A Slack notifier, with the Web API client it posts with (the interactivity endpoint answers through it). */
export interface SlackNotifier extends Notifier {
  /** The Web API client (created on first use, with the bot token). */
  client(): Promise<WebClient>;
}

/** A message reference kept by the engine: `<channel>:<ts>`. */
function toMessageRef(channel: string, ts: string): string {
  return `${channel}:${ts}`;
}

function fromMessageRef(ref: string): { channel: string; ts: string } {
  const at = ref.indexOf(':');
  if (at < 1) throw new PreloopError('VALIDATION_ERROR', `slack: "${ref.slice(0, 60)}" is not a message reference (<channel>:<ts>).`);
  return { channel: ref.slice(0, at), ts: ref.slice(at + 1) };
}

/**
 * Creates the Slack notifier (contract version 1) over the official
 * `@slack/web-api` client: each notification becomes a Block Kit message
 * (`chat.postMessage`) with Approve / Deny buttons (one button per option for
 * an `ask_user` question) and a View link; the resolved notice edits that
 * message in place (`update` → `chat.update`) to show who decided, when and
 * how. The notification id travels as message metadata
 * (`preloop_approval.notification_id`). Failures are classified: `ratelimited`
 * is retried after Slack's `Retry-After`, `invalid_auth`, `channel_not_found`,
 * `users_not_found`… fail at once.
 *
 * @example
 * ```ts
 * const notifier = createSlackNotifier({ botToken: process.env.SLACK_BOT_TOKEN!, channel: 'C0123456789' });
 * ```
 */
export function createSlackNotifier(options: SlackNotifierOptions): SlackNotifier {
  if (typeof options.botToken === 'string' && !/^xox[a-z]-\S+$/.test(options.botToken)) {
    throw new PreloopError('CONFIGURATION_ERROR', 'slack: option "botToken" must be a Slack bot token (xoxb-…).');
  }
  if (options.channel != null && !/^[A-Z0-9]{2,}$/.test(options.channel)) {
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      `slack: option "channel" must be a channel ID such as C0123456789 (got "${String(options.channel).slice(0, 40)}"); find it in the channel's details.`,
    );
  }
  const events = new Set<ApprovalNotificationType>(options.events ?? ['approval.requested', 'approval.escalated', 'approval.resolved']);
  const lookupCacheMs = options.lookupCacheMs ?? 600_000;
  const lookups = new Map<string, { userId: string; at: number }>();
  let clientPromise: Promise<WebClient> | null = null;

  function client(): Promise<WebClient> {
    clientPromise ??= (async () => {
      const token = typeof options.botToken === 'string' ? options.botToken : await options.botToken();
      return new WebClient(token, {
        slackApiUrl: options.apiUrl ?? 'https://slack.com/api/',
        // The engine retries; the client must not wait on its own (its default retries span 30 minutes).
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: options.timeoutMs ?? 10_000,
        logLevel: undefined,
      });
    })();
    clientPromise.catch(() => {
      clientPromise = null;
    });
    return clientPromise;
  }

  async function call<T>(method: string, context: NotifyContext, work: (slack: WebClient) => Promise<T>): Promise<T> {
    try {
      return await untilAborted(
        client().then((slack) => work(slack)),
        context.signal,
        `slack: ${method}`,
      );
    } catch (error) {
      throw toSlackFailure(method, error);
    }
  }

  async function target(notification: ApprovalNotification, context: NotifyContext): Promise<string> {
    if (options.channel) return options.channel;
    const email = notification.recipient?.email.toLowerCase();
    if (!email)
      throw toSlackFailure('chat.postMessage', new PreloopError('VALIDATION_ERROR', 'a direct message needs a recipient with an email'));
    const cached = lookups.get(email);
    if (cached && Date.now() - cached.at < lookupCacheMs) return cached.userId;
    const found = await call('users.lookupByEmail', context, (slack) => slack.users.lookupByEmail({ email }));
    const userId = found.user?.id;
    if (!userId) throw toSlackFailure('users.lookupByEmail', { code: 'slack_webapi_platform_error', data: { error: 'users_not_found' } });
    lookups.set(email, { userId, at: Date.now() });
    return userId;
  }

  async function render(notification: ApprovalNotification) {
    const { request } = notification;
    const decidedByName =
      request.decidedBy && options.nameOf ? await options.nameOf(request.accountId, request.decidedBy).catch(() => null) : null;
    const message = toSlackMessage(notification, { interactive: true, decidedByName });
    const metadata = {
      event_type: 'preloop_approval',
      event_payload: { notification_id: notification.id, request_id: request.id, type: notification.type },
    };
    return { ...message, metadata };
  }

  return {
    id: options.id ?? 'slack',
    version: 1,
    audience: options.channel ? 'channel' : 'approvers',
    client,
    async notify(notification, context) {
      if (!events.has(notification.type)) return;
      const channel = await target(notification, context);
      const message = await render(notification);
      const posted = await call('chat.postMessage', context, (slack) =>
        slack.chat.postMessage({ channel, ...message, unfurl_links: false, unfurl_media: false }),
      );
      return { messageRef: posted.channel && posted.ts ? toMessageRef(posted.channel, posted.ts) : null };
    },
    async update(notification, context) {
      if (!events.has(notification.type)) return { messageRef: context.messageRef };
      const { channel, ts } = fromMessageRef(context.messageRef);
      const message = await render(notification);
      await call('chat.update', context, (slack) => slack.chat.update({ channel, ts, ...message }));
      return { messageRef: context.messageRef };
    },
  };
}
