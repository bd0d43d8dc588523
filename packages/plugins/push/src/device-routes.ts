import { defineRoute, PreloopError, roles, type AdminRoute, type Preloop, type Principal, type Role } from '@preloop/core';
import { importJWK } from 'jose';
import type { PushDevice, PushTarget } from './device-store.js';
import {
  deviceAnswerSchema,
  deviceListSchema,
  listDevicesQuerySchema,
  pairingSchema,
  pushConfigSchema,
  registerDeviceBodySchema,
  updateDeviceBodySchema,
  type DeviceView,
} from './device-schemas.js';
import { userPrincipal } from './device-auth.js';
import type { PushRuntime } from './push-runtime.js';

/**
 * A device as the API shows it: no push target, no key.
 *
 * @example
 * ```ts
 * const view = toDeviceView(device);
 * ```
 */
export function toDeviceView(device: PushDevice): DeviceView {
  return {
    id: device.id,
    userId: device.userId,
    name: device.name,
    platform: device.platform,
    pushKind: device.push.kind,
    createdAt: device.createdAt,
    lastSeenAt: device.lastSeenAt,
    revokedAt: device.revokedAt,
    revokedReason: device.revokedReason,
  };
}

/** True when `role` is admin or owner. */
function isAdmin(role: Role | null): boolean {
  return role !== null && roles.indexOf(role) <= roles.indexOf('admin');
}

function invalid(path: string, message: string): PreloopError {
  return new PreloopError('VALIDATION_ERROR', `${path}: ${message}`, { details: { issues: [{ path, message }] } });
}

/** Cookie-authenticated registrations must come from the console's own origin (the route is public for pairing tokens, so the kernel's CSRF check does not run). */
function checkSameOrigin(request: Request, preloop: Preloop): void {
  if (request.headers.has('authorization')) return;
  const origin = request.headers.get('origin');
  const host = request.headers.get('host') ?? new URL(request.url).host;
  if (origin !== null && (preloop.options.trustedOrigins ?? []).includes(origin)) return;
  if (origin !== null && origin !== 'null' && new URL(origin).host === host) return;
  if (origin === null && request.headers.get('sec-fetch-site') !== 'cross-site') return;
  throw new PreloopError('FORBIDDEN', 'Cross-origin request refused: register from the approval app or with a pairing token.');
}

async function checkTarget(runtime: PushRuntime, push: PushTarget): Promise<void> {
  if (!runtime.kinds.has(push.kind)) {
    const enabled = [...runtime.kinds].join(', ') || 'none';
    throw invalid('push.kind', `this server does not send ${push.kind} pushes (enabled: ${enabled})`);
  }
  if (push.kind === 'web-push' && !runtime.allowsEndpoint(new URL(push.subscription.endpoint))) {
    throw invalid('push.subscription.endpoint', 'must be an https URL of a known push service (plugins.push.webPush.endpointHosts)');
  }
}

async function checkKey(jwk: Record<string, unknown>): Promise<void> {
  try {
    await importJWK(jwk as Parameters<typeof importJWK>[0], 'ES256');
  } catch {
    throw invalid('publicKeyJwk', 'is not a valid P-256 public key');
  }
}

function normalize(push: PushTarget): PushTarget {
  return push.kind === 'apns' ? { ...push, environment: push.environment ?? 'production' } : push;
}

/**
 * The device routes of the push plugin, under `/api/v1` (docs/mobile-approvals.md):
 * `POST /devices/pairings`, `POST /devices`, `GET /devices`,
 * `PATCH /devices/:id` (device-authenticated), `DELETE /devices/:id`, and
 * the public `GET /push/config`.
 *
 * @example
 * ```ts
 * definePlugin({ id: 'push', routes: deviceRoutes(runtime) });
 * ```
 */
