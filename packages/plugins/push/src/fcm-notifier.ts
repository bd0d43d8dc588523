import { NotifierError, type ApprovalNotificationType, type Notifier } from '@preloop/core';
import { DeviceGoneError, fanOut, type PushDeviceDirectory } from './device-fanout.js';
import { createFcmTokenSource, type ServiceAccountKey } from './fcm-token.js';
import { defaultPushPriority, pushBody, toPushPayload, type PushPayload, type PushPriorityRule } from './push-payload.js';
import { retryAfterMs } from './retry-after.js';

/** The Android notification channel the apps create for approval alerts. */
export const fcmChannelId = 'preloop_approvals';

/** Options of {@link createFcmNotifier}. */
export interface FcmNotifierOptions {
  /** Where the recipients' devices are found. */
  devices: PushDeviceDirectory;
  /** The service-account key (read once, on the first push). */
  serviceAccount: () => Promise<ServiceAccountKey>;
  /** The Firebase project id. @default the service account's `project_id` */
  projectId?: string;
  /** The FCM API base URL. @default 'https://fcm.googleapis.com' */
  apiUrl?: string;
  /** The OAuth token URL. @default the service account's `token_uri` */
  tokenUrl?: string;
  /** Which notifications to send. @default all three */
  events?: ApprovalNotificationType[];
  /** Chooses each push's priority. @default {@link defaultPushPriority} */
  priority?: PushPriorityRule;
  /** Time allowed for one request, in ms. @default 10000 */
  timeoutMs?: number;
  /** The fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The clock, epoch ms (tests). @default Date.now */
  clock?: () => number;
}

/**
 * The FCM v1 `message` for one device token: data (strings only) +
 * notification, the Android channel and collapse key.
 *
 * @example
 * ```ts
 * const body = JSON.stringify({ message: toFcmMessage(toPushPayload(notification), registrationToken, 900) });
 * ```
 */
export function toFcmMessage(payload: PushPayload, token: string, ttlSeconds: number): Record<string, unknown> {
  return {
    token,
    data: {
      requestId: payload.requestId,
      type: payload.type,
      priority: payload.priority,
      accountId: payload.accountId,
      notificationId: payload.notificationId,
      expiresAt: String(payload.expiresAt),
    },
    notification: { title: payload.title, body: pushBody(payload) },
    android: {
      collapse_key: payload.requestId,
      priority: payload.priority === 'normal' ? 'NORMAL' : 'HIGH',
      ttl: `${ttlSeconds}s`,
      notification: { channel_id: fcmChannelId, tag: payload.requestId },
    },
  };
}

interface FcmErrorBody {
  error?: { status?: string; message?: string; details?: Array<{ errorCode?: string; fieldViolations?: Array<{ field?: string }> }> };
}

/**
 * Creates the FCM HTTP v1 notifier (id `fcm`, audience `approvers`): each
 * approver's Android devices get a data + notification message on the
 * `preloop_approvals` channel, collapsed by request id, authorized by an
 * OAuth 2 access token from the service account (JWT bearer grant, cached).
 * `UNREGISTERED` and an `INVALID_ARGUMENT` about the token (and
 * `SENDER_ID_MISMATCH`) remove the device; 429, 5xx and a refused access
 * token are retried (honouring `Retry-After`); other answers fail for good.
 *
 * @example
 * ```ts
 * const notifier = createFcmNotifier({ devices, serviceAccount: async () => JSON.parse(await readFile('service-account.json', 'utf8')) });
 * ```
 */
export function createFcmNotifier(options: FcmNotifierOptions): Notifier {
  const events = new Set(options.events ?? ['approval.requested', 'approval.escalated', 'approval.resolved']);
  const send = options.fetch ?? globalThis.fetch;
  const now = options.clock ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const tokens = createFcmTokenSource(options.serviceAccount, { tokenUrl: options.tokenUrl, fetch: send, clock: now });
  const apiUrl = (options.apiUrl ?? 'https://fcm.googleapis.com').replace(/\/$/, '');
  let projectId: string | null = options.projectId ?? null;

  return {
    id: 'fcm',
    version: 1,
    audience: 'approvers',
    async notify(notification, context) {
      if (!events.has(notification.type)) return;
      projectId ??= (await options.serviceAccount()).project_id;
      const payload = toPushPayload(notification, options.priority ?? defaultPushPriority);
      const ttl = notification.type === 'approval.resolved' ? 3600 : Math.max(60, Math.round((payload.expiresAt - now()) / 1000));
      const url = `${apiUrl}/v1/projects/${encodeURIComponent(projectId)}/messages:send`;
      await fanOut(options.devices, notification, 'fcm', async (device) => {
        if (device.push.kind !== 'fcm') return;
        const signal = AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]);
        const accessToken = await tokens.get(signal);
        const response = await send(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ message: toFcmMessage(payload, device.push.token, ttl) }),
          signal,
        });
        const text = await response.text();
        if (response.ok) return;
        let body: FcmErrorBody = {};
        try {
          body = JSON.parse(text) as FcmErrorBody;
        } catch {}
        const details = body.error?.details ?? [];
        const errorCode = details.find((detail) => detail.errorCode)?.errorCode ?? body.error?.status ?? '';
        const aboutToken =
          details.some((detail) => detail.fieldViolations?.some((violation) => /token/i.test(violation.field ?? ''))) ||
          /registration token/i.test(body.error?.message ?? '');
        const what = `fcm: ${response.status} ${errorCode}`.trim();
        if (errorCode === 'UNREGISTERED' || errorCode === 'SENDER_ID_MISMATCH' || (errorCode === 'INVALID_ARGUMENT' && aboutToken)) {
          throw new DeviceGoneError(`${what} for device ${device.id}`, what.slice(5));
        }
        if (response.status === 401) tokens.invalidate(accessToken);
        const retryable = response.status === 401 || response.status === 429 || response.status >= 500;
        throw new NotifierError(`${what} for device ${device.id} (attempt ${context.attempt})`, {
          retryable,
          retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
        });
      });
    },
  };
}
