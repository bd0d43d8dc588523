import { z } from 'zod';

const base64url = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url')
    .refine((value) => Buffer.from(value, 'base64url').length === bytes, `must encode ${bytes} bytes`);

/** The device's ES256 public key as WebCrypto exports it (`crypto.subtle.exportKey('jwk', publicKey)`); a private part (`d`) is refused. */
export const devicePublicKeySchema = z
  .strictObject({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: base64url(32),
    y: base64url(32),
    ext: z.boolean().optional(),
    key_ops: z.array(z.string()).optional(),
    alg: z.literal('ES256').optional(),
    kid: z.string().max(200).optional(),
    use: z.literal('sig').optional(),
  })
  .describe('The device’s ES256 (P-256) public key as a JWK; never the private key');

/** A Web Push subscription as `PushSubscription.toJSON()` gives it. */
export const webPushSubscriptionSchema = z.object({
  endpoint: z.url({ protocol: /^https?$/ }).max(2000),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({ p256dh: base64url(65), auth: base64url(16) }),
});

/** Where a device receives pushes, by transport. */
export const pushTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('web-push'), subscription: webPushSubscriptionSchema }),
  z.strictObject({
    kind: z.literal('apns'),
    token: z.string().regex(/^[0-9a-fA-F]{64,200}$/, 'must be the APNs device token in hex'),
    environment: z.enum(['sandbox', 'production']).optional().describe('The APNs environment of the build @default production'),
  }),
  z.strictObject({
    kind: z.literal('fcm'),
    token: z.string().regex(/^[A-Za-z0-9_:.-]{20,4096}$/, 'must be an FCM registration token'),
  }),
]);

/** `POST /devices` */
export const registerDeviceBodySchema = z.strictObject({
  pairingToken: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('The single-use token of the pairing QR code; without it, a signed-in console session registers'),
  name: z.string().trim().min(1).max(100).describe('What the owner calls the device, for example “Ann’s iPhone”'),
  platform: z.enum(['web', 'ios', 'android']),
  publicKeyJwk: devicePublicKeySchema,
  push: pushTargetSchema,
});

/** `PATCH /devices/:id` (device-authenticated) */
export const updateDeviceBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  push: pushTargetSchema.optional().describe('A refreshed subscription or token (same kind as registered)'),
});

/** `GET /devices` */
export const listDevicesQuerySchema = z.strictObject({
  userId: z.string().min(1).max(100).optional().describe('Another user’s devices (admin or owner)'),
  all: z.enum(['true', 'false']).optional().describe('Every device of the account (admin or owner)'),
});

/** A paired device as the API shows it: never its push target or key. */
export const deviceViewSchema = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  platform: z.enum(['web', 'ios', 'android']),
  pushKind: z.enum(['web-push', 'apns', 'fcm']),
  createdAt: z.number(),
  lastSeenAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
  revokedReason: z.string().nullable(),
});

/** A paired device as the API shows it. */
export type DeviceView = z.output<typeof deviceViewSchema>;

/** `POST /devices/pairings` → 201 */
export const pairingSchema = z.object({
  token: z.string().describe('Single use; shown once'),
  url: z.string().describe('`<publicUrl>/approve/#pair=<token>`, for the QR code'),
  expiresAt: z.number(),
});

/** `GET /push/config` */
export const pushConfigSchema = z.object({
  webPush: z.object({ vapidPublicKey: z.string() }).nullable(),
  apns: z.boolean(),
  fcm: z.boolean(),
});

/** `POST /devices` → 201, `PATCH /devices/:id` */
export const deviceAnswerSchema = z.object({ device: deviceViewSchema });

/** `GET /devices` */
export const deviceListSchema = z.object({ items: z.array(deviceViewSchema) });
