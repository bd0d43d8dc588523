import type { Kysely } from 'kysely';
import { PreloopError } from '../errors.js';
import { createId } from '../ids.js';
import type { KernelTables } from '../storage/schema.js';
import { decryptForRow, encryptForRow, rewrapForRow, type RowBinding } from './row-encryption.js';
import { createSecretBox, type SealedValue, type SecretBinding, type SecretBox } from './secret-box.js';

/** Options of {@link createSecretStore}. */
export interface SecretStoreOptions {
  /** The database (with the kernel's `secrets` table). */
  db: Kysely<KernelTables>;
  /** The current secret key; new values are encrypted under it. */
  secretKey: string;
  /** Earlier secret keys, accepted for decryption until {@link SecretStore.rotate} re-wraps every secret. @default [] */
  previousSecretKeys?: readonly string[];
}

/** A stored secret's metadata; never its value. */
export interface SecretInfo {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
}

/** Encrypted credential storage, per account, plus row-bound encryption for other tables. */
export interface SecretStore {
  /** The key id (version) new values are encrypted under. */
  readonly keyId: string;
  /** Stores (or replaces) the value of `name`. */
  set(accountId: string, name: string, value: string): Promise<{ id: string; name: string; updatedAt: number }>;
  /** The value of `name`; `NOT_FOUND` when absent, `DECRYPTION_FAILED` when it cannot be decrypted. */
  get(accountId: string, name: string): Promise<string>;
  /** True when `name` is stored. */
  has(accountId: string, name: string): Promise<boolean>;
  /** Removes `name`; true when it existed. */
  delete(accountId: string, name: string): Promise<boolean>;
  /** Names and times of the account's secrets, sorted by name; never values. */
  list(accountId: string): Promise<SecretInfo[]>;
  /** Re-wraps every data key still under a previous key with the current key (values unchanged). */
  rotate(): Promise<{ rewrapped: number }>;
  /** Encrypts a column value bound to its row (see {@link encryptForRow}). */
  encryptForRow(binding: RowBinding, value: string): string;
  /** Decrypts a column value made by `encryptForRow`. */
  decryptForRow(binding: RowBinding, stored: string): string;
  /** Re-wraps a column value under the current key; null when already current. */
  rewrapForRow(binding: RowBinding, stored: string): string | null;
}

type SecretRow = KernelTables['secrets'];

const maxNameLength = 200;
const maxValueBytes = 64 * 1024;
const rotateBatch = 200;

/**
 * Creates the secret store: AES-256-GCM envelope encryption (see
 * {@link createSecretBox}) of values in the `secrets` table, each bound to its
 * row (account id, secret id, name).
 *
 * @example
 * ```ts
 * const secrets = createSecretStore({ db, secretKey: process.env.PRELOOP_SECRET_KEY! });
 * await secrets.set(accountId, 'openai', 'sk-...');
 * const key = await secrets.get(accountId, 'openai');
 * ```
 */
