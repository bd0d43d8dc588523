/**
 * The approval app's service worker (served as `<scope>sw.js`, scope `/approve/`).
 * - `push`: shows the request's notification (tag = request id, Approve and Deny
 *   actions); `approval.resolved` closes it instead. The payload carries no
 *   arguments and no secret: an id, a title, a priority and a deadline.
 * - `notificationclick` on Approve or Deny: reads the request and decides it
 *   with this device's own key (`Authorization: PreloopDevice <jwt>`; every
 *   approval rule applies on the server), then shows a short "Approved" /
 *   "Denied" notification. A question, a workflow that wants a comment, a
 *   request no longer pending, no paired device, or any failure opens
 *   `#request=<id>` in the app instead; so does a click on the notification itself.
 * - `pushsubscriptionchange`: the new subscription is sent to the server with the device's key (`PATCH /devices/:id`).
 * - An offline shell: the page and its script are kept, so the app opens without network.
 *
 * It runs in a ServiceWorkerGlobalScope; the DOM library this package compiles
 * against does not describe one, so the few types it uses are written here.
 * `self.preloopApproveWorker` exposes the two handlers (the browser tests call
 * `handleNotificationClick` with a real notification, since headless Chromium cannot click one).
 *
 * @module
 */
import type { ApprovalDetail, PushConfig, PushPayload } from '../client/api-types.js';
import { deviceAuthorization, fromBase64url, loadDevice, type StoredDevice } from './device-key.js';

/** What a notification click led to. */
export type ClickOutcome = { decided: 'approve' | 'deny' } | { opened: string; reason: string };

interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface PushEventLike extends ExtendableEventLike {
  data: { json(): unknown; text(): string } | null;
}
interface NotificationEventLike {
  notification: Notification;
  action: string;
}
interface WindowClientLike {
  url: string;
  focus(): Promise<unknown>;
  navigate(url: string): Promise<unknown>;
  postMessage(message: unknown): void;
}
interface WorkerScope {
  registration: ServiceWorkerRegistration;
  clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: string, listener: (event: never) => void): void;
  preloopApproveWorker?: unknown;
}

const scope = self as unknown as WorkerScope;
const shellCache = 'preloop-approve-shell';
const scopeUrl = () => scope.registration.scope;

function parsePayload(event: PushEventLike): PushPayload | null {
  try {
    const data = event.data?.json() as PushPayload | undefined;
    return data && data.v === 1 && typeof data.requestId === 'string' ? data : null;
  } catch {
    return null;
  }
}

async function tellClients(message: unknown): Promise<void> {
  for (const client of await scope.clients.matchAll({ type: 'window', includeUncontrolled: true })) client.postMessage(message);
}

/**
 * Handles one push: shows, or (for `approval.resolved`) closes, the request's notification.
 *
 * @example
 * ```ts
 * await handlePush({ v: 1, type: 'approval.requested', requestId: 'apr_1', accountId: 'acc_1', title: 'deploy needs approval', priority: 'high', expiresAt });
 * ```
 */
export async function handlePush(payload: PushPayload | null): Promise<void> {
  const registration = scope.registration;
  if (!payload) {
    // A push must show something (userVisibleOnly); an unreadable one still says where to look.
    await registration.showNotification('Preloop', { body: 'Open the approval app to see what needs you.', tag: 'preloop-unknown' });
    return;
  }
  await tellClients({ type: 'preloop-approval-changed', requestId: payload.requestId });
  if (payload.type === 'approval.resolved') {
    for (const notification of await registration.getNotifications({ tag: payload.requestId })) notification.close();
    return;
  }
  const minutes = Math.max(0, Math.round((payload.expiresAt - Date.now()) / 60_000));
  await registration.showNotification(payload.title, {
    tag: payload.requestId,
    body: `${payload.type === 'approval.escalated' ? 'Escalated · ' : ''}decide within ${minutes} min`,
    data: payload,
    icon: new URL('icons/icon-192.png', scopeUrl()).href,
    requireInteraction: payload.priority !== 'normal',
    actions: [
      { action: 'approve', title: 'Approve' },
      { action: 'deny', title: 'Deny' },
    ],
  } as NotificationOptions);
}

async function openApp(requestId: string, reason: string): Promise<ClickOutcome> {
  const url = new URL(`#request=${encodeURIComponent(requestId)}`, scopeUrl()).href;
  const windows = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => client.url.startsWith(scopeUrl()));
  if (open) {
    await open.navigate(url).catch(() => {});
    await open.focus().catch(() => {});
  } else await scope.clients.openWindow(url).catch(() => {});
  return { opened: url, reason };
}

