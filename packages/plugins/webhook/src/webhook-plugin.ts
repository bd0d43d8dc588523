import {
  definePlugin,
  NotifierError,
  PreloopError,
  type ApprovalNotification,
  type ApprovalNotificationType,
  type Notifier,
} from '@preloop/core';
import { signWebhook } from './sign-webhook.js';
import { decodeWebhookSecret, minimumSecretBytes } from './webhook-secret.js';

/** Options of the {@link webhook} plugin. */
export interface WebhookOptions {
  /** Where to POST notifications (http or https). */
  url: string;
  /** The signing secret, `whsec_<base64>` of 24–64 random bytes (see `createWebhookSecret`). */
  secret: string;
  /** Earlier secrets still in rotation: each delivery carries one signature per secret. @default [] */
  previousSecrets?: string[];
  /** Extra request headers (for example an authorization header of the receiver). @default {} */
  headers?: Record<string, string>;
  /** Plugin and notifier id; set it to install several webhooks. @default 'webhook' */
  id?: string;
  /** `approvers`: one delivery per eligible approver, with personal decision links; `channel`: one delivery per event. @default 'approvers' */
  audience?: 'approvers' | 'channel';
  /** Which notifications to send. @default all three */
  events?: ApprovalNotificationType[];
  /** Time allowed for one delivery, in ms. @default 10000 */
  timeoutMs?: number;
  /** The fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The JSON body of a webhook delivery (Standard Webhooks payload shape). */
export interface WebhookPayload {
  /** `approval.requested`, `approval.escalated` or `approval.resolved`. */
  type: ApprovalNotificationType;
  /** When the event happened (ISO 8601), identical on every retry. */
  timestamp: string;
  data: {
    request: ApprovalNotification['request'];
    recipient: ApprovalNotification['recipient'];
    links: ApprovalNotification['links'];
    /** Present when flood control sent several requests as one delivery (`request` and `links` are the first item's). */
    digest?: NonNullable<ApprovalNotification['digest']>;
  };
}

function eventTime(notification: ApprovalNotification): number {
  const { request } = notification;
  if (notification.type === 'approval.escalated') return request.escalatedAt ?? request.createdAt;
  if (notification.type === 'approval.resolved') return request.executedAt ?? request.decidedAt ?? request.createdAt;
  return request.createdAt;
}

/**
 * Whether an answer other than 2xx may change on a retry: 408, 409, 425, 429
 * and 5xx may; any other 4xx and a redirect (never followed) answer the same
 * bytes the same way, so the delivery fails at once.
 */
function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 409 || status === 425 || status === 429;
}

/** `Retry-After` in seconds or as an HTTP date, in ms (capped at one hour); null when absent or unreadable. */
function retryAfterMs(header: string | null): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(0, Math.round(ms)), 3_600_000) : null;
}

/**
 * Builds the body of a delivery. It depends only on the notification, so every
 * retry sends the same bytes.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(toWebhookPayload(notification));
 * ```
 */
export function toWebhookPayload(notification: ApprovalNotification): WebhookPayload {
  return {
    type: notification.type,
    timestamp: new Date(eventTime(notification)).toISOString(),
    data: {
      request: notification.request,
      recipient: notification.recipient,
      links: notification.links,
      ...(notification.digest ? { digest: notification.digest } : {}),
    },
  };
}

/**
 * Creates the webhook notifier (contract version 1): POSTs each notification
 * as JSON, signed with the Standard Webhooks scheme. The `webhook-id` is the
 * notification id, so the approval engine's retries keep it while the
 * timestamp and signature are fresh on each attempt. Any answer but 2xx (a
 * redirect included) is a failure: retried by the engine for 408, 409, 425,
 * 429, 5xx and network errors (honouring `Retry-After`), permanent for any
 * other answer.
 *
 * @example
 * ```ts
 * const notifier = createWebhookNotifier({ url: 'https://hooks.example.com/preloop', secret: process.env.PRELOOP_WEBHOOK_SECRET! });
 * ```
 */
export function createWebhookNotifier(options: WebhookOptions): Notifier {
  let url: URL;
  try {
    url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new PreloopError('CONFIGURATION_ERROR', `webhook: option "url" must be an http(s) URL; got "${String(options.url)}".`);
  }
  const secrets = [options.secret, ...(options.previousSecrets ?? [])];
  secrets.forEach((secret, index) => {
    const where = index === 0 ? 'secret' : `previousSecrets[${index - 1}]`;
    if (decodeWebhookSecret(secret, where).length < minimumSecretBytes) {
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        `webhook: option "${where}" must hold at least ${minimumSecretBytes} bytes (use createWebhookSecret()).`,
      );
    }
  });
  const events = new Set<ApprovalNotificationType>(options.events ?? ['approval.requested', 'approval.escalated', 'approval.resolved']);
  const send = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;

  return {
    id: options.id ?? 'webhook',
    version: 1,
    audience: options.audience ?? 'approvers',
    digests: true,
    async notify(notification, context) {
      if (!events.has(notification.type)) return;
      const body = JSON.stringify(toWebhookPayload(notification));
      const signed = signWebhook({ id: notification.id, timestamp: Math.floor(Date.now() / 1000), body, secrets });
      const response = await send(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { ...options.headers, ...signed, 'content-type': 'application/json', 'user-agent': 'preloop-webhook/1' },
        body,
        signal: AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await response.body?.cancel().catch(() => {});
      if (response.status < 200 || response.status >= 300) {
        throw new NotifierError(`webhook: ${url.origin} answered ${response.status} (attempt ${context.attempt})`, {
          retryable: retryableStatus(response.status),
          retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
        });
      }
    },
  };
}

/**
 * The webhook notifier plugin (id `webhook`, needs `approvals`): approval
 * notifications POSTed as signed JSON (Standard Webhooks). Verify deliveries
 * with `verifyWebhook`.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({
 *   database: 'sqlite:./preloop.db',
 *   secretKey: process.env.PRELOOP_SECRET_KEY,
 *   plugins: [approvals({ publicUrl: 'https://preloop.example.com' }), webhook({ url: 'https://hooks.example.com/preloop', secret: process.env.PRELOOP_WEBHOOK_SECRET! })],
 * });
 * ```
 */
export function webhook(options: WebhookOptions) {
  const notifier = createWebhookNotifier(options);
  return definePlugin({
    id: notifier.id,
    dependencies: ['approvals'],
    contributions: { notifiers: [notifier] },
  });
}