export function createSecretStore(options: SecretStoreOptions): SecretStore {
  const { db } = options;
  const box: SecretBox = createSecretBox({ secretKey: options.secretKey, previousSecretKeys: options.previousSecretKeys });
  const binding = (row: { account_id: string; id: string; name: string }): SecretBinding => ['secrets', row.account_id, row.id, row.name];
  const sealedOf = (row: SecretRow): SealedValue => ({ keyId: row.key_id, wrappedKey: row.wrapped_key, ciphertext: row.ciphertext });
  const find = (accountId: string, name: string) =>
    db.selectFrom('secrets').selectAll().where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();

  return {
    keyId: box.keyId,
    async set(accountId, name, value) {
      checkName(name);
      if (typeof value !== 'string' || value === '')
        throw new PreloopError('VALIDATION_ERROR', `Secret "${name}": the value must be a non-empty string.`);
      if (Buffer.byteLength(value, 'utf8') > maxValueBytes) {
        throw new PreloopError('VALIDATION_ERROR', `Secret "${name}": the value is larger than ${maxValueBytes} bytes.`);
      }
      const now = Date.now();
      const id = createId('sec');
      const sealed = box.seal(value, binding({ account_id: accountId, id, name }));
      const inserted = await db
        .insertInto('secrets')
        .values({
          id,
          account_id: accountId,
          name,
          key_id: sealed.keyId,
          wrapped_key: sealed.wrappedKey,
          ciphertext: sealed.ciphertext,
          created_at: now,
          updated_at: now,
        })
        .onConflict((conflict) => conflict.columns(['account_id', 'name']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { id, name, updatedAt: now };
      // The name exists: keep its id (the ciphertext is bound to it) and replace the value.
      const existing = await find(accountId, name);
      if (!existing) throw new PreloopError('CONFLICT', `Secret "${name}" changed concurrently; try again.`);
      const resealed = box.seal(value, binding(existing));
      await db
        .updateTable('secrets')
        .set({ key_id: resealed.keyId, wrapped_key: resealed.wrappedKey, ciphertext: resealed.ciphertext, updated_at: now })
        .where('id', '=', existing.id)
        .execute();
      return { id: existing.id, name, updatedAt: now };
    },
    async get(accountId, name) {
      const row = await find(accountId, name);
      if (!row) throw new PreloopError('NOT_FOUND', `No secret named "${name}".`);
      try {
        return box.open(sealedOf(row), binding(row));
      } catch (error) {
        if (error instanceof PreloopError) {
          throw new PreloopError('DECRYPTION_FAILED', `Secret "${name}": ${error.message}`);
        }
        throw error;
      }
    },
    async has(accountId, name) {
      const row = await db
        .selectFrom('secrets')
        .select('id')
        .where('account_id', '=', accountId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row !== undefined;
    },
    async delete(accountId, name) {
      const result = await db.deleteFrom('secrets').where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async list(accountId) {
      const rows = await db
        .selectFrom('secrets')
        .select(['id', 'name', 'created_at', 'updated_at'])
        .where('account_id', '=', accountId)
        .orderBy('name')
        .execute();
      return rows.map((row) => ({ id: row.id, name: row.name, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) }));
    },
    async rotate() {
      let rewrapped = 0;
      const unreadable = new Set<string>();
      let after = '';
      for (;;) {
        const rows = await db
          .selectFrom('secrets')
          .selectAll()
          .where('key_id', '!=', box.keyId)
          .where('id', '>', after)
          .orderBy('id')
          .limit(rotateBatch)
          .execute();
        if (rows.length === 0) break;
        after = rows[rows.length - 1]!.id;
        for (const row of rows) {
          let next: SealedValue | null;
          try {
            next = box.rewrap(sealedOf(row), binding(row));
          } catch {
            unreadable.add(row.id);
            continue;
          }
          if (!next) continue;
          // Compare-and-set: a concurrent `set` wins and is already under the current key.
          const result = await db
            .updateTable('secrets')
            .set({ key_id: next.keyId, wrapped_key: next.wrappedKey })
            .where('id', '=', row.id)
            .where('key_id', '=', row.key_id)
            .where('wrapped_key', '=', row.wrapped_key)
            .executeTakeFirst();
          rewrapped += Number(result.numUpdatedRows);
        }
      }
      if (unreadable.size > 0) {
        throw new PreloopError(
          'DECRYPTION_FAILED',
          `Key rotation re-wrapped ${rewrapped} secret(s), but ${unreadable.size} cannot be decrypted with the current or previous secret keys; they were left unchanged.`,
          { details: { rewrapped, unreadable: unreadable.size } },
        );
      }
      return { rewrapped };
    },
    encryptForRow: (rowBinding, value) => encryptForRow(box, rowBinding, value),
    decryptForRow: (rowBinding, stored) => decryptForRow(box, rowBinding, stored),
    rewrapForRow: (rowBinding, stored) => rewrapForRow(box, rowBinding, stored),
  };
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > maxNameLength || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new PreloopError('VALIDATION_ERROR', `A secret name must be 1–${maxNameLength} characters without control characters.`);
  }
}
