import { importPKCS8, SignJWT, type CryptoKey } from 'jose';

/** What an APNs provider token is made from (App Store Connect → Keys). */
export interface ApnsKey {
  /** The `.p8` file's content (PKCS#8 PEM of a P-256 key). Never logged. */
  privateKey: string;
  /** The key's 10-character Key ID (JWT header `kid`). */
  keyId: string;
  /** The 10-character Team ID (JWT claim `iss`). */
  teamId: string;
}

/** A cached APNs provider token. */
export interface ApnsTokenSource {
  /** The current token, minted again once it is `refreshAfterMs` old. */
  get(): Promise<string>;
  /** Drops the token after APNs answered `ExpiredProviderToken`: the next `get` mints a new one. */
  invalidate(token: string): void;
}

/** Apple accepts a token for an hour and refuses new ones more often than every 20 minutes: refresh at 50 minutes. */
export const apnsTokenRefreshMs = 50 * 60_000;

/**
 * Creates the APNs provider-token source: an ES256 JWT, header `{ alg:
 * 'ES256', kid: keyId }`, claims `{ iss: teamId, iat }`, signed with the
 * `.p8` key by `jose`, cached and minted again after 50 minutes (Apple
 * rejects tokens older than an hour, `ExpiredProviderToken`, and refuses
 * refreshes more often than every 20 minutes, `TooManyProviderTokenUpdates`).
 *
 * @example
 * ```ts
 * const tokens = createApnsTokenSource(async () => ({ privateKey: p8, keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ' }));
 * const jwt = await tokens.get();
 * ```
 */
export function createApnsTokenSource(key: () => Promise<ApnsKey>, clock: () => number = Date.now): ApnsTokenSource {
  let current: { token: string; issuedAt: number } | null = null;
  let minting: Promise<string> | null = null;
  let signer: { key: CryptoKey; keyId: string; teamId: string } | null = null;

  async function mint(): Promise<string> {
    if (!signer) {
      const source = await key();
      signer = { key: await importPKCS8(source.privateKey, 'ES256'), keyId: source.keyId, teamId: source.teamId };
    }
    const issuedAt = clock();
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: signer.keyId })
      .setIssuer(signer.teamId)
      .setIssuedAt(Math.floor(issuedAt / 1000))
      .sign(signer.key);
    current = { token, issuedAt };
    return token;
  }

  return {
    async get() {
      if (current && clock() - current.issuedAt < apnsTokenRefreshMs) return current.token;
      minting ??= mint().finally(() => {
        minting = null;
      });
      return minting;
    },
    invalidate(token) {
      if (current?.token === token) current = null;
    },
  };
}
