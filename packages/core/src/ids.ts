import { randomBytes } from 'node:crypto';
import { uuidv7 } from 'uuidv7';

/**
 * Creates a new sortable id (UUIDv7) with an optional short type prefix.
 *
 * @example
 * ```ts
 * createId('key'); // "key_01934f7e-..."
 * ```
 */
export function createId(prefix?: string): string {
  const id = uuidv7();
  return prefix ? `${prefix}_${id}` : id;
}

/**
 * Creates an unguessable random token (base64url) of `bytes` bytes of entropy.
 *
 * @example
 * ```ts
 * const token = createToken(32);
 * ```
 */
export function createToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