export function deviceRoutes(runtime: PushRuntime): AdminRoute[] {
  const store = () => runtime.store();

  async function ownDevice(principal: Principal, id: string): Promise<PushDevice> {
    const device = await store().find(id);
    const mayManage =
      device &&
      device.accountId === principal.accountId &&
      (device.userId === principal.userId || (!principal.via && isAdmin(principal.role)));
    if (!device || !mayManage) throw new PreloopError('NOT_FOUND', `No device ${id}.`);
    return device;
  }

  return [
    defineRoute({
      method: 'POST',
      path: '/devices/pairings',
      summary: 'Create a single-use pairing token (10 minutes) and the approval-app URL to show as a QR code',
      tag: 'devices',
      access: { role: 'viewer', principals: ['user'] },
      status: 201,
      response: pairingSchema,
      async handler({ principal, request }) {
        if (principal!.via) throw new PreloopError('FORBIDDEN', 'A paired device cannot pair another device.');
        const { token, expiresAt } = await store().createPairing(principal!.accountId, principal!.userId!);
        const base = (runtime.publicUrl ?? new URL(request.url).origin).replace(/\/$/, '');
        return { token, url: `${base}${runtime.appPath}#pair=${token}`, expiresAt };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/devices',
      summary: 'Register a device (with a pairing token, or from a signed-in console session): its push target and public key',
      tag: 'devices',
      access: 'public',
      body: registerDeviceBodySchema,
      status: 201,
      response: deviceAnswerSchema,
      errors: [401, 403, 409],
      async handler({ preloop, request, body }) {
        const push = normalize(body.push as PushTarget);
        await checkTarget(runtime, push);
        await checkKey(body.publicKeyJwk);
        const input = { name: body.name, platform: body.platform, push, publicKeyJwk: body.publicKeyJwk };
        let device: PushDevice;
        let actor: Principal | { type: 'system'; name: string };
        if (body.pairingToken !== undefined) {
          device = await store().registerWithPairing(body.pairingToken, input);
          // The user who showed the QR code acts, through the pairing token.
          actor = (await userPrincipal(preloop, device.accountId, device.userId, 'pairing')) ?? { type: 'system', name: 'push pairing' };
        } else {
          const principal = await preloop.authenticate(request);
          if (!principal)
            throw new PreloopError('UNAUTHENTICATED', 'Authentication required: send a pairingToken or sign in to the console.');
          if (principal.type !== 'user' || principal.via) {
            throw new PreloopError('FORBIDDEN', 'Only a signed-in console user (or a pairing token) registers a device.');
          }
          checkSameOrigin(request, preloop);
          device = await store().register({ ...input, accountId: principal.accountId, userId: principal.userId! });
          actor = principal;
        }
        await preloop.audit.record({
          accountId: device.accountId,
          actor,
          action: 'push.device-register',
          target: { type: 'device', id: device.id },
          outcome: 'success',
          data: {
            userId: device.userId,
            name: device.name,
            platform: device.platform,
            pushKind: device.push.kind,
            paired: body.pairingToken !== undefined,
          },
        });
        return { device: toDeviceView(device) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/devices',
      summary: 'List your paired devices (admins: ?userId= or ?all=true)',
      tag: 'devices',
      access: { role: 'viewer' },
      query: listDevicesQuerySchema,
      response: deviceListSchema,
      async handler({ principal, query }) {
        const other = query.all === 'true' || (query.userId !== undefined && query.userId !== principal!.userId);
        if (other && (!isAdmin(principal!.role) || principal!.via)) {
          throw new PreloopError('FORBIDDEN', 'Listing other users’ devices needs the admin role or higher.');
        }
        const userId = query.all === 'true' ? undefined : (query.userId ?? principal!.userId ?? '');
        const devices = await store().list(principal!.accountId, userId === undefined ? {} : { userId });
        return { items: devices.map(toDeviceView) };
      },
    }),
    defineRoute({
      method: 'PATCH',
      path: '/devices/:id',
      summary: 'Rename a device or refresh its push subscription or token (the device itself, with its device credential)',
      tag: 'devices',
      access: { role: 'viewer', principals: ['user'] },
      body: updateDeviceBodySchema,
      response: deviceAnswerSchema,
      errors: [404],
      async handler({ principal, params, body }) {
        const device = await ownDevice(principal!, params.id!);
        if (principal!.via !== `device:${device.id}`) {
          throw new PreloopError(
            'FORBIDDEN',
            'Only the device itself updates its push target: sign the request with its device credential.',
          );
        }
        if (device.revokedAt !== null) throw new PreloopError('NOT_FOUND', `No device ${device.id}.`);
        const push = body.push === undefined ? undefined : normalize(body.push as PushTarget);
        if (push && push.kind !== device.push.kind)
          throw invalid('push.kind', `must stay ${device.push.kind} (pair again to change transport)`);
        if (push) await checkTarget(runtime, push);
        const updated = await store().update(device.id, {
          ...(body.name === undefined ? {} : { name: body.name }),
          ...(push ? { push } : {}),
        });
        return { device: toDeviceView(updated) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/devices/:id',
      summary: 'Revoke a device: its credential stops working at once on every instance, and it gets no more pushes (own device, or admin)',
      tag: 'devices',
      // No principals list: an API key needs the admin:write scope (the kernel checks it).
      access: { role: 'viewer' },
      status: 204,
      response: null,
      errors: [404],
      async handler({ preloop, principal, params }) {
        const device = await ownDevice(principal!, params.id!);
        const reason = device.userId === principal!.userId ? 'user' : 'admin';
        if (await store().revoke(device.id, reason)) {
          await preloop.audit.record({
            accountId: device.accountId,
            actor: principal!,
            action: 'push.device-revoke',
            target: { type: 'device', id: device.id },
            outcome: 'success',
            data: { userId: device.userId, name: device.name, reason, via: principal!.via ?? null },
          });
        }
        return new Response(null, { status: 204 });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/push/config',
      summary: 'What the approval app needs to subscribe: the VAPID public key (null without Web Push) and which native transports are on',
      tag: 'devices',
      access: 'public',
      response: pushConfigSchema,
      async handler() {
        const vapid = runtime.kinds.has('web-push') ? await runtime.vapidPublicKey() : null;
        return { webPush: vapid ? { vapidPublicKey: vapid } : null, apns: runtime.kinds.has('apns'), fcm: runtime.kinds.has('fcm') };
      },
    }),
  ];
}
