import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import { NotifierError, type ApprovalNotificationType, type Notifier } from '@preloop/core';
import { createApnsTokenSource, type ApnsKey } from './apns-token.js';
import { DeviceGoneError, fanOut, type PushDeviceDirectory } from './device-fanout.js';
import type { PushDevice } from './device-store.js';
import { defaultPushPriority, pushBody, toPushPayload, type PushPayload, type PushPriorityRule } from './push-payload.js';
import { retryAfterMs } from './retry-after.js';

/** Apple's APNs endpoints. */
export const apnsHosts = { production: 'https://api.push.apple.com', sandbox: 'https://api.sandbox.push.apple.com' } as const;

/** The notification category the apps register, with the actions `APPROVE` and `DENY`. */
export const apnsCategory = 'PRELOOP_APPROVAL';

/** Options of {@link createApnsNotifier}. */
export interface ApnsNotifierOptions {
  /** Where the recipients' devices are found. */
  devices: PushDeviceDirectory;
  /** The `.p8` key, its Key ID and the Team ID (read once, on the first push). */
  key: () => Promise<ApnsKey>;
  /** The app's bundle id (`apns-topic`), for example `com.example.preloop`. */
  bundleId: string;
  /** The APNs base URL per device environment; `http:` speaks HTTP/2 in clear text (local test servers only). @default {@link apnsHosts} */
  hosts?: { production?: string; sandbox?: string };
  /** Extra trusted CA certificates (PEM) for the APNs connection (a local test server). @default none */
  ca?: string;
  /** Which notifications to send. @default all three */
  events?: ApprovalNotificationType[];
  /** Chooses each push's priority. @default {@link defaultPushPriority} */
  priority?: PushPriorityRule;
  /** Time allowed for one APNs request, in ms. @default 10000 */
  timeoutMs?: number;
  /** The clock, epoch ms (tests). @default Date.now */
  clock?: () => number;
}

/**
 * The APNs JSON payload: the alert, the category with its actions, the
 * interruption level by priority, and the contract's custom keys.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(toApnsPayload(toPushPayload(notification)));
 * ```
 */
export function toApnsPayload(payload: PushPayload): Record<string, unknown> {
  const level =
    payload.type === 'approval.resolved'
      ? 'passive'
      : payload.priority === 'critical'
        ? 'critical'
        : payload.priority === 'high'
          ? 'time-sensitive'
          : 'active';
  return {
    aps: {
      alert: { title: payload.title, body: pushBody(payload) },
      category: apnsCategory,
      'interruption-level': level,
      'thread-id': payload.requestId,
      sound: payload.priority === 'critical' ? { critical: 1, name: 'default', volume: 1 } : 'default',
    },
    requestId: payload.requestId,
    type: payload.type,
    accountId: payload.accountId,
    notificationId: payload.notificationId,
    priority: payload.priority,
    expiresAt: payload.expiresAt,
  };
}

