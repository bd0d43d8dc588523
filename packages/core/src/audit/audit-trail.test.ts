import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEvents } from '../events/create-event-bus.js';
import { createHookRunner } from '../hooks/hook-runner.js';
import type { Principal } from '../identity/principal.js';
import { migrateDatabase } from '../kernel/migrate.js';
import { openDatabase, type PreloopDatabase } from '../storage/database.js';
import { describePostgres } from '../testing/describe-postgres.js';
import { testDialects, type TestDatabase } from '../testing/test-databases.js';
import type { AuditRow } from './audit-rows.js';
import { createAuditTrail, type AuditTrail, type AuditTrailOptions } from './audit-trail.js';
import { createCheckpointSigner, verifyCheckpoint } from './checkpoints.js';
import { genesisHash, hashStoredAuditRecord } from './hash-chain.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const secretKey = 'audit-trail-test-key-0123456789abcdef0123456789';
const accountId = 'acc_default';

const principal: Principal = {
  type: 'api_key',
  id: 'key_1',
  accountId,
  name: 'CI key',
  role: 'admin',
  userId: 'usr_1',
  apiKeyId: 'key_1',
  agentId: 'agt_1',
  runtimeSessionId: 'rs_1',
  teamIds: ['team_1'],
  scopes: ['admin:write'],
};

async function openMigrated(url: string): Promise<PreloopDatabase> {
  const database = await openDatabase(url);
  await migrateDatabase(database, []);
  return database;
}

async function appendMany(trail: AuditTrail, count: number, prefix = 'test.action'): Promise<void> {
  for (let i = 1; i <= count; i++) await trail.record({ actor: { type: 'system' }, action: `${prefix}`, outcome: 'success', data: { i } });
}

/** Swaps the positions of two records, as an attacker with SQL access would. */
async function swapSeq(db: Kysely<any>, a: number, b: number): Promise<void> {
  await db.updateTable('audit_records').set({ seq: -1 }).where('account_id', '=', accountId).where('seq', '=', a).execute();
  await db.updateTable('audit_records').set({ seq: a }).where('account_id', '=', accountId).where('seq', '=', b).execute();
  await db.updateTable('audit_records').set({ seq: b }).where('account_id', '=', accountId).where('seq', '=', -1).execute();
}

