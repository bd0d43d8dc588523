import { randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/** Options of {@link signDeviceJwt}: what a test changes to make a bad credential. */
export interface DeviceJwtOptions {
  /** @default now */
  iat?: number;
  /** @default a random UUID */
  jti?: string;
  /** @default the request's URL without query */
  htu?: string;
}

/**
 * Signs a device credential as the approval app does (docs/mobile-approvals.md):
 * a compact JWS, header `{ alg: 'ES256', typ: 'preloop-device+jwt', kid }`,
 * payload `{ htm, htu, iat, jti }`.
 */
export async function signDeviceJwt(
  privateKey: KeyObject,
  kid: string,
  method: string,
  url: string,
  options: DeviceJwtOptions = {},
): Promise<string> {
  const target = new URL(url);
  return new SignJWT({ htm: method, htu: options.htu ?? `${target.origin}${target.pathname}` })
    .setProtectedHeader({ alg: 'ES256', typ: 'preloop-device+jwt', kid })
    .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
    .setJti(options.jti ?? randomUUID())
    .sign(privateKey);
}
