import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { PreloopError } from '../errors.js';

/** The encrypted form of one value: which key wrapped its data key, the wrapped data key and the ciphertext. */
export interface SealedValue {
  /** Fingerprint of the key-encryption key that wrapped `wrappedKey` (the key version). */
  keyId: string;
  /** The random data key, encrypted (AES-256-GCM) under the key-encryption key: `v1.<iv|ciphertext|tag in base64url>`. */
  wrappedKey: string;
  /** The value, encrypted (AES-256-GCM) under the data key: `v1.<iv|ciphertext|tag in base64url>`. */
  ciphertext: string;
}

/**
 * What a ciphertext is bound to: the parts that name its row (for example the
 * table, account id, row id and column). Decryption with any other binding fails,
 * so ciphertext copied to another row does not open.
 */
export type SecretBinding = readonly string[];

/** Options of {@link createSecretBox}. */
export interface SecretBoxOptions {
  /** The current secret key (`PRELOOP_SECRET_KEY`); new values are wrapped under a key derived from it. */
  secretKey: string;
  /** Earlier secret keys, still accepted for decryption until values are re-wrapped. @default [] */
  previousSecretKeys?: readonly string[];
}

/** AES-256-GCM envelope encryption under a key derived from the secret key. */
export interface SecretBox {
  /** The key id (version) of the current key-encryption key. */
  readonly keyId: string;
  /** The key ids of every configured key-encryption key, current first. */
  readonly keyIds: readonly string[];
  /** Encrypts `plaintext` under a fresh data key, bound to `binding`. */
  seal(plaintext: string, binding: SecretBinding): SealedValue;
  /** Decrypts a sealed value bound to `binding`; throws `DECRYPTION_FAILED` on a wrong key, wrong binding or tampering. */
  open(sealed: SealedValue, binding: SecretBinding): string;
  /** Re-wraps the data key under the current key; the ciphertext stays as is. Returns null when it already is under the current key. */
  rewrap(sealed: SealedValue, binding: SecretBinding): SealedValue | null;
}

const formatVersion = 'v1';
const kekSalt = Buffer.from('preloop/secret-box/v1', 'utf8');
const kekInfo = Buffer.from('preloop/secrets/key-encryption-key', 'utf8');
const ivBytes = 12;
const tagBytes = 16;
const dataKeyBytes = 32;

/**
 * Derives the key-encryption key from a secret key with HKDF-SHA256, and its key
 * id: the first 16 hex characters of SHA-256 over the derived key (a fingerprint
 * that reveals nothing about the key).
 *
 * @example
 * ```ts
 * const { keyId } = deriveKeyEncryptionKey(process.env.PRELOOP_SECRET_KEY!);
 * ```
 */
export function deriveKeyEncryptionKey(secretKey: string): { key: Buffer; keyId: string } {
  if (typeof secretKey !== 'string' || secretKey.length === 0) {
    throw new PreloopError('CONFIGURATION_ERROR', 'secretKey: a non-empty secret key is required to encrypt secrets.');
  }
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secretKey, 'utf8'), kekSalt, kekInfo, 32));
  const keyId = createHash('sha256').update('preloop/key-id/').update(key).digest('hex').slice(0, 16);
  return { key, keyId };
}

/**
 * Creates an envelope-encryption box: each value gets a random 256-bit data key
 * (AES-256-GCM); the data key is wrapped (AES-256-GCM) by a key-encryption key
 * derived with HKDF-SHA256 from the secret key. Both layers authenticate the
 * binding (associated data), so ciphertext moved to another row fails. Failures
 * throw `DECRYPTION_FAILED` and never yield a value; messages never include key
 * material or plaintext.
 *
 * @example
 * ```ts
 * const box = createSecretBox({ secretKey: process.env.PRELOOP_SECRET_KEY! });
 * const sealed = box.seal('sk-live-123', ['secrets', accountId, secretId, name]);
 * box.open(sealed, ['secrets', accountId, secretId, name]); // "sk-live-123"
 * ```
 */
