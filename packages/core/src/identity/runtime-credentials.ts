import { createHash, hkdfSync } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { createToken } from '../ids.js';

/** The `iss` of every runtime credential. */
export const runtimeCredentialIssuer = 'preloop';

/** The JOSE `typ` header of runtime credentials (explicit typing, RFC 8725 §3.11). */
export const runtimeCredentialType = 'preloop-runtime+jwt';

/** The audiences a runtime credential may be bound to. */
export const runtimeAudiences = ['mcp', 'gateway'] as const;

/** An audience: `mcp` (the MCP endpoint) or `gateway` (the model gateway). */
export type RuntimeAudience = (typeof runtimeAudiences)[number];

/** The HKDF `info` that separates the credential signing key from every other use of the secret key. */
export const runtimeCredentialKeyInfo = 'preloop runtime credential';

/** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. */
export const runtimeCredentialClockToleranceSeconds = 5;

/**
 * The longest lifetime a runtime credential may be issued for, in seconds (24 h): a caller may ask for
 * longer than the kernel's TTL (a run with a long timeout whose process cannot be handed a fresh one), never
 * beyond this. Ending the session still revokes it at once.
 */
export const maxRuntimeCredentialTtlSeconds = 86_400;

/** A runtime credential: a short-lived JWT bound to one runtime session, its agent and an audience. */
export interface RuntimeCredential {
  /** The JWT, sent as `Authorization: Bearer <token>`. */
  token: string;
  /** When it stops being accepted (epoch ms); heartbeat for a fresh one. */
  expiresAt: number;
  audience: RuntimeAudience[];
}

/** The verified claims of a runtime credential. */
export interface RuntimeCredentialClaims {
  /** The agent, API key or user the session runs for. */
  sub: string;
  /** The runtime session. */
  sid: string;
  /** The managed agent, when the session belongs to one. */
  agt: string | null;
  /** The account. */
  acc: string;
  aud: string[];
  exp: number;
  iat: number;
  jti: string;
}

/** What {@link RuntimeCredentials.issue} takes. */
export interface IssueRuntimeCredentialInput {
  accountId: string;
  sessionId: string;
  agentId: string | null;
  subject: string;
  /** @default ['mcp', 'gateway'] */
  audience?: readonly RuntimeAudience[];
  /** Its lifetime in seconds, clamped to [`ttlSeconds`, `maxTtlSeconds`] of the options. @default the configured TTL */
  ttlSeconds?: number;
}

/** Issues and verifies runtime credentials (signature and claims only; the database check is the authenticator's). */
export interface RuntimeCredentials {
  /** Signs a new credential valid for the configured TTL. */
  issue(input: IssueRuntimeCredentialInput): Promise<RuntimeCredential>;
  /** Verifies signature, algorithm, type, issuer, expiry and (when given) audience; null when anything is wrong. */
  verify(token: string, options?: { audience?: string }): Promise<RuntimeCredentialClaims | null>;
}

/** Options of {@link createRuntimeCredentials}. */
export interface RuntimeCredentialOptions {
  /** The kernel's secret key; the signing key is derived from it with HKDF-SHA256. */
  secretKey: string;
  /** Lifetime of a credential, in seconds. @default 900 */
  ttlSeconds?: number;
  /**
   * The longest lifetime `issue` may be asked for (`ttlSeconds` of its input), in seconds; tokens whose
   * age exceeds it are refused. The kernel sets {@link maxRuntimeCredentialTtlSeconds}. @default `ttlSeconds`
   */
  maxTtlSeconds?: number;
  /**
   * Tokens whose signature was verified are remembered (by SHA-256, up to this
   * many), so a repeat only re-checks expiry and audience. 0 disables it.
   * @default 10000
   */
  verifiedTokenCacheSize?: number;
}

/**
 * Derives the HS256 signing key of runtime credentials from the secret key
 * (HKDF-SHA256, empty salt, info "preloop runtime credential", 32 bytes).
 *
 * @example
 * ```ts
 * const key = deriveRuntimeCredentialKey(process.env.PRELOOP_SECRET_KEY!);
 * ```
 */
export function deriveRuntimeCredentialKey(secretKey: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(
    hkdfSync('sha256', Buffer.from(secretKey, 'utf8'), Buffer.alloc(0), Buffer.from(runtimeCredentialKeyInfo, 'utf8'), 32),
  );
}

const maxTokenLength = 4096;

