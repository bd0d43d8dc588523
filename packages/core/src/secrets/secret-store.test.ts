import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPreloopError } from '../errors.js';
import { migrateDatabase } from '../kernel/migrate.js';
import { openDatabase, type PreloopDatabase } from '../storage/database.js';
import { testDialects, type TestDatabase } from '../testing/test-databases.js';
import { createSecretStore } from './secret-store.js';

const key = 'secret-store-test-key-0123456789abcdef0123456789';
const otherKey = 'another-secret-store-key-abcdefghijklmnopqrstuvwxyz';
const plaintext = 'sk-live-PLAINTEXT-canary-7f3a9c';

async function expectDecryptionFailed(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    (value) => new Error(`expected DECRYPTION_FAILED, got a value of length ${String(value).length}`),
    (caught: unknown) => caught,
  );
  expect(isPreloopError(error, 'DECRYPTION_FAILED'), String(error)).toBe(true);
  expect((error as Error).message).not.toContain(plaintext);
  expect((error as Error).message).not.toContain(key);
}

/** Every row of every table, as text: a logical dump of the database. */
async function dumpDatabase(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<string> {
  const tables =
    dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)).rows.map((r) => r.name)
      : (
          await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public'`.execute(db)
        ).rows.map((r) => r.name);
  const parts: string[] = [];
  for (const table of tables) parts.push(table, JSON.stringify(await db.selectFrom(table).selectAll().execute()));
  return parts.join('\n');
}

