import { NotifierError } from '@preloop/core';
import { importPKCS8, SignJWT, type CryptoKey } from 'jose';
import { retryAfterMs } from './retry-after.js';

/** The fields of a Google service-account key file (JSON) that FCM needs. */
export interface ServiceAccountKey {
  /** The service account's email: the assertion's `iss` and `sub`. */
  client_email: string;
  /** PKCS#8 PEM of the RSA key. Never logged. */
  private_key: string;
  /** The Firebase project id. */
  project_id: string;
  /** Where the assertion is exchanged. @default 'https://oauth2.googleapis.com/token' */
  token_uri?: string;
}

/** The OAuth 2 scope of FCM HTTP v1. */
export const fcmScope = 'https://www.googleapis.com/auth/firebase.messaging';

/** The JWT bearer grant type (RFC 7523). */
export const jwtBearerGrant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** A cached FCM access token. */
export interface FcmTokenSource {
  /** The current access token, exchanged again a minute before it expires. */
  get(signal: AbortSignal): Promise<string>;
  /** Drops a token FCM refused (401). */
  invalidate(token: string): void;
}

/**
 * Creates the FCM access-token source: an RS256 assertion (`iss`/`sub` the
 * service account, `scope` firebase.messaging, `aud` the token URI, one hour)
 * signed with `jose`, exchanged by the JWT bearer grant at `tokenUrl`, and
 * cached until a minute before `expires_in`.
 *
 * @example
 * ```ts
 * const tokens = createFcmTokenSource(async () => serviceAccount);
 * const accessToken = await tokens.get(AbortSignal.timeout(10_000));
 * ```
 */
export function createFcmTokenSource(
  account: () => Promise<ServiceAccountKey>,
  options: { tokenUrl?: string; fetch?: typeof fetch; clock?: () => number } = {},
): FcmTokenSource {
  const now = options.clock ?? Date.now;
  const send = options.fetch ?? globalThis.fetch;
  let current: { token: string; expiresAt: number } | null = null;
  let signer: { key: CryptoKey; email: string; tokenUrl: string } | null = null;

  async function exchange(signal: AbortSignal): Promise<string> {
    if (!signer) {
      const source = await account();
      signer = {
        key: await importPKCS8(source.private_key, 'RS256'),
        email: source.client_email,
        tokenUrl: options.tokenUrl ?? source.token_uri ?? 'https://oauth2.googleapis.com/token',
      };
    }
    const issuedAt = Math.floor(now() / 1000);
    const assertion = await new SignJWT({ scope: fcmScope })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(signer.email)
      .setSubject(signer.email)
      .setAudience(signer.tokenUrl)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + 3600)
      .sign(signer.key);
    const response = await send(signer.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: jwtBearerGrant, assertion }).toString(),
      signal,
    });
    const text = await response.text();
    if (!response.ok) {
      let code = '';
      try {
        code = String((JSON.parse(text) as { error?: unknown }).error ?? '');
      } catch {}
      throw new NotifierError(`fcm: the token endpoint answered ${response.status}${code ? ` ${code.slice(0, 60)}` : ''}`, {
        retryable: response.status >= 500 || response.status === 429,
        retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
      });
    }
    const answer = JSON.parse(text) as { access_token?: unknown; expires_in?: unknown };
    if (typeof answer.access_token !== 'string') throw new NotifierError('fcm: the token endpoint answered without access_token');
    const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in : 3600;
    current = { token: answer.access_token, expiresAt: now() + Math.max(0, lifetime - 60) * 1000 };
    return current.token;
  }

  return {
    async get(signal) {
      if (current && now() < current.expiresAt) return current.token;
      return exchange(signal);
    },
    invalidate(token) {
      if (current?.token === token) current = null;
    },
  };
}
