import { NotifierError, type ApprovalNotificationType, type Notifier } from '@preloop/core';
import webPush from 'web-push';
import { DeviceGoneError, fanOut, type PushDeviceDirectory } from './device-fanout.js';
import { collapseKey, defaultPushPriority, toPushPayload, type PushPriorityRule } from './push-payload.js';
import { retryAfterMs } from './retry-after.js';

/** A VAPID key pair (base64url, as `web-push generate-vapid-keys` prints them) and the contact it names. */
export interface VapidKeys {
  /** `mailto:` or `https:` contact of the server's operator, sent to push services in the VAPID JWT (`sub`). */
  subject: string;
  /** The P-256 public key, base64url (65 bytes uncompressed): the app subscribes with it. */
  publicKey: string;
  /** The private key, base64url (32 bytes). Never logged. */
  privateKey: string;
}

/** Options of {@link createWebPushNotifier}. */
export interface WebPushNotifierOptions {
  /** Where the recipients' devices are found. */
  devices: PushDeviceDirectory;
  /** The VAPID keys (read once, on the first push). */
  vapid: () => Promise<VapidKeys>;
  /** Which notifications to send. @default all three */
  events?: ApprovalNotificationType[];
  /** Chooses each push's priority. @default {@link defaultPushPriority} */
  priority?: PushPriorityRule;
  /** Time allowed for one push service request, in ms. @default 10000 */
  timeoutMs?: number;
  /** The fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The clock, epoch ms (tests). @default Date.now */
  clock?: () => number;
}

const allEvents: ApprovalNotificationType[] = ['approval.requested', 'approval.escalated', 'approval.resolved'];

/**
 * Creates the Web Push notifier (id `web-push`, audience `approvers`): each
 * approver's browsers and installed approval apps get the push payload
 * encrypted per RFC 8291 (`aes128gcm`, by `web-push`) with a VAPID JWT (RFC
 * 8292), `TTL` until the deadline, `Urgency` by priority and `Topic` from the
 * request id (a resolved notice replaces the request's push). 404 and 410
 * remove the device; 429, 408 and 5xx are retried (honouring `Retry-After`);
 * any other answer fails the push for good.
 *
 * @example
 * ```ts
 * const notifier = createWebPushNotifier({ devices, vapid: async () => ({ subject: 'mailto:ops@example.com', publicKey, privateKey }) });
 * ```
 */
export function createWebPushNotifier(options: WebPushNotifierOptions): Notifier {
  const events = new Set(options.events ?? allEvents);
  const send = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.clock ?? Date.now;
  return {
    id: 'web-push',
    version: 1,
    audience: 'approvers',
    async notify(notification, context) {
      if (!events.has(notification.type)) return;
      const vapid = await options.vapid();
      const payload = toPushPayload(notification, options.priority ?? defaultPushPriority);
      const ttl =
        notification.type === 'approval.resolved' ? 3600 : Math.max(60, Math.round((notification.request.expiresAt - now()) / 1000));
      await fanOut(options.devices, notification, 'web-push', async (device) => {
        if (device.push.kind !== 'web-push') return;
        const subscription = device.push.subscription;
        let details: ReturnType<typeof webPush.generateRequestDetails>;
        try {
          details = webPush.generateRequestDetails(subscription, JSON.stringify(payload), {
            vapidDetails: vapid,
            TTL: ttl,
            urgency: payload.priority === 'normal' ? 'normal' : 'high',
            topic: collapseKey(payload.requestId, 32),
            contentEncoding: 'aes128gcm',
          });
        } catch (error) {
          // A malformed subscription (bad keys) can never be sent to; the VAPID keys are checked at start-up.
          throw new DeviceGoneError(
            `web-push: device ${device.id} has an unusable subscription`,
            `invalid subscription: ${(error as Error).message}`,
          );
        }
        const response = await send(details.endpoint, {
          method: 'POST',
          headers: details.headers as Record<string, string>,
          body: details.body as Buffer<ArrayBuffer>,
          redirect: 'manual',
          signal: AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]),
        });
        await response.body?.cancel().catch(() => {});
        if (response.status >= 200 && response.status < 300) return;
        const origin = new URL(details.endpoint).origin;
        if (response.status === 404 || response.status === 410) {
          throw new DeviceGoneError(`web-push: ${origin} says the subscription of device ${device.id} is gone`, `${response.status}`);
        }
        const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
        throw new NotifierError(`web-push: ${origin} answered ${response.status} for device ${device.id} (attempt ${context.attempt})`, {
          retryable,
          retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
        });
      });
    },
  };
}
