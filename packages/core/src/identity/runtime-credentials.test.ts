import { SignJWT, UnsecuredJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRuntimeCredentials, deriveRuntimeCredentialKey, runtimeCredentialType } from './runtime-credentials.js';

const secretKey = 'runtime-credential-test-secret-0123456789abcdef';
const credentials = createRuntimeCredentials({ secretKey, ttlSeconds: 900 });
const key = deriveRuntimeCredentialKey(secretKey);
const base = { accountId: 'acc_default', sessionId: 'rs_1', agentId: 'agt_1', subject: 'agt_1' };

function forge(
  overrides: {
    claims?: Record<string, unknown>;
    header?: Record<string, unknown>;
    key?: Uint8Array;
    iss?: string;
    aud?: string[];
    exp?: number | null;
    iat?: number;
  } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({ sid: 'rs_1', acc: 'acc_default', agt: 'agt_1', ...overrides.claims })
    .setProtectedHeader({ alg: 'HS256', typ: runtimeCredentialType, ...overrides.header })
    .setIssuer(overrides.iss ?? 'preloop')
    .setSubject('agt_1')
    .setAudience(overrides.aud ?? ['mcp', 'gateway'])
    .setIssuedAt(overrides.iat ?? now)
    .setJti('jti-1');
  if (overrides.exp !== null) jwt = jwt.setExpirationTime(overrides.exp ?? now + 600);
  return jwt.sign(overrides.key ?? key);
}

describe('runtime credentials', () => {
  it('issues an HS256 JWT with iss, sub, sid, agt, aud, exp and jti, and verifies it', async () => {
    const credential = await credentials.issue(base);
    const [header] = credential.token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: runtimeCredentialType });
    const claims = await credentials.verify(credential.token, { audience: 'mcp' });
    expect(claims).toMatchObject({ sub: 'agt_1', sid: 'rs_1', agt: 'agt_1', acc: 'acc_default', aud: ['mcp', 'gateway'] });
    expect(claims!.exp * 1000).toBe(credential.expiresAt);
    expect(claims!.jti).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(await credentials.verify(await forge())).not.toBeNull(); // the forge helper itself is sound
  });

  it('issues for a longer lifetime on request, clamped to [ttlSeconds, maxTtlSeconds]', async () => {
    const long = createRuntimeCredentials({ secretKey, ttlSeconds: 900, maxTtlSeconds: 7200 });
    const lifetime = async (issuer: typeof long, ttlSeconds?: number) => {
      const claims = await issuer.verify((await issuer.issue({ ...base, ...(ttlSeconds === undefined ? {} : { ttlSeconds }) })).token);
      return claims!.exp - claims!.iat;
    };
    expect(await lifetime(long)).toBe(900);
    expect(await lifetime(long, 3600)).toBe(3600);
    expect(await lifetime(long, 60)).toBe(900);
    expect(await lifetime(long, 1_000_000)).toBe(7200);
    // Without maxTtlSeconds, nothing lives longer than the TTL.
    expect(await lifetime(credentials, 3600)).toBe(900);
    // A (forged) token older than the maximum is refused, one within it accepted.
    const now = Math.floor(Date.now() / 1000);
    expect(await long.verify(await forge({ iat: now - 3600, exp: now + 600 }))).not.toBeNull();
    expect(await long.verify(await forge({ iat: now - 8000, exp: now + 600 }))).toBeNull();
  });

  it('refuses alg none', async () => {
    const unsigned = new UnsecuredJWT({ sid: 'rs_1', acc: 'acc_default' })
      .setIssuer('preloop')
      .setSubject('agt_1')
      .setAudience(['mcp'])
      .setIssuedAt()
      .setExpirationTime('10m')
      .setJti('j')
      .encode();
    expect(await credentials.verify(unsigned)).toBeNull();
    const [, payload, signature] = (await forge()).split('.');
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: runtimeCredentialType })).toString('base64url');
    expect(await credentials.verify(`${noneHeader}.${payload}.${signature}`)).toBeNull();
    expect(await credentials.verify(`${noneHeader}.${payload}.`)).toBeNull();
  });

  it('refuses a wrong audience when one is asked, and an audience that is not ours', async () => {
    const gatewayOnly = await credentials.issue({ ...base, audience: ['gateway'] });
    expect(await credentials.verify(gatewayOnly.token, { audience: 'mcp' })).toBeNull();
    expect(await credentials.verify(gatewayOnly.token, { audience: 'gateway' })).not.toBeNull();
    expect(await credentials.verify(await forge({ aud: ['https://other.example'] }))).toBeNull();
  });

  it('refuses a wrong issuer, a wrong typ, a missing exp, an expired token and a future iat', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await credentials.verify(await forge({ iss: 'evil' }))).toBeNull();
    expect(await credentials.verify(await forge({ header: { typ: 'JWT' } }))).toBeNull();
    expect(await credentials.verify(await forge({ exp: null }))).toBeNull();
    expect(await credentials.verify(await forge({ exp: now - 60, iat: now - 120 }))).toBeNull();
    expect(await credentials.verify(await forge({ iat: now + 3600, exp: now + 4000 }))).toBeNull();
    expect(await credentials.verify(await forge({ iat: now - 7200, exp: now + 600 }))).toBeNull(); // older than the TTL allows
    expect(await credentials.verify(await forge({ claims: { nbf: now + 3600 } }))).toBeNull(); // not valid yet
  });

  it('refuses a token signed with another key, or under another secret key', async () => {
    expect(await credentials.verify(await forge({ key: new TextEncoder().encode('x'.repeat(32)) }))).toBeNull();
    const other = createRuntimeCredentials({ secretKey: `${secretKey}-other`, ttlSeconds: 900 });
    expect(await credentials.verify((await other.issue(base)).token)).toBeNull();
    // The raw secret key is not the signing key (HKDF separates them).
    expect(await credentials.verify(await forge({ key: new TextEncoder().encode(secretKey) }))).toBeNull();
  });

  it('refuses HS512, RS-style headers and garbage', async () => {
    expect(await credentials.verify(await forge({ header: { alg: 'HS512' } }).catch(() => 'x.y.z'))).toBeNull();
    expect(await credentials.verify('not.a.jwt')).toBeNull();
    expect(await credentials.verify('x'.repeat(5000))).toBeNull();
    expect(await credentials.verify(await forge({ claims: { sid: 42 } }))).toBeNull();
  });

  describe('a remembered (already verified) token', () => {
    afterEach(() => vi.useRealTimers());

    it('is still refused once expired, and for an audience it lacks', async () => {
      const gatewayOnly = await credentials.issue({ ...base, audience: ['gateway'] });
      expect(await credentials.verify(gatewayOnly.token)).not.toBeNull(); // now remembered
      expect(await credentials.verify(gatewayOnly.token, { audience: 'mcp' })).toBeNull();
      expect(await credentials.verify(gatewayOnly.token, { audience: 'gateway' })).not.toBeNull();
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(gatewayOnly.expiresAt + 6_000);
      expect(await credentials.verify(gatewayOnly.token)).toBeNull();
    });

    it('returns a copy the caller cannot use to alter the cache', async () => {
      const { token } = await credentials.issue(base);
      const first = await credentials.verify(token);
      first!.aud.push('admin');
      first!.sid = 'rs_other';
      expect(await credentials.verify(token)).toMatchObject({ sid: 'rs_1', aud: ['mcp', 'gateway'] });
    });
  });
});
