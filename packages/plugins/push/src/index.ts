/**
 * `@preloop/plugin-push`: mobile approvals. Device pairing by QR code, a
 * device-bound credential (`Authorization: PreloopDevice <jwt>`, ES256), and
 * approval notifications by Web Push (VAPID, RFC 8291), APNs (HTTP/2, token
 * auth) and FCM HTTP v1, all through the approvals outbox. Payloads carry an
 * id and a short title, never the arguments.
 *
 * @packageDocumentation
 */
export { push, generatedVapidSecretName } from './push-plugin.js';
export type { PushOptions, PushSecret } from './push-plugin.js';
export { createWebPushNotifier } from './web-push-notifier.js';
export type { VapidKeys, WebPushNotifierOptions } from './web-push-notifier.js';
export { createApnsNotifier, toApnsPayload, apnsHosts, apnsCategory } from './apns-notifier.js';
export type { ApnsNotifierOptions } from './apns-notifier.js';
export { createApnsTokenSource, apnsTokenRefreshMs } from './apns-token.js';
export type { ApnsKey, ApnsTokenSource } from './apns-token.js';
export { createFcmNotifier, toFcmMessage, fcmChannelId } from './fcm-notifier.js';
export type { FcmNotifierOptions } from './fcm-notifier.js';
export { createFcmTokenSource, fcmScope, jwtBearerGrant } from './fcm-token.js';
export type { FcmTokenSource, ServiceAccountKey } from './fcm-token.js';
export { toPushPayload, defaultPushPriority, pushBody, collapseKey } from './push-payload.js';
export type { PushPayload, PushPriority, PushPriorityRule } from './push-payload.js';
export { fanOut, DeviceGoneError } from './device-fanout.js';
export type { PushDeviceDirectory } from './device-fanout.js';
export { createDeviceStore } from './device-store.js';
export type {
  DeviceStore,
  DeviceStoreOptions,
  DevicePlatform,
  PushDevice,
  PushKind,
  PushTarget,
  RegisterDeviceInput,
} from './device-store.js';
export { authenticateDevice, userPrincipal, deviceJwtType, deviceAuthScheme, deviceJwtMaxSkewSeconds } from './device-auth.js';
export type { DeviceAuthDependencies } from './device-auth.js';
export { deviceRoutes, toDeviceView } from './device-routes.js';
export {
  deviceViewSchema,
  deviceAnswerSchema,
  deviceListSchema,
  devicePublicKeySchema,
  pairingSchema,
  pushConfigSchema,
  pushTargetSchema,
  registerDeviceBodySchema,
  updateDeviceBodySchema,
  listDevicesQuerySchema,
  webPushSubscriptionSchema,
} from './device-schemas.js';
export type { DeviceView } from './device-schemas.js';
export { endpointCheck, defaultPushServiceHosts } from './push-runtime.js';
export type { PushRuntime } from './push-runtime.js';
export { pushMigrations } from './push-tables.js';
export type { PushTables } from './push-tables.js';
export { retryAfterMs } from './retry-after.js';