/**
 * Creates the issuer and verifier of runtime credentials.
 *
 * @example
 * ```ts
 * const credentials = createRuntimeCredentials({ secretKey, ttlSeconds: 900 });
 * const { token } = await credentials.issue({ accountId, sessionId, agentId, subject: agentId });
 * const claims = await credentials.verify(token, { audience: 'mcp' });
 * ```
 */
export function createRuntimeCredentials(options: RuntimeCredentialOptions): RuntimeCredentials {
  const key = deriveRuntimeCredentialKey(options.secretKey);
  // An imported CryptoKey spares jose a key import on every call.
  const cryptoKey = crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const ttlSeconds = options.ttlSeconds ?? 900;
  // Credentials may be issued for longer than the TTL, up to the maximum; the signed `exp` bounds each one.
  const maxTtlSeconds = Math.max(ttlSeconds, options.maxTtlSeconds ?? ttlSeconds);
  const maxTokenAgeSeconds = maxTtlSeconds + runtimeCredentialClockToleranceSeconds;
  const cacheSize = options.verifiedTokenCacheSize ?? 10_000;
  const verified = new Map<string, RuntimeCredentialClaims>();

  /** The time-bound checks jose made at first verification, repeated for a remembered token. */
  function stillValid(claims: RuntimeCredentialClaims, audience: string | undefined): boolean {
    const now = Date.now() / 1000;
    if (now - runtimeCredentialClockToleranceSeconds >= claims.exp) return false;
    if (now - claims.iat > maxTokenAgeSeconds) return false;
    return audience === undefined || claims.aud.includes(audience);
  }

  return {
    async issue(input) {
      const audience = [...(input.audience ?? runtimeAudiences)];
      const issuedAt = Math.floor(Date.now() / 1000);
      const lifetime =
        input.ttlSeconds === undefined || !Number.isFinite(input.ttlSeconds)
          ? ttlSeconds
          : Math.min(Math.max(Math.ceil(input.ttlSeconds), ttlSeconds), maxTtlSeconds);
      const expiresAt = issuedAt + lifetime;
      const token = await new SignJWT({ sid: input.sessionId, acc: input.accountId, ...(input.agentId ? { agt: input.agentId } : {}) })
        .setProtectedHeader({ alg: 'HS256', typ: runtimeCredentialType })
        .setIssuer(runtimeCredentialIssuer)
        .setSubject(input.subject)
        .setAudience(audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .setJti(createToken(16))
        .sign(await cryptoKey);
      return { token, expiresAt: expiresAt * 1000, audience };
    },

    async verify(token, verifyOptions = {}) {
      if (typeof token !== 'string' || token.length > maxTokenLength) return null;
      const tokenHash = cacheSize > 0 ? createHash('sha256').update(token).digest('base64url') : '';
      const remembered = cacheSize > 0 ? verified.get(tokenHash) : undefined;
      if (remembered) {
        if (stillValid(remembered, verifyOptions.audience)) return { ...remembered, aud: [...remembered.aud] };
        verified.delete(tokenHash);
        return null;
      }
      try {
        const { payload } = await jwtVerify(token, await cryptoKey, {
          algorithms: ['HS256'],
          issuer: runtimeCredentialIssuer,
          typ: runtimeCredentialType,
          requiredClaims: ['exp', 'iat', 'jti', 'sub', 'aud'],
          clockTolerance: runtimeCredentialClockToleranceSeconds,
          maxTokenAge: maxTokenAgeSeconds,
          ...(verifyOptions.audience === undefined ? {} : { audience: verifyOptions.audience }),
        });
        const { sid, acc, agt, sub, exp, iat, jti } = payload as Record<string, unknown>;
        const aud = typeof payload.aud === 'string' ? [payload.aud] : payload.aud;
        if (typeof sid !== 'string' || typeof acc !== 'string' || typeof sub !== 'string' || typeof jti !== 'string') return null;
        if (agt !== undefined && typeof agt !== 'string') return null;
        if (!Array.isArray(aud) || !aud.some((value) => (runtimeAudiences as readonly string[]).includes(value))) return null;
        const claims: RuntimeCredentialClaims = {
          sid,
          acc,
          agt: agt ?? null,
          sub,
          aud: aud as string[],
          exp: exp as number,
          iat: iat as number,
          jti,
        };
        if (cacheSize > 0) {
          if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
          verified.set(tokenHash, claims);
        }
        return { ...claims, aud: [...claims.aud] };
      } catch {
        return null;
      }
    },
  };
}
