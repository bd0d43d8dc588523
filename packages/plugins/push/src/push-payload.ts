import { createHash } from 'node:crypto';
import type { ApprovalNotification, ApprovalNotificationType, ApprovalRequestView } from '@preloop/core';

/** How urgent a push is: `high` and `critical` wake the phone (APNs `time-sensitive` / `critical`, Web Push `Urgency: high`). */
export type PushPriority = 'normal' | 'high' | 'critical';

/**
 * The push payload of every transport (docs/mobile-approvals.md): an id and a
 * short title, never the arguments, the reason or anything secret. The app
 * fetches the rest over the authenticated API.
 */
export interface PushPayload {
  v: 1;
  type: ApprovalNotificationType;
  requestId: string;
  accountId: string;
  /** The notification's idempotency key: the same on every retry, so an app can drop a duplicate. */
  notificationId: string;
  /** `<tool> needs approval`, `<tool> asks a question`, or `<tool>: <outcome>` once resolved. */
  title: string;
  priority: PushPriority;
  /** The request's deadline, epoch ms. */
  expiresAt: number;
}

/** Chooses a notification's priority. */
export type PushPriorityRule = (request: ApprovalRequestView, type: ApprovalNotificationType) => PushPriority;

/**
 * The default priority: `normal` for a resolved notice, `high` for a request
 * or an escalation (never `critical`: Apple grants critical alerts only with a
 * special entitlement; name the workflows that deserve it with `criticalWorkflows`).
 *
 * @example
 * ```ts
 * defaultPushPriority(request, 'approval.requested'); // 'high'
 * ```
 */
export function defaultPushPriority(_request: ApprovalRequestView, type: ApprovalNotificationType): PushPriority {
  return type === 'approval.resolved' ? 'normal' : 'high';
}

/** The short title shown on the lock screen: the tool name and what happened, nothing more. */
function titleOf(notification: ApprovalNotification): string {
  const { request } = notification;
  const tool = request.tool.name.slice(0, 100);
  if (notification.type === 'approval.resolved') return `${tool}: ${request.status}`;
  return request.kind === 'question' ? `${tool} asks a question` : `${tool} needs approval`;
}

/**
 * Builds the payload of a push. It depends only on the notification (and the
 * priority rule), so every retry sends the same content.
 *
 * @example
 * ```ts
 * const payload = toPushPayload(notification); // { v: 1, type, requestId, title: 'deploy_service needs approval', … }
 * ```
 */
export function toPushPayload(notification: ApprovalNotification, priority: PushPriorityRule = defaultPushPriority): PushPayload {
  const { request } = notification;
  return {
    v: 1,
    type: notification.type,
    requestId: request.id,
    accountId: request.accountId,
    notificationId: notification.id,
    title: titleOf(notification),
    priority: priority(request, notification.type),
    expiresAt: request.expiresAt,
  };
}

/**
 * The body line under the title (APNs `aps.alert.body`, FCM `notification.body`): no argument, no reason.
 *
 * @example
 * ```ts
 * pushBody(toPushPayload(notification)); // 'Open to review and decide.'
 * ```
 */
export function pushBody(payload: PushPayload): string {
  return payload.type === 'approval.resolved' ? 'No action needed.' : 'Open to review and decide.';
}

/**
 * A collapse key for `requestId` within a channel's limit (Web Push `Topic`:
 * 32 URL-safe characters): the id itself when it fits, else the first
 * `max` characters of its SHA-256 in base64url.
 *
 * @example
 * ```ts
 * collapseKey('apr_0193…', 32);
 * ```
 */
export function collapseKey(requestId: string, max: number): string {
  if (requestId.length <= max && /^[A-Za-z0-9_-]+$/.test(requestId)) return requestId;
  return createHash('sha256').update(requestId).digest('base64url').slice(0, max);
}
