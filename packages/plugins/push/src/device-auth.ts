import { PreloopError, toUserPrincipal, type Preloop, type Principal } from '@preloop/core';
import { decodeProtectedHeader, importJWK, jwtVerify, type JWTPayload } from 'jose';
import type { DeviceStore } from './device-store.js';

/** The `typ` header of a device JWT. */
export const deviceJwtType = 'preloop-device+jwt';

/** The authorization scheme of device-authenticated requests: `Authorization: PreloopDevice <jwt>`. */
export const deviceAuthScheme = 'PreloopDevice';

/** How far a device JWT's `iat` may be from the server's clock, in seconds. */
export const deviceJwtMaxSkewSeconds = 60;

const schemePattern = /^PreloopDevice[ \t]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)[ \t]*$/i;

/**
 * What a device credential may call, below the admin API path: the approval
 * routes (list, read, decide) and its own device (refresh the push target,
 * unregister). Anything else refuses the credential, so a phone's key is
 * never an admin key.
 */
const allowedRoutes: Array<{ method: string; path: RegExp }> = [
  { method: 'GET', path: /^\/approvals$/ },
  { method: 'GET', path: /^\/approvals\/[^/]+$/ },
  { method: 'POST', path: /^\/approvals\/[^/]+\/decide$/ },
  { method: 'PATCH', path: /^\/devices\/[^/]+$/ },
  { method: 'DELETE', path: /^\/devices\/[^/]+$/ },
];

/** What {@link authenticateDevice} needs. */
export interface DeviceAuthDependencies {
  preloop: Preloop;
  store: DeviceStore;
  /** The public URL the devices see (behind a proxy); `htu` may name it instead of the URL the server received. @default null */
  publicUrl: string | null;
  /** The admin API path prefix. @default '/api/v1' */
  apiPath?: string;
  /** The clock, epoch ms (tests). @default Date.now */
  clock?: () => number;
}

function refuse(reason: string): never {
  throw new PreloopError('UNAUTHENTICATED', `Device credential refused: ${reason}.`);
}

function expectedHtus(request: Request, publicUrl: string | null): string[] {
  const url = new URL(request.url);
  const urls = [`${url.origin}${url.pathname}`];
  if (publicUrl) {
    const base = new URL(publicUrl);
    urls.push(`${base.origin}${url.pathname}`);
  }
  return urls;
}

/**
 * The push plugin's `authenticate` hook: verifies `Authorization:
 * PreloopDevice <jwt>` (ES256, `typ` `preloop-device+jwt`, `kid` = the
 * device id) against the device's stored public key; the device must be
 * active and its user enabled, `iat` within 60 s of the server's clock,
 * `htm`/`htu` the request's method and URL (without query), and `jti` never
 * seen before on any instance. It answers the device's user as principal
 * (every approval rule applies) with `via: 'device:<id>'`, and only for the
 * approval routes and the device's own routes. Requests without that scheme
 * return null (other credentials decide); a bad device credential is a 401
 * naming why.
 *
 * @example
 * ```ts
 * const principal = await authenticateDevice(request, { preloop, store, publicUrl: null });
 * ```
 */
export async function authenticateDevice(request: Request, deps: DeviceAuthDependencies): Promise<Principal | null> {
  const authorization = request.headers.get('authorization');
  if (authorization === null || !/^PreloopDevice[ \t]/i.test(authorization)) return null;
  const jwt = schemePattern.exec(authorization)?.[1] ?? refuse('the header must be "PreloopDevice <compact JWS>"');
  const now = (deps.clock ?? Date.now)();
  const apiPath = (deps.apiPath ?? '/api/v1').replace(/\/$/, '');
  const url = new URL(request.url);
  const below = url.pathname.startsWith(`${apiPath}/`) ? url.pathname.slice(apiPath.length) : null;
  if (below === null || !allowedRoutes.some((route) => route.method === request.method && route.path.test(below))) {
    refuse(`a device may not call ${request.method} ${url.pathname}`);
  }

  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    refuse('the JWS header is unreadable');
  }
  if (header.alg !== 'ES256') refuse('alg must be ES256');
  if (header.typ !== deviceJwtType) refuse(`typ must be ${deviceJwtType}`);
  if (typeof header.kid !== 'string' || !header.kid.startsWith('dev_')) refuse('kid must be the device id');

  const device = await deps.store.find(header.kid);
  if (!device || device.revokedAt !== null) refuse('the device is unknown or revoked');

  let payload: JWTPayload;
  try {
    const key = await importJWK(device.publicKeyJwk as Parameters<typeof importJWK>[0], 'ES256');
    ({ payload } = await jwtVerify(jwt, key, {
      algorithms: ['ES256'],
      typ: deviceJwtType,
      currentDate: new Date(now),
      clockTolerance: 60,
    }));
  } catch {
    refuse('the signature does not verify with the device key');
  }
  if (typeof payload.iat !== 'number' || Math.abs(now / 1000 - payload.iat) > deviceJwtMaxSkewSeconds) {
    refuse(`iat must be within ${deviceJwtMaxSkewSeconds} s of the server's clock`);
  }
  if (payload.htm !== request.method) refuse('htm does not match the request method');
  if (typeof payload.htu !== 'string' || !expectedHtus(request, deps.publicUrl).includes(payload.htu)) {
    refuse('htu does not match the request URL');
  }
  if (typeof payload.jti !== 'string' || payload.jti.length < 16 || payload.jti.length > 200)
    refuse('jti must be a random string of 16 to 200 characters');

  const keepUntil = (payload.iat + deviceJwtMaxSkewSeconds) * 1000 + deviceJwtMaxSkewSeconds * 1000;
  if (!(await deps.store.claimJti(device.id, payload.jti, keepUntil))) refuse('the jti was used before (a replay)');
  const principal = await userPrincipal(deps.preloop, device.accountId, device.userId, `device:${device.id}`);
  if (!principal) refuse('the device’s user is disabled or gone');
  await deps.store.touch(device.id);
  return principal;
}

/**
 * The principal of an enabled user acting through `via` (a device, a pairing
 * token), or null when the user is gone or disabled.
 *
 * @example
 * ```ts
 * const principal = await userPrincipal(preloop, accountId, userId, 'device:dev_…');
 * ```
 */
export async function userPrincipal(preloop: Preloop, accountId: string, userId: string, via: string): Promise<Principal | null> {
  const user = await preloop.identity.users.find(accountId, userId);
  if (!user || user.disabled) return null;
  return toUserPrincipal(user, { teamIds: await preloop.identity.teams.teamIdsOf(user.accountId, user.id), via });
}