async function asDevice(device: StoredDevice, method: string, path: string, body?: unknown): Promise<Response> {
  const url = `${device.apiUrl.replace(/\/$/, '')}${path}`;
  return fetch(url, {
    method,
    credentials: 'omit',
    headers: {
      authorization: await deviceAuthorization(device, method, url),
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/**
 * Handles a click on a request's notification: decides it with the device's key when an action was chosen
 * and the request can be decided with one tap, else opens the app on the request.
 *
 * @example
 * ```ts
 * const outcome = await handleNotificationClick({ notification, action: 'approve' });
 * ```
 */
export async function handleNotificationClick(event: NotificationEventLike): Promise<ClickOutcome> {
  const { notification, action } = event;
  notification.close();
  const payload = notification.data as PushPayload | null;
  if (!payload?.requestId) return openApp('', 'the notification names no request');
  const id = payload.requestId;
  if (action !== 'approve' && action !== 'deny') return openApp(id, 'the notification itself was clicked');
  const device = await loadDevice().catch(() => null);
  if (!device) return openApp(id, 'this browser is not paired');
  try {
    const read = await asDevice(device, 'GET', `/approvals/${encodeURIComponent(id)}`);
    if (!read.ok) return openApp(id, `reading the request failed (${read.status})`);
    const request = (await read.json()) as ApprovalDetail;
    if (request.status !== 'pending') return openApp(id, `the request is ${request.status}`);
    if (request.kind === 'question') return openApp(id, 'a question needs an answer');
    if (request.workflow?.requireReason) return openApp(id, 'the workflow requires a comment');
    if (request.viewer && !request.viewer.canDecide) return openApp(id, 'this approver cannot decide it');
    const decided = await asDevice(device, 'POST', `/approvals/${encodeURIComponent(id)}/decide`, { decision: action });
    if (!decided.ok) return openApp(id, `the decision was refused (${decided.status})`);
    await scope.registration.showNotification(action === 'approve' ? 'Approved' : 'Denied', {
      tag: id,
      body: request.tool.name,
      icon: new URL('icons/icon-192.png', scopeUrl()).href,
    });
    await tellClients({ type: 'preloop-approval-changed', requestId: id });
    return { decided: action };
  } catch (error) {
    return openApp(id, `the decision failed: ${(error as Error).message}`);
  }
}

/** What a `pushsubscriptionchange` event carries (either may be null). */
interface SubscriptionChangeLike {
  oldSubscription: PushSubscription | null;
  newSubscription: PushSubscription | null;
}

/**
 * Handles a renewed or lost push subscription: subscribes again when the browser gave no new one (with the
 * server's VAPID key) and tells the server with the device's own key (`PATCH /devices/:id`), so pushes keep
 * arriving. Resolves with the endpoint registered, or null when this browser is not paired.
 *
 * @example
 * ```ts
 * await handleSubscriptionChange({ oldSubscription, newSubscription });
 * ```
 */
export async function handleSubscriptionChange(event: SubscriptionChangeLike): Promise<string | null> {
  const device = await loadDevice();
  if (!device) return null;
  let subscription = event.newSubscription;
  if (!subscription) {
    const config = (await (await fetch(`${device.apiUrl.replace(/\/$/, '')}/push/config`)).json()) as PushConfig;
    if (!config.webPush) throw new Error('The server no longer offers Web Push.');
    subscription = await scope.registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: fromBase64url(config.webPush.vapidPublicKey),
    });
  }
  const { endpoint, keys } = subscription.toJSON();
  const answer = await asDevice(device, 'PATCH', `/devices/${encodeURIComponent(device.id)}`, {
    push: { kind: 'web-push', subscription: { endpoint, keys: { p256dh: keys?.p256dh, auth: keys?.auth } } },
  });
  if (!answer.ok) throw new Error(`The server refused the new subscription (${answer.status}).`);
  return endpoint ?? null;
}

/** Network first for the page (the cached shell when offline); cache first for the content-hashed scripts and the icons. */
async function respond(request: Request): Promise<Response> {
  const cache = await caches.open(shellCache);
  const url = new URL(request.url);
  const immutable = /\/assets\/|\/icons\//.test(url.pathname);
  if (immutable) {
    const cached = await cache.match(request);
    if (cached) return cached;
  }
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request.mode === 'navigate' ? scopeUrl() : request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request.mode === 'navigate' ? scopeUrl() : request);
    if (cached) return cached;
    throw error;
  }
}

scope.addEventListener('install', (event: ExtendableEventLike) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(shellCache);
      await cache.addAll([scopeUrl(), new URL('manifest.webmanifest', scopeUrl()).href]);
      await scope.skipWaiting();
    })(),
  );
});
scope.addEventListener('activate', (event: ExtendableEventLike) => event.waitUntil(scope.clients.claim()));
scope.addEventListener('fetch', (event: ExtendableEventLike & { request: Request; respondWith(response: Promise<Response>): void }) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || !url.href.startsWith(scopeUrl())) return; // the API and everything else: straight to the network
  event.respondWith(respond(event.request));
});
scope.addEventListener('push', (event: PushEventLike) => event.waitUntil(handlePush(parsePayload(event))));
scope.addEventListener('notificationclick', (event: ExtendableEventLike & NotificationEventLike) =>
  event.waitUntil(handleNotificationClick(event)),
);
scope.addEventListener('pushsubscriptionchange', (event: ExtendableEventLike & SubscriptionChangeLike) =>
  event.waitUntil(handleSubscriptionChange(event)),
);
scope.preloopApproveWorker = { handlePush, handleNotificationClick, handleSubscriptionChange };