/** A canonical UUID derived from the notification and device (`apns-id`), the same on every retry. */
function apnsId(notificationId: string, deviceId: string): string {
  const hex = createHash('sha256').update(`${notificationId}:${deviceId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface ApnsAnswer {
  status: number;
  reason: string | null;
  retryAfter: string | null;
}

/**
 * Creates the APNs notifier (id `apns`, audience `approvers`): each
 * approver's iPhones and Watches get an alert over HTTP/2 (`node:http2`,
 * one connection per endpoint, reused) with token authentication (an ES256
 * JWT from the `.p8` key, refreshed every 50 minutes and after
 * `ExpiredProviderToken`). Headers: `apns-push-type: alert`, `apns-topic`,
 * `apns-priority` 10 (5 for a resolved notice), `apns-collapse-id` = the
 * request id (a resolved notice replaces the alert), `apns-expiration` = the
 * deadline. 410 `Unregistered` and 400 `BadDeviceToken` remove the device;
 * 429, 5xx and a refused provider token are retried; other answers fail for good.
 *
 * @example
 * ```ts
 * const notifier = createApnsNotifier({ devices, bundleId: 'com.example.preloop', key: async () => ({ privateKey: p8, keyId, teamId }) });
 * ```
 */
export function createApnsNotifier(options: ApnsNotifierOptions): Notifier & { close(): void } {
  const events = new Set(options.events ?? ['approval.requested', 'approval.escalated', 'approval.resolved']);
  const now = options.clock ?? Date.now;
  const tokens = createApnsTokenSource(options.key, now);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const hosts = { ...apnsHosts, ...options.hosts };
  const sessions = new Map<string, http2.ClientHttp2Session>();

  function session(origin: string): http2.ClientHttp2Session {
    const existing = sessions.get(origin);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const created = http2.connect(origin, options.ca ? { ca: options.ca } : {});
    created.on('error', () => sessions.delete(origin));
    created.on('close', () => sessions.delete(origin));
    created.on('goaway', () => sessions.delete(origin));
    created.unref();
    sessions.set(origin, created);
    return created;
  }

  function post(
    device: PushDevice & { push: { kind: 'apns' } },
    headers: Record<string, string>,
    body: string,
    signal: AbortSignal,
  ): Promise<ApnsAnswer> {
    const origin = device.push.environment === 'sandbox' ? hosts.sandbox : hosts.production;
    return new Promise((resolve, reject) => {
      let request: http2.ClientHttp2Stream;
      try {
        request = session(origin).request(
          { ':method': 'POST', ':path': `/3/device/${encodeURIComponent(device.push.token)}`, ...headers },
          { signal },
        );
      } catch (error) {
        return reject(error);
      }
      let status = 0;
      let retryAfter: string | null = null;
      const chunks: Buffer[] = [];
      request.on('response', (answer) => {
        status = Number(answer[':status']);
        retryAfter = typeof answer['retry-after'] === 'string' ? answer['retry-after'] : null;
      });
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        let reason: string | null = null;
        try {
          reason = chunks.length ? ((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { reason?: string }).reason ?? null) : null;
        } catch {
          reason = null;
        }
        resolve({ status, reason, retryAfter });
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  return {
    id: 'apns',
    version: 1,
    audience: 'approvers',
    async notify(notification, context) {
      if (!events.has(notification.type)) return;
      const payload = toPushPayload(notification, options.priority ?? defaultPushPriority);
      const body = JSON.stringify(toApnsPayload(payload));
      const expiration = notification.type === 'approval.resolved' ? Math.floor(now() / 1000) + 3600 : Math.floor(payload.expiresAt / 1000);
      await fanOut(options.devices, notification, 'apns', async (device) => {
        if (device.push.kind !== 'apns') return;
        const signal = AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]);
        let answer: ApnsAnswer | null = null;
        for (let round = 0; round < 2; round += 1) {
          const token = await tokens.get();
          answer = await post(
            device as PushDevice & { push: { kind: 'apns' } },
            {
              authorization: `bearer ${token}`,
              'apns-push-type': 'alert',
              'apns-topic': options.bundleId,
              'apns-priority': payload.type === 'approval.resolved' ? '5' : '10',
              'apns-collapse-id': payload.requestId.slice(0, 64),
              'apns-expiration': String(expiration),
              'apns-id': apnsId(notification.id, device.id),
              'content-type': 'application/json',
            },
            body,
            signal,
          );
          // A refused provider token: mint a new one and try once more at once.
          if (answer.status === 403 && answer.reason === 'ExpiredProviderToken' && round === 0) {
            tokens.invalidate(token);
            continue;
          }
          break;
        }
        const { status, reason } = answer!;
        if (status === 200) return;
        const what = `apns: ${status} ${reason ?? ''}`.trim();
        if (status === 410 || (status === 400 && (reason === 'BadDeviceToken' || reason === 'DeviceTokenNotForTopic'))) {
          throw new DeviceGoneError(`${what} for device ${device.id}`, what.slice(6));
        }
        const retryable = status === 429 || status >= 500 || (status === 403 && reason === 'ExpiredProviderToken');
        throw new NotifierError(`${what} for device ${device.id} (attempt ${context.attempt})`, {
          retryable,
          retryAfterMs: retryAfterMs(answer!.retryAfter),
        });
      });
    },
    close() {
      for (const open of sessions.values()) open.close();
      sessions.clear();
    },
  };
}
