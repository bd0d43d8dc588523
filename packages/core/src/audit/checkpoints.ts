import { createHash, createPrivateKey, createPublicKey, hkdfSync, sign, verify, type KeyObject } from 'node:crypto';
import { PreloopError } from '../errors.js';

/** What a checkpoint signs: the chain head of one account at one position. */
export interface CheckpointPayload {
  accountId: string;
  /** The seq of the last record covered. */
  seq: number;
  /** That record's hash. */
  hash: string;
}

/** The public half of the checkpoint key, for verifying checkpoints outside Preloop. */
export interface CheckpointPublicKey {
  /** Always `Ed25519`. */
  algorithm: 'Ed25519';
  /** The first 16 hex characters of SHA-256 over the raw 32-byte public key. */
  keyId: string;
  /** SPKI PEM. */
  pem: string;
  /** The raw 32-byte public key, base64. */
  raw: string;
}

/** Signs and verifies audit checkpoints with an Ed25519 key derived from the secret key. */
export interface CheckpointSigner {
  /** The key id written next to each signature. */
  readonly keyId: string;
  /** The public key of the current secret key. */
  readonly publicKey: CheckpointPublicKey;
  /** Signs a checkpoint with the current key; base64 signature. */
  sign(payload: CheckpointPayload): string;
  /** Verifies a signature made under `keyId` by the current or a previous secret key. False for an unknown key id. */
  verify(payload: CheckpointPayload, keyId: string, signature: string): boolean;
  /** True when `keyId` is the current or a previous key. */
  knows(keyId: string): boolean;
}

// PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows (RFC 8410).
const pkcs8Ed25519Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
const seedSalt = Buffer.from('preloop/audit-checkpoints/v1', 'utf8');
const seedInfo = Buffer.from('preloop/audit/ed25519-seed', 'utf8');

/**
 * Derives the Ed25519 checkpoint key pair from a secret key (HKDF-SHA256 →
 * 32-byte seed), so every instance sharing the secret key signs with the same key.
 *
 * @example
 * ```ts
 * const { privateKey, publicKey } = deriveCheckpointKeyPair(process.env.PRELOOP_SECRET_KEY!);
 * ```
 */
export function deriveCheckpointKeyPair(secretKey: string): {
  privateKey: KeyObject;
  publicKey: CheckpointPublicKey;
  publicKeyObject: KeyObject;
} {
  if (typeof secretKey !== 'string' || secretKey.length === 0) {
    throw new PreloopError('CONFIGURATION_ERROR', 'secretKey: a non-empty secret key is required to sign audit checkpoints.');
  }
  const seed = Buffer.from(hkdfSync('sha256', Buffer.from(secretKey, 'utf8'), seedSalt, seedInfo, 32));
  const privateKey = createPrivateKey({ key: Buffer.concat([pkcs8Ed25519Prefix, seed]), format: 'der', type: 'pkcs8' });
  seed.fill(0);
  const publicKeyObject = createPublicKey(privateKey);
  const raw = (publicKeyObject.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32);
  return {
    privateKey,
    publicKeyObject,
    publicKey: {
      algorithm: 'Ed25519',
      keyId: createHash('sha256').update(raw).digest('hex').slice(0, 16),
      pem: publicKeyObject.export({ format: 'pem', type: 'spki' }).toString(),
      raw: raw.toString('base64'),
    },
  };
}

/**
 * The exact bytes a checkpoint signature covers:
 * `preloop-audit-checkpoint/v1\n<accountId>\n<seq>\n<hash>`.
 *
 * @example
 * ```ts
 * checkpointMessage({ accountId: 'acc_default', seq: 1000, hash }); // Buffer
 * ```
 */
export function checkpointMessage(payload: CheckpointPayload): Buffer {
  return Buffer.from(`preloop-audit-checkpoint/v1\n${payload.accountId}\n${payload.seq}\n${payload.hash}`, 'utf8');
}

/**
 * Verifies a checkpoint signature with a public key (PEM, or raw 32 bytes in
 * base64), for external verifiers that hold only the published key.
 *
 * @example
 * ```ts
 * const ok = verifyCheckpoint(publicKeyPem, { accountId, seq, hash }, signature);
 * ```
 */
export function verifyCheckpoint(publicKey: string | KeyObject, payload: CheckpointPayload, signature: string): boolean {
  try {
    const key =
      typeof publicKey !== 'string'
        ? publicKey
        : publicKey.includes('BEGIN PUBLIC KEY')
          ? createPublicKey(publicKey)
          : createPublicKey({
              key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKey, 'base64')]),
              format: 'der',
              type: 'spki',
            });
    return verify(null, checkpointMessage(payload), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Creates the checkpoint signer for a secret key; previous secret keys still
 * verify the checkpoints they signed.
 *
 * @example
 * ```ts
 * const signer = createCheckpointSigner(secretKey);
 * const signature = signer.sign({ accountId, seq, hash });
 * signer.verify({ accountId, seq, hash }, signer.keyId, signature); // true
 * ```
 */
export function createCheckpointSigner(secretKey: string, previousSecretKeys: readonly string[] = []): CheckpointSigner {
  const current = deriveCheckpointKeyPair(secretKey);
  const verifiers = new Map<string, KeyObject>([[current.publicKey.keyId, current.publicKeyObject]]);
  for (const previous of previousSecretKeys) {
    const pair = deriveCheckpointKeyPair(previous);
    if (!verifiers.has(pair.publicKey.keyId)) verifiers.set(pair.publicKey.keyId, pair.publicKeyObject);
  }
  return {
    keyId: current.publicKey.keyId,
    publicKey: current.publicKey,
    sign: (payload) => sign(null, checkpointMessage(payload), current.privateKey).toString('base64'),
    verify(payload, keyId, signature) {
      const key = verifiers.get(keyId);
      return key !== undefined && verifyCheckpoint(key, payload, signature);
    },
    knows: (keyId) => verifiers.has(keyId),
  };
}
