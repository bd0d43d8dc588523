import { PreloopError } from '../errors.js';
import { packSealedValue, unpackSealedValue, type SecretBinding, type SecretBox } from './secret-box.js';

/** The row an encrypted column value belongs to. Every part is authenticated, so the value opens only in this row and column. */
export interface RowBinding {
  /** The table, for example `model_credentials`. */
  table: string;
  /** The column, for example `api_key`. */
  column: string;
  /** The row's account. */
  accountId: string;
  /** The row's primary key. */
  rowId: string;
}

/**
 * The associated data of a row binding, as the secret box takes it.
 *
 * @example
 * ```ts
 * rowBindingParts({ table: 't', column: 'c', accountId: 'acc_1', rowId: 'r1' }); // ['row', 't', 'c', 'acc_1', 'r1']
 * ```
 */
export function rowBindingParts(binding: RowBinding): SecretBinding {
  for (const [name, value] of Object.entries(binding)) {
    if (typeof value !== 'string' || value === '') {
      throw new PreloopError('VALIDATION_ERROR', `Row binding "${name}" must be a non-empty string.`);
    }
  }
  return ['row', binding.table, binding.column, binding.accountId, binding.rowId];
}

/**
 * Encrypts one column value bound to its row, returning a single text value
 * (`<keyId>:<wrapped data key>:<ciphertext>`) to store in that column.
 *
 * @example
 * ```ts
 * const stored = encryptForRow(box, { table: 'webhooks', column: 'signing_secret', accountId, rowId }, secret);
 * ```
 */
export function encryptForRow(box: SecretBox, binding: RowBinding, value: string): string {
  return packSealedValue(box.seal(value, rowBindingParts(binding)));
}

/**
 * Decrypts a column value made by {@link encryptForRow}. Throws
 * `DECRYPTION_FAILED` for a wrong key, tampering, or a value copied from another row.
 *
 * @example
 * ```ts
 * const secret = decryptForRow(box, { table: 'webhooks', column: 'signing_secret', accountId, rowId }, row.signing_secret);
 * ```
 */
export function decryptForRow(box: SecretBox, binding: RowBinding, stored: string): string {
  return box.open(unpackSealedValue(stored), rowBindingParts(binding));
}

/**
 * Re-wraps a column value's data key under the current secret key, for key
 * rotation of columns outside the secrets table. Returns null when the value
 * already is under the current key.
 *
 * @example
 * ```ts
 * const next = rewrapForRow(box, binding, row.signing_secret);
 * if (next) await db.updateTable('webhooks').set({ signing_secret: next }).where('id', '=', row.id).execute();
 * ```
 */
export function rewrapForRow(box: SecretBox, binding: RowBinding, stored: string): string | null {
  const next = box.rewrap(unpackSealedValue(stored), rowBindingParts(binding));
  return next ? packSealedValue(next) : null;
}