describe.each(testDialects())('secret store on $name', (dialect) => {
  let testDatabase: TestDatabase;
  let database: PreloopDatabase;
  let db: Kysely<any>;

  beforeEach(async () => {
    testDatabase = await dialect.create();
    database = await openDatabase(testDatabase.url);
    await migrateDatabase(database, []);
    db = database.db;
    await db
      .insertInto('accounts')
      .values([
        { id: 'acc_a', name: 'A', created_at: 1 },
        { id: 'acc_b', name: 'B', created_at: 1 },
      ])
      .execute();
  });
  afterEach(async () => {
    await database.close();
    await testDatabase.drop();
  });

  it('round-trips values, lists names without values, replaces and deletes', async () => {
    const secrets = createSecretStore({ db, secretKey: key });
    const created = await secrets.set('acc_a', 'openai', plaintext);
    expect(created.id).toMatch(/^sec_/);
    expect(await secrets.get('acc_a', 'openai')).toBe(plaintext);
    expect(await secrets.has('acc_a', 'openai')).toBe(true);
    expect(await secrets.has('acc_b', 'openai')).toBe(false);
    await expect(secrets.get('acc_b', 'openai')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const replaced = await secrets.set('acc_a', 'openai', 'second value ✓');
    expect(replaced.id).toBe(created.id);
    expect(await secrets.get('acc_a', 'openai')).toBe('second value ✓');

    await secrets.set('acc_a', 'anthropic', 'sk-ant-xyz');
    const listed = await secrets.list('acc_a');
    expect(listed.map((s) => s.name)).toEqual(['anthropic', 'openai']);
    expect(JSON.stringify(listed)).not.toContain('second value');
    expect(Object.keys(listed[0]!).sort()).toEqual(['createdAt', 'id', 'name', 'updatedAt']);

    expect(await secrets.delete('acc_a', 'openai')).toBe(true);
    expect(await secrets.delete('acc_a', 'openai')).toBe(false);
    await expect(secrets.get('acc_a', 'openai')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses empty values and bad names', async () => {
    const secrets = createSecretStore({ db, secretKey: key });
    await expect(secrets.set('acc_a', 'x', '')).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(secrets.set('acc_a', 'bad\nname', 'v')).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('fails with DECRYPTION_FAILED under a wrong key, never an empty value', async () => {
    await createSecretStore({ db, secretKey: key }).set('acc_a', 'openai', plaintext);
    await expectDecryptionFailed(createSecretStore({ db, secretKey: otherKey }).get('acc_a', 'openai'));
  });

  it('fails with DECRYPTION_FAILED on tampered ciphertext or wrapped key', async () => {
    const secrets = createSecretStore({ db, secretKey: key });
    const { id } = await secrets.set('acc_a', 'openai', plaintext);
    const row = await db.selectFrom('secrets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const flip = (text: string) => {
      const [prefix, body] = text.split('.') as [string, string];
      const bytes = Buffer.from(body, 'base64url');
      bytes[bytes.length - 20]! ^= 0x01;
      return `${prefix}.${bytes.toString('base64url')}`;
    };
    await db
      .updateTable('secrets')
      .set({ ciphertext: flip(row.ciphertext) })
      .where('id', '=', id)
      .execute();
    await expectDecryptionFailed(secrets.get('acc_a', 'openai'));
    await db
      .updateTable('secrets')
      .set({ ciphertext: row.ciphertext, wrapped_key: flip(row.wrapped_key) })
      .where('id', '=', id)
      .execute();
    await expectDecryptionFailed(secrets.get('acc_a', 'openai'));
    await db.updateTable('secrets').set({ wrapped_key: row.wrapped_key, ciphertext: 'v1.' }).where('id', '=', id).execute();
    await expectDecryptionFailed(secrets.get('acc_a', 'openai'));
    await db.updateTable('secrets').set({ ciphertext: row.ciphertext }).where('id', '=', id).execute();
    expect(await secrets.get('acc_a', 'openai')).toBe(plaintext);
  });

  it('refuses ciphertext moved to another row, name or account', async () => {
    const secrets = createSecretStore({ db, secretKey: key });
    await secrets.set('acc_a', 'source', plaintext);
    await secrets.set('acc_a', 'target', 'target value');
    await secrets.set('acc_b', 'source', 'b value');
    const source = await db
      .selectFrom('secrets')
      .selectAll()
      .where('account_id', '=', 'acc_a')
      .where('name', '=', 'source')
      .executeTakeFirstOrThrow();
    const moved = { key_id: source.key_id, wrapped_key: source.wrapped_key, ciphertext: source.ciphertext };

    // Both columns copied into another row of the same account.
    await db.updateTable('secrets').set(moved).where('account_id', '=', 'acc_a').where('name', '=', 'target').execute();
    await expectDecryptionFailed(secrets.get('acc_a', 'target'));
    // Into another account's row with the same name.
    await db.updateTable('secrets').set(moved).where('account_id', '=', 'acc_b').where('name', '=', 'source').execute();
    await expectDecryptionFailed(secrets.get('acc_b', 'source'));
    // Only the ciphertext copied (the target keeps its own wrapped key).
    await secrets.set('acc_a', 'target', 'target value');
    await db
      .updateTable('secrets')
      .set({ ciphertext: source.ciphertext })
      .where('account_id', '=', 'acc_a')
      .where('name', '=', 'target')
      .execute();
    await expectDecryptionFailed(secrets.get('acc_a', 'target'));
    // The row renamed in place.
    await db.updateTable('secrets').set({ name: 'renamed' }).where('id', '=', source.id).execute();
    await expectDecryptionFailed(secrets.get('acc_a', 'renamed'));
  });

  it('rotates: re-wraps data keys under the new key; then the new key alone decrypts', async () => {
    const old = createSecretStore({ db, secretKey: key });
    for (let i = 0; i < 5; i++) await old.set('acc_a', `s${i}`, `${plaintext}-${i}`);
    const before = await db.selectFrom('secrets').selectAll().orderBy('name').execute();

    const rotating = createSecretStore({ db, secretKey: otherKey, previousSecretKeys: [key] });
    expect(rotating.keyId).not.toBe(old.keyId);
    expect(await rotating.get('acc_a', 's0')).toBe(`${plaintext}-0`);
    await rotating.set('acc_a', 's5', 'fresh');
    expect(await rotating.rotate()).toEqual({ rewrapped: 5 });
    expect(await rotating.rotate()).toEqual({ rewrapped: 0 });

    const after = await db.selectFrom('secrets').selectAll().orderBy('name').execute();
    expect(after.every((row) => row.key_id === rotating.keyId)).toBe(true);
    // Only the wrapping changed: the value ciphertext is the same bytes.
    expect(after.slice(0, 5).map((row) => row.ciphertext)).toEqual(before.map((row) => row.ciphertext));

    const newOnly = createSecretStore({ db, secretKey: otherKey });
    for (let i = 0; i < 5; i++) expect(await newOnly.get('acc_a', `s${i}`)).toBe(`${plaintext}-${i}`);
    await expectDecryptionFailed(createSecretStore({ db, secretKey: key }).get('acc_a', 's0'));
  });

  it('rotation reports secrets no configured key can open, and leaves them unchanged', async () => {
    await createSecretStore({ db, secretKey: key }).set('acc_a', 'orphan', plaintext);
    const rotating = createSecretStore({ db, secretKey: otherKey });
    await expect(rotating.rotate()).rejects.toMatchObject({ code: 'DECRYPTION_FAILED', details: { rewrapped: 0, unreadable: 1 } });
    expect(await createSecretStore({ db, secretKey: key }).get('acc_a', 'orphan')).toBe(plaintext);
  });

  it('encrypts columns of other tables bound to their row', () => {
    const secrets = createSecretStore({ db, secretKey: key });
    const binding = { table: 'webhooks', column: 'signing_secret', accountId: 'acc_a', rowId: 'wh_1' };
    const stored = secrets.encryptForRow(binding, plaintext);
    expect(stored).not.toContain(plaintext);
    expect(secrets.decryptForRow(binding, stored)).toBe(plaintext);
    for (const other of [{ rowId: 'wh_2' }, { column: 'other' }, { accountId: 'acc_b' }, { table: 'hooks' }]) {
      expect(() => secrets.decryptForRow({ ...binding, ...other }, stored)).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
    }
    expect(() => secrets.decryptForRow(binding, 'garbage')).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
    const rotated = createSecretStore({ db, secretKey: otherKey, previousSecretKeys: [key] });
    const rewrapped = rotated.rewrapForRow(binding, stored)!;
    expect(rotated.rewrapForRow(binding, rewrapped)).toBeNull();
    expect(createSecretStore({ db, secretKey: otherKey }).decryptForRow(binding, rewrapped)).toBe(plaintext);
  });

  it('a database dump contains no plaintext', async () => {
    const secrets = createSecretStore({ db, secretKey: key });
    for (let i = 0; i < 3; i++) await secrets.set('acc_a', `s${i}`, `${plaintext}-${i}`);
    const dump = await dumpDatabase(db, dialect.name);
    expect(dump).toContain('s2');
    for (const needle of [
      plaintext,
      Buffer.from(plaintext).toString('base64'),
      Buffer.from(plaintext).toString('base64url'),
      Buffer.from(plaintext).toString('hex'),
      key,
    ]) {
      expect(dump).not.toContain(needle);
    }
  });
});

describe('secret store on a SQLite file', () => {
  it('the file on disk contains no plaintext', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'preloop-secrets-'));
    try {
      const database = await openDatabase(`sqlite:${path.join(dir, 'preloop.db')}`);
      await migrateDatabase(database, []);
      await database.db.insertInto('accounts').values({ id: 'acc_a', name: 'A', created_at: 1 }).execute();
      const secrets = createSecretStore({ db: database.db, secretKey: key });
      for (let i = 0; i < 3; i++) await secrets.set('acc_a', `s${i}`, `${plaintext}-${i}`);
      expect(await secrets.get('acc_a', 's1')).toBe(`${plaintext}-1`);
      const bytes = Buffer.concat(await Promise.all((await readdir(dir)).map((file) => readFile(path.join(dir, file)))));
      await database.close();
      const text = bytes.toString('latin1');
      expect(text).toContain('s2');
      expect(text).not.toContain(plaintext);
      expect(text).not.toContain(key);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