export function createSecretBox(options: SecretBoxOptions): SecretBox {
  const current = deriveKeyEncryptionKey(options.secretKey);
  const keys = new Map<string, Buffer>([[current.keyId, current.key]]);
  for (const previous of options.previousSecretKeys ?? []) {
    const derived = deriveKeyEncryptionKey(previous);
    if (!keys.has(derived.keyId)) keys.set(derived.keyId, derived.key);
  }

  const unwrap = (sealed: SealedValue, binding: SecretBinding): Buffer => {
    const kek = keys.get(sealed.keyId);
    if (!kek) {
      throw new PreloopError(
        'DECRYPTION_FAILED',
        `Cannot decrypt: the value was encrypted under key id "${sanitizeKeyId(sealed.keyId)}", which is neither the current secret key nor one of previousSecretKeys.`,
      );
    }
    const dataKey = gcmDecrypt(kek, sealed.wrappedKey, wrapAssociatedData(sealed.keyId, binding));
    if (dataKey.length !== dataKeyBytes) throw decryptionFailed();
    return dataKey;
  };

  return {
    keyId: current.keyId,
    keyIds: [...keys.keys()],
    seal(plaintext, binding) {
      if (typeof plaintext !== 'string') throw new PreloopError('VALIDATION_ERROR', 'Only strings can be encrypted.');
      const dataKey = randomBytes(dataKeyBytes);
      try {
        return {
          keyId: current.keyId,
          wrappedKey: gcmEncrypt(current.key, dataKey, wrapAssociatedData(current.keyId, binding)),
          ciphertext: gcmEncrypt(dataKey, Buffer.from(plaintext, 'utf8'), valueAssociatedData(binding)),
        };
      } finally {
        dataKey.fill(0);
      }
    },
    open(sealed, binding) {
      const dataKey = unwrap(sealed, binding);
      try {
        return gcmDecrypt(dataKey, sealed.ciphertext, valueAssociatedData(binding)).toString('utf8');
      } finally {
        dataKey.fill(0);
      }
    },
    rewrap(sealed, binding) {
      if (sealed.keyId === current.keyId) return null;
      const dataKey = unwrap(sealed, binding);
      try {
        // Prove the data key still opens the value before replacing its wrapping.
        gcmDecrypt(dataKey, sealed.ciphertext, valueAssociatedData(binding));
        return {
          keyId: current.keyId,
          wrappedKey: gcmEncrypt(current.key, dataKey, wrapAssociatedData(current.keyId, binding)),
          ciphertext: sealed.ciphertext,
        };
      } finally {
        dataKey.fill(0);
      }
    },
  };
}

/**
 * Packs a sealed value into one text column: `<keyId>:<wrappedKey>:<ciphertext>`.
 *
 * @example
 * ```ts
 * const text = packSealedValue(box.seal('v', binding));
 * ```
 */
export function packSealedValue(sealed: SealedValue): string {
  return `${sealed.keyId}:${sealed.wrappedKey}:${sealed.ciphertext}`;
}

/**
 * Unpacks the text made by {@link packSealedValue}; malformed text is `DECRYPTION_FAILED`.
 *
 * @example
 * ```ts
 * const sealed = unpackSealedValue(row.token_encrypted);
 * ```
 */
export function unpackSealedValue(text: string): SealedValue {
  const parts = typeof text === 'string' ? text.split(':') : [];
  if (parts.length !== 3 || parts.some((part) => part === '')) throw decryptionFailed();
  return { keyId: parts[0]!, wrappedKey: parts[1]!, ciphertext: parts[2]! };
}

function wrapAssociatedData(keyId: string, binding: SecretBinding): Buffer {
  return Buffer.from(JSON.stringify(['preloop/data-key/v1', keyId, ...binding]), 'utf8');
}

function valueAssociatedData(binding: SecretBinding): Buffer {
  return Buffer.from(JSON.stringify(['preloop/value/v1', ...binding]), 'utf8');
}

function gcmEncrypt(key: Buffer, plaintext: Buffer, associatedData: Buffer): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(associatedData);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `${formatVersion}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

function gcmDecrypt(key: Buffer, encoded: string, associatedData: Buffer): Buffer {
  if (typeof encoded !== 'string' || !encoded.startsWith(`${formatVersion}.`)) throw decryptionFailed();
  const raw = Buffer.from(encoded.slice(formatVersion.length + 1), 'base64url');
  if (raw.length < ivBytes + tagBytes) throw decryptionFailed();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, ivBytes), { authTagLength: tagBytes });
    decipher.setAAD(associatedData);
    decipher.setAuthTag(raw.subarray(raw.length - tagBytes));
    return Buffer.concat([decipher.update(raw.subarray(ivBytes, raw.length - tagBytes)), decipher.final()]);
  } catch {
    // Deliberately no cause: OpenSSL messages are generic, but keep the surface minimal.
    throw decryptionFailed();
  }
}

function decryptionFailed(): PreloopError {
  return new PreloopError(
    'DECRYPTION_FAILED',
    'Cannot decrypt: wrong secret key, tampered ciphertext, or ciphertext that belongs to another row.',
  );
}

function sanitizeKeyId(keyId: unknown): string {
  return typeof keyId === 'string' ? keyId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32) : '';
}