describe.each(testDialects())('audit trail on $name', (dialect) => {
  let testDatabase: TestDatabase;
  let database: PreloopDatabase;
  let db: Kysely<any>;
  let trail: AuditTrail;
  const open = (overrides: Partial<AuditTrailOptions> = {}) =>
    createAuditTrail({ db, dialect: database.dialect, secretKey, defaultAccountId: accountId, checkpointEvery: 10, ...overrides });

  beforeEach(async () => {
    testDatabase = await dialect.create();
    database = await openMigrated(testDatabase.url);
    db = database.db;
    trail = open();
  });
  afterEach(async () => {
    await trail.close();
    await database.close();
    await testDatabase.drop();
  });

  it('appends records with a principal snapshot and links them into a chain', async () => {
    const first = await trail.record({
      actor: principal,
      action: 'api-key.create',
      target: { type: 'api_key', id: 'key_2' },
      outcome: 'success',
      data: { name: 'ci' },
    });
    const second = await trail.record({
      accountId: 'acc_other',
      actor: { type: 'system', name: 'kernel' },
      action: 'kernel.start',
      outcome: 'success',
    });
    const third = await trail.record({ actor: { type: 'system' }, action: 'kernel.tick', outcome: 'success', runtimeSessionId: 'rs_9' });

    expect(first).toMatchObject({
      accountId,
      seq: 1,
      actorType: 'api_key',
      actorId: 'key_1',
      runtimeSessionId: 'rs_1',
      targetType: 'api_key',
      targetId: 'key_2',
      prevHash: genesisHash,
      principal: {
        type: 'api_key',
        id: 'key_1',
        name: 'CI key',
        role: 'admin',
        userId: 'usr_1',
        apiKeyId: 'key_1',
        agentId: 'agt_1',
        runtimeSessionId: 'rs_1',
      },
      data: { name: 'ci' },
    });
    expect(first.id).toMatch(/^aud_/);
    expect(second).toMatchObject({ accountId: 'acc_other', seq: 1, actorType: 'system', principal: { type: 'system', name: 'kernel' } });
    expect(third).toMatchObject({ accountId, seq: 2, prevHash: first.hash, runtimeSessionId: 'rs_9', principal: null });
    expect(await trail.get(accountId, first.id)).toEqual(first);
    await expect(trail.get('acc_other', first.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await trail.verify(accountId)).toMatchObject({ ok: true, records: 2, headSeq: 2 });
    expect(await trail.verify('acc_other')).toMatchObject({ ok: true, records: 1 });
    expect(await trail.verify('acc_empty')).toMatchObject({ ok: true, records: 0, headSeq: 0 });
  });

  it('refuses invalid input', async () => {
    await expect(trail.record({ actor: { type: 'system' }, action: '', outcome: 'success' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    await expect(
      trail.record({ actor: { type: 'system' }, action: 'x', outcome: 'success', target: { type: 'a'.repeat(300) } }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { issues: [{ path: 'target.type' }] },
    });
  });

  it('queries with filters and cursor pagination, newest first', async () => {
    for (let i = 0; i < 7; i++) {
      await trail.record({
        actor: i % 2 ? principal : { type: 'system' },
        action: i < 4 ? 'tool.call' : 'api-key.revoke',
        target: { type: i < 4 ? 'tool' : 'api_key', id: `t${i}` },
        outcome: i === 2 ? 'denied' : 'success',
        runtimeSessionId: i % 2 ? 'rs_1' : null,
      });
    }
    const all = await trail.query({ accountId });
    expect(all.items.map((r) => r.seq)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(all.nextCursor).toBeNull();

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await trail.query({ accountId, limit: 3, cursor });
      seen.push(...page.items.map((r) => r.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);

    expect((await trail.query({ accountId, action: 'tool.call' })).items.map((r) => r.seq)).toEqual([4, 3, 2, 1]);
    expect((await trail.query({ accountId, action: 'api-key.*' })).items.map((r) => r.seq)).toEqual([7, 6, 5]);
    expect((await trail.query({ accountId, actorId: 'key_1' })).items.map((r) => r.seq)).toEqual([6, 4, 2]);
    expect((await trail.query({ accountId, runtimeSessionId: 'rs_1' })).items.map((r) => r.seq)).toEqual([6, 4, 2]);
    expect((await trail.query({ accountId, outcome: 'denied' })).items.map((r) => r.seq)).toEqual([3]);
    expect((await trail.query({ accountId, targetType: 'tool', targetId: 't1' })).items.map((r) => r.seq)).toEqual([2]);
    const middle = all.items[3]!.time;
    const from = await trail.query({ accountId, from: middle });
    expect(from.items.every((r) => r.time >= middle)).toBe(true);
    expect((await trail.query({ accountId, to: 0 })).items).toEqual([]);
    expect((await trail.query({ accountId: 'acc_other' })).items).toEqual([]);
    await expect(trail.query({ accountId, cursor: 'not a cursor' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('finds a record whose data was changed via SQL, with its position', async () => {
    await appendMany(trail, 12);
    const target = await db.selectFrom('audit_records').select(['id']).where('seq', '=', 5).executeTakeFirstOrThrow();
    await db.updateTable('audit_records').set({ data: '{"i":500}' }).where('id', '=', target.id).execute();
    expect(await trail.verify(accountId)).toMatchObject({
      ok: false,
      records: 4,
      firstBroken: { seq: 5, id: target.id, reason: 'hash_mismatch' },
    });
  });

  it("finds a changed outcome even when the attacker recomputed that record's hash", async () => {
    await appendMany(trail, 6);
    const row = (await db.selectFrom('audit_records').selectAll().where('seq', '=', 3).executeTakeFirstOrThrow()) as AuditRow;
    const forged = { ...row, outcome: 'denied' };
    await db
      .updateTable('audit_records')
      .set({ outcome: 'denied', hash: hashStoredAuditRecord(forged) })
      .where('id', '=', row.id)
      .execute();
    const next = await db.selectFrom('audit_records').select('id').where('seq', '=', 4).executeTakeFirstOrThrow();
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({ seq: 4, id: next.id, reason: 'broken_link' });
  });

  it('finds a reordered pair (swapped seq), with its position', async () => {
    await appendMany(trail, 9);
    const moved = await db.selectFrom('audit_records').select('id').where('seq', '=', 6).executeTakeFirstOrThrow();
    await swapSeq(db, 5, 6);
    expect(await trail.verify(accountId)).toMatchObject({
      ok: false,
      records: 4,
      firstBroken: { seq: 5, id: moved.id, reason: 'reordered' },
    });
  });

  it('finds a deleted record as a gap at its position, and a deleted tail', async () => {
    await appendMany(trail, 12);
    await db.deleteFrom('audit_records').where('seq', '=', 7).execute();
    expect(await trail.verify(accountId)).toMatchObject({ ok: false, records: 6, firstBroken: { seq: 7, id: null, reason: 'missing' } });
    await db.deleteFrom('audit_records').where('seq', '>=', 7).execute();
    // The head still covers position 12.
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({ seq: 7, reason: 'missing' });
    // Even with the head rolled back, the signed checkpoint at 10 proves records are gone.
    const six = await db.selectFrom('audit_records').select('hash').where('seq', '=', 6).executeTakeFirstOrThrow();
    await db.updateTable('audit_heads').set({ seq: 6, hash: six.hash }).where('account_id', '=', accountId).execute();
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({ seq: 7, reason: 'missing' });
  });

  it('signs checkpoints every N records and finds a forged or altered one', async () => {
    await appendMany(trail, 25);
    const checkpoints = await db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
    expect(checkpoints.map((c) => Number(c.seq))).toEqual([10, 20]);
    expect(await trail.verify(accountId)).toMatchObject({ ok: true, records: 25, checkpoints: 2 });
    const key = trail.publicKey();
    const record20 = await db.selectFrom('audit_records').select('hash').where('seq', '=', 20).executeTakeFirstOrThrow();
    expect(verifyCheckpoint(key.pem, { accountId, seq: 20, hash: record20.hash }, checkpoints[1]!.signature)).toBe(true);

    // A signature by another key under our key id.
    const forger = createCheckpointSigner('attacker-key-0123456789abcdef0123456789abcdef');
    await db
      .updateTable('audit_checkpoints')
      .set({ signature: forger.sign({ accountId, seq: 20, hash: checkpoints[1]!.hash }) })
      .where('id', '=', checkpoints[1]!.id)
      .execute();
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({ seq: 20, reason: 'bad_checkpoint' });
    // An unknown key id.
    await db.updateTable('audit_checkpoints').set({ key_id: forger.keyId }).where('id', '=', checkpoints[1]!.id).execute();
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({ seq: 20, reason: 'bad_checkpoint' });
    // A flipped signature byte on the first checkpoint comes first.
    const signature = Buffer.from(checkpoints[0]!.signature, 'base64');
    signature[3]! ^= 1;
    await db
      .updateTable('audit_checkpoints')
      .set({ signature: signature.toString('base64') })
      .where('id', '=', checkpoints[0]!.id)
      .execute();
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({ seq: 10, reason: 'bad_checkpoint' });
  });

  it('a rewritten chain (tamper, then recompute every hash and the head) is caught by the checkpoint', async () => {
    await appendMany(trail, 15);
    await db.updateTable('audit_records').set({ outcome: 'failure' }).where('seq', '=', 3).execute();
    let prevHash = genesisHash;
    for (const row of (await db.selectFrom('audit_records').selectAll().orderBy('seq').execute()) as AuditRow[]) {
      const hash = hashStoredAuditRecord({ ...row, prev_hash: prevHash });
      await db.updateTable('audit_records').set({ prev_hash: prevHash, hash }).where('id', '=', row.id).execute();
      prevHash = hash;
    }
    await db.updateTable('audit_heads').set({ hash: prevHash }).where('account_id', '=', accountId).execute();
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({ seq: 10, reason: 'bad_checkpoint' });
  });

  it('signs a checkpoint on demand and reports progress', async () => {
    expect(await trail.checkpoint(accountId)).toBeNull();
    await appendMany(trail, 13);
    const checkpoint = (await trail.checkpoint(accountId))!;
    expect(checkpoint).toMatchObject({ accountId, seq: 13, keyId: trail.publicKey().keyId });
    expect(verifyCheckpoint(trail.publicKey().raw, checkpoint, checkpoint.signature)).toBe(true);
    expect((await trail.checkpoint(accountId))!.id).toBe(checkpoint.id);
    const progress: Array<{ checked: number; total: number }> = [];
    const report = await trail.verify(accountId, { pageSize: 5, onProgress: (checked, total) => progress.push({ checked, total }) });
    expect(report).toMatchObject({ ok: true, records: 13, checkpoints: 2 });
    expect(progress.at(-1)).toEqual({ checked: 13, total: 13 });
    expect(progress.length).toBeGreaterThanOrEqual(3);
  });

  it('after a key rotation, previous keys verify old checkpoints and rotate() re-signs them under the new key', async () => {
    await appendMany(trail, 25);
    const newKey = 'rotated-audit-key-abcdefghijklmnopqrstuvwxyz0123';
    expect((await open({ secretKey: newKey }).verify(accountId)).firstBroken).toMatchObject({ seq: 10, reason: 'bad_checkpoint' });
    const rotating = open({ secretKey: newKey, previousSecretKeys: [secretKey] });
    expect(await rotating.verify(accountId)).toMatchObject({ ok: true, checkpoints: 2 });
    await rotating.record({ actor: { type: 'system' }, action: 'after.rotation', outcome: 'success' });
    expect(await rotating.rotate()).toEqual({ resigned: 2 });
    expect(await rotating.rotate()).toEqual({ resigned: 0 });
    expect(await open({ secretKey: newKey }).verify(accountId)).toMatchObject({ ok: true, records: 26, checkpoints: 2 });
  });

  it('rotate() never re-signs a broken chain', async () => {
    await appendMany(trail, 12);
    await db.updateTable('audit_records').set({ outcome: 'failure' }).where('seq', '=', 4).execute();
    const rotating = open({ secretKey: 'rotated-audit-key-abcdefghijklmnopqrstuvwxyz0123', previousSecretKeys: [secretKey] });
    await expect(rotating.rotate()).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { resigned: 0, broken: [{ accountId, seq: 4, reason: 'hash_mismatch' }] },
    });
    const checkpoint = await db.selectFrom('audit_checkpoints').select('key_id').executeTakeFirstOrThrow();
    expect(checkpoint.key_id).toBe(trail.publicKey().keyId);
  });

  it('200 concurrent appends yield a contiguous valid chain', async () => {
    const records = await Promise.all(
      Array.from({ length: 200 }, (_, i) => trail.record({ actor: principal, action: 'tool.call', outcome: 'success', data: { i } })),
    );
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const rows = await db.selectFrom('audit_records').select('seq').orderBy('seq').execute();
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await trail.verify(accountId)).toMatchObject({ ok: true, records: 200, checkpoints: 20 });
  });

  it('redacts secrets and bounds sizes before anything is stored', async () => {
    const record = await trail.record({
      actor: principal,
      action: 'model.call',
      outcome: 'success',
      data: {
        headers: { authorization: 'Bearer super-secret-token-value' },
        apiKey: 'sk-proj-abcdefghijklmnopqrstuvwxyz',
        prompt: 'use ghp_abcdefghijklmnopqrstuvwxyz0123456789 please\r\nFAKE LOG LINE',
        blob: 'q'.repeat(100_000),
      },
    });
    const row = await db.selectFrom('audit_records').selectAll().where('id', '=', record.id).executeTakeFirstOrThrow();
    for (const secret of ['super-secret-token-value', 'sk-proj-abc', 'ghp_abc', '\r', '\n']) expect(row.data).not.toContain(secret);
    expect(Buffer.byteLength(row.data)).toBeLessThanOrEqual(16_384);
    expect(record.data).toMatchObject({
      headers: { authorization: '[redacted]' },
      apiKey: '[redacted]',
      prompt: 'use [redacted:api-key] please FAKE LOG LINE',
    });
    expect(String(record.data.blob)).toMatch(/…\[truncated 9\d{4} chars\]$/);
    expect(await trail.get(accountId, record.id)).toEqual(record);
  });

  it('a failing sink does not fail record; sinks and events see each record', async () => {
    const events = createEvents();
    const seen: string[] = [];
    const failures: string[] = [];
    events.on('audit-recorded', ({ id }) => seen.push(`event:${id}`));
    events.on('hook-failed', ({ pluginId }) => failures.push(pluginId));
    const hooks = createHookRunner(
      [
        {
          id: 'broken-sink',
          hooks: {
            'audit.record': () => {
              throw new Error('sink down');
            },
          },
        },
        { id: 'slow-sink', hooks: { 'audit.record': () => new Promise<void>(() => {}) } },
        { id: 'good-sink', hooks: { 'audit.record': (record) => void seen.push(`sink:${record.id}`) } },
      ],
      events,
    );
    const withSinks = open({ events, hooks });
    const record = await withSinks.record({ actor: principal, action: 'tool.call', outcome: 'success' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([`event:${record.id}`, `sink:${record.id}`]);
    expect(failures).toEqual(['broken-sink']);
  });

  it('throws when the core write fails, so the caller can deny', async () => {
    await sql`drop table audit_checkpoints`.execute(db);
    const failing = open({ checkpointEvery: 1 });
    await expect(failing.record({ actor: principal, action: 'tool.call', outcome: 'success' })).rejects.toMatchObject({
      code: 'INTERNAL_ERROR',
    });
    // Nothing half-written: the transaction rolled back.
    expect(await db.selectFrom('audit_records').selectAll().execute()).toEqual([]);
  });

  it('close flushes pending appends, then refuses new ones', async () => {
    const pending = Array.from({ length: 50 }, (_, i) =>
      trail.record({ actor: principal, action: 'tool.call', outcome: 'success', data: { i } }),
    );
    await trail.close();
    expect((await Promise.all(pending)).map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await expect(trail.record({ actor: principal, action: 'tool.call', outcome: 'success' })).rejects.toMatchObject({ code: 'GONE' });
  });
});

describePostgres('two audit trails on one database', (dialect) => {
  it('appending concurrently keeps one valid chain', async () => {
    const testDatabase = await dialect.create();
    const first = await openMigrated(testDatabase.url);
    const second = await openDatabase(testDatabase.url);
    try {
      const options = { secretKey, defaultAccountId: accountId, dialect: 'postgres' as const, checkpointEvery: 25 };
      const a = createAuditTrail({ ...options, db: first.db });
      const b = createAuditTrail({ ...options, db: second.db });
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          (i % 2 ? a : b).record({ actor: principal, action: 'tool.call', outcome: 'success', data: { i } }),
        ),
      );
      expect(new Set(results.map((r) => r.seq)).size).toBe(300);
      expect(await a.verify(accountId)).toMatchObject({ ok: true, records: 300, headSeq: 300, checkpoints: 12 });
      await Promise.all([a.close(), b.close()]);
    } finally {
      await second.close();
      await first.close();
      await testDatabase.drop();
    }
  });
});

describe('two processes appending to one SQLite file', () => {
  it('keep one valid chain (BEGIN IMMEDIATE serializes them)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'preloop-audit-'));
    const file = path.join(dir, 'preloop.db');
    const database = await openMigrated(`sqlite:${file}`);
    try {
      const worker = path.join(dir, 'worker.mts');
      await writeFile(
        worker,
        [
          `import { openDatabase } from ${JSON.stringify(path.resolve(here, '../storage/database.ts'))};`,
          `import { createAuditTrail } from ${JSON.stringify(path.resolve(here, 'audit-trail.ts'))};`,
          `const database = await openDatabase(${JSON.stringify(`sqlite:${file}`)});`,
          `const trail = createAuditTrail({ db: database.db, dialect: 'sqlite', secretKey: ${JSON.stringify(secretKey)}, defaultAccountId: ${JSON.stringify(accountId)} });`,
          `for (let round = 0; round < 15; round++) {`,
          `  await Promise.all(Array.from({ length: 10 }, (_, i) => trail.record({ actor: { type: 'system', name: 'worker' }, action: 'worker.append', outcome: 'success', data: { round, i } })));`,
          `  await new Promise((resolve) => setTimeout(resolve, 5));`,
          `}`,
          `await trail.close();`,
          `await database.close();`,
        ].join('\n'),
      );
      const child = spawn(process.execPath, ['--conditions=@preloop/source', '--import', 'tsx', worker], {
        cwd: path.resolve(here, '../../../..'),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const trail = createAuditTrail({ db: database.db, dialect: 'sqlite', secretKey, defaultAccountId: accountId });
      const workerStarted = async () => (await database.db.selectFrom('audit_records').select('id').limit(1).execute()).length > 0;
      while (!(await workerStarted())) await new Promise((resolve) => setTimeout(resolve, 10));
      for (let round = 0; round < 15; round++) {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            trail.record({ actor: principal, action: 'parent.append', outcome: 'success', data: { round, i } }),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(await exited, stderr).toBe(0);
      expect(await trail.verify(accountId)).toMatchObject({ ok: true, records: 300, headSeq: 300 });
      const actions = (await database.db.selectFrom('audit_records').select('action').orderBy('seq').execute()).map((row) => row.action);
      const switches = actions.filter((action, index) => index > 0 && action !== actions[index - 1]).length;
      expect(switches, 'the two processes interleaved').toBeGreaterThan(2);
      await trail.close();
    } finally {
      await database.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('verify on SQLite (the statement that builds the hashed text in SQL)', () => {
  it('checks records across pages, and reports columns rewritten with another SQL type instead of failing', async () => {
    const database = await openMigrated(':memory:');
    const trail = createAuditTrail({ db: database.db, dialect: 'sqlite', secretKey, defaultAccountId: accountId, checkpointEvery: 5 });
    try {
      // Strings JSON must escape, in every quoted column: the SQL-built text must hash like the canonical one.
      const awkward = 'quote " backslash \\ newline \n tab \t nul-ish \u0001 é 😀 \u2028';
      for (let i = 1; i <= 12; i++) {
        await trail.record({
          actor: { ...principal, id: `key ${awkward}` },
          action: `test.${awkward}`,
          target: { type: `type ${awkward}`, id: `target ${awkward}` },
          outcome: 'success',
          data: { i, awkward },
        });
      }
      expect(await trail.verify(accountId, { pageSize: 4 })).toMatchObject({ ok: true, records: 12, checkpoints: 2 });
      // A BLOB where text belongs: SQLite's json_quote refuses it; the record is still reported, not the verification aborted.
      await sql`update audit_records set actor_type = cast(actor_type as blob) where seq = 6`.execute(database.db);
      expect(await trail.verify(accountId, { pageSize: 4 })).toMatchObject({
        ok: false,
        records: 5,
        firstBroken: { seq: 6, reason: 'hash_mismatch' },
      });
      await sql`update audit_records set actor_type = cast(actor_type as text) where seq = 6`.execute(database.db);
      expect(await trail.verify(accountId, { pageSize: 4 })).toMatchObject({ ok: true, records: 12 });
      // A time SQLite prints differently from JSON (a REAL out of integer range) is judged the reference way: changed.
      await sql`update audit_records set time = 1e300 where seq = 9`.execute(database.db);
      expect((await trail.verify(accountId, { pageSize: 4 })).firstBroken).toMatchObject({ seq: 9, reason: 'hash_mismatch' });
    } finally {
      await trail.close();
      await database.close();
    }
  });
});
