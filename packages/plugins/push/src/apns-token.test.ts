import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { expect, it } from 'vitest';
import { apnsTokenRefreshMs, createApnsTokenSource } from './apns-token.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const key = { privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ' };

it('signs an ES256 provider token (kid, iss, iat), reuses it for 50 minutes, then mints a new one; invalidate forces one', async () => {
  let now = Date.UTC(2026, 11, 3, 12, 0);
  const tokens = createApnsTokenSource(
    async () => key,
    () => now,
  );
  const first = await tokens.get();
  expect(decodeProtectedHeader(first)).toEqual({ alg: 'ES256', kid: 'ABC123DEFG' });
  expect(decodeJwt(first)).toEqual({ iss: 'DEF123GHIJ', iat: now / 1000 });
  await jwtVerify(first, publicKey, { issuer: 'DEF123GHIJ', currentDate: new Date(now) });
  now += apnsTokenRefreshMs - 1000;
  expect(await tokens.get()).toBe(first);
  now += 1000;
  const second = await tokens.get();
  expect(second).not.toBe(first);
  expect(decodeJwt(second).iat).toBe(now / 1000);
  // Apple refuses a refresh more often than every 20 minutes; 50 minutes stays clear of both limits.
  expect(apnsTokenRefreshMs).toBeGreaterThan(20 * 60_000);
  expect(apnsTokenRefreshMs).toBeLessThan(60 * 60_000);
  now += 60_000;
  tokens.invalidate(second);
  expect(await tokens.get()).not.toBe(second);
});
