import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../kernel/migrate.js';
import { openDatabase, type PreloopDatabase } from '../storage/database.js';
import { testDialects, type TestDatabase } from '../testing/test-databases.js';
import { createFileAnchorSink } from './anchor-file.js';
import { archiveFileName, createArchiveFileWriter, readArchiveFile } from './archive-file.js';
import { verifyAuditArchive } from './audit-archive-verify.js';
import type { AuditArchiveWriter } from './audit-archive.js';
import { createAuditTrail, type AuditTrail } from './audit-trail.js';
import { createCheckpointSigner } from './checkpoints.js';

const secretKey = 'audit-archive-test-key-0123456789abcdef0123456789';
const publicKey = createCheckpointSigner(secretKey).publicKey;

async function appendMany(trail: AuditTrail, accountId: string, count: number): Promise<void> {
  for (let i = 1; i <= count; i++)
    await trail.record({ accountId, actor: { type: 'system' }, action: 'test.action', outcome: 'success', data: { i } });
}

/** The segment a writer received, kept in memory. */
function memoryWriter(): { write: AuditArchiveWriter; segments: string[][] } {
  const segments: string[][] = [];
  return {
    segments,
    async write(_header, lines) {
      const kept: string[] = [];
      for await (const line of lines) kept.push(line);
      segments.push(kept);
    },
  };
}

describe.each(testDialects())('audit archive-then-prune on $name', (dialect) => {
  let testDatabase: TestDatabase;
  let database: PreloopDatabase;
  let trail: AuditTrail;
  let dir: string;

  beforeAll(async () => {
    testDatabase = await dialect.create();
    database = await openDatabase(testDatabase.url);
    await migrateDatabase(database, []);
    dir = await mkdtemp(path.join(tmpdir(), 'preloop-archive-'));
    trail = createAuditTrail({
      db: database.db,
      dialect: database.dialect,
      secretKey,
      defaultAccountId: 'acc_default',
      checkpointEvery: 10,
      anchors: [createFileAnchorSink({ path: path.join(dir, 'anchor.jsonl') })],
    });
  });
  afterAll(async () => {
    await trail.close();
    await database.close();
    await testDatabase.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const liveRecords = async (accountId: string) =>
    Number(
      (
        await database.db
          .selectFrom('audit_records')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('account_id', '=', accountId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('exports signed segments, prunes them, and verifies the live chain from the boundary and each segment alone, continuous across the boundary', async () => {
    const accountId = 'acc_segments';
    const out = path.join(dir, 'segments');
    await appendMany(trail, accountId, 25);
    const [first] = await trail.archive({ accountId, before: 25, write: createArchiveFileWriter(out) });
    expect(first).toMatchObject({ accountId, firstSeq: 1, lastSeq: 20, records: 20, checkpoints: 2 });
    // 5 records left, plus the audit.archive record; the checkpoints below the boundary are gone, the one at it stays.
    expect(await liveRecords(accountId)).toBe(6);
    const checkpoints = await database.db
      .selectFrom('audit_checkpoints')
      .select('seq')
      .where('account_id', '=', accountId)
      .orderBy('seq')
      .execute();
    expect(checkpoints.map((row) => Number(row.seq))).toEqual([20]);

    const live = await trail.verify(accountId);
    expect(live).toMatchObject({ ok: true, records: 6, headSeq: 26, boundary: { seq: 20, hash: first!.lastHash } });
    const file = path.join(out, archiveFileName(first!));
    const segment = await verifyAuditArchive(readArchiveFile(file), publicKey);
    expect(segment).toMatchObject({ ok: true, records: 20, checkpoints: 2, header: { accountId, firstSeq: 1, lastSeq: 20 } });
    expect(segment.lastHash).toBe(live.boundary!.hash);
    const archiveRecord = (await trail.query({ accountId, action: 'audit.archive' })).items[0]!;
    expect(archiveRecord.data).toMatchObject({ firstSeq: 1, lastSeq: 20, segmentSha256: first!.sha256 });

    // The next segment starts where the first ended; a date cut takes the last checkpoint written before it.
    await appendMany(trail, accountId, 9);
    const [second] = await trail.archive({ before: new Date(Date.now() + 60_000), accountId, write: createArchiveFileWriter(out) });
    expect(second).toMatchObject({ firstSeq: 21, lastSeq: 30, prevHash: first!.lastHash });
    const next = await verifyAuditArchive(await readFile(path.join(out, archiveFileName(second!)), 'utf8'), [publicKey]);
    expect(next).toMatchObject({ ok: true, records: 10, header: { prevHash: segment.lastHash } });
    expect(await trail.verify(accountId)).toMatchObject({ ok: true, boundary: { seq: 30, hash: next.lastHash } });
    // Nothing is due until another checkpoint is signed: a re-run changes nothing.
    expect(await trail.archive({ accountId, before: 35, write: createArchiveFileWriter(out) })).toEqual([]);
    expect((await readdir(out)).sort()).toEqual([archiveFileName(first!), archiveFileName(second!)]);
  });

  it('finds tampering at and after the boundary: a changed or removed boundary, a deleted or edited live record', async () => {
    const accountId = 'acc_tamper';
    await appendMany(trail, accountId, 15);
    const [result] = await trail.archive({ accountId, before: 10, write: memoryWriter().write });
    expect(await trail.verify(accountId)).toMatchObject({ ok: true, boundary: { seq: 10 } });
    const boundaries = database.db.updateTable('audit_boundaries').where('account_id', '=', accountId);

    await boundaries.set({ hash: 'f'.repeat(64) }).execute();
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({
      seq: 10,
      reason: 'bad_checkpoint',
      message: expect.stringContaining('archive boundary'),
    });
    await boundaries.set({ hash: result!.lastHash }).execute();

    await database.db.deleteFrom('audit_boundaries').where('account_id', '=', accountId).execute();
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({ seq: 1, reason: 'missing' });
    await database.db
      .insertInto('audit_boundaries')
      .values({ account_id: accountId, seq: 10, hash: result!.lastHash, checkpoint_id: 'x', archived_at: 0 })
      .execute();
    expect((await trail.verify(accountId)).ok).toBe(true);

    // The checkpoint signing the boundary cannot go either.
    const kept = await database.db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('seq', '=', 10)
      .executeTakeFirstOrThrow();
    await database.db.deleteFrom('audit_checkpoints').where('id', '=', kept.id).execute();
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({ seq: 10, reason: 'bad_checkpoint' });
    await database.db.insertInto('audit_checkpoints').values(kept).execute();

    await database.db
      .updateTable('audit_records')
      .set({ outcome: 'failure' })
      .where('account_id', '=', accountId)
      .where('seq', '=', 13)
      .execute();
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({ seq: 13, reason: 'hash_mismatch' });
    await database.db.deleteFrom('audit_records').where('account_id', '=', accountId).where('seq', '=', 11).execute();
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({ seq: 11, reason: 'missing' });
  });

  it('finds records deleted from the start behind a forged boundary (no audit.archive record names it)', async () => {
    const accountId = 'acc_forged';
    await appendMany(trail, accountId, 15);
    const checkpoint = await database.db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('seq', '=', 10)
      .executeTakeFirstOrThrow();
    await database.db.deleteFrom('audit_records').where('account_id', '=', accountId).where('seq', '<=', 10).execute();
    await database.db
      .insertInto('audit_boundaries')
      .values({ account_id: accountId, seq: 10, hash: checkpoint.hash, checkpoint_id: checkpoint.id, archived_at: 0 })
      .execute();
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({
      seq: 10,
      reason: 'missing',
      message: expect.stringContaining('no audit.archive record'),
    });
  });

  it('loses nothing when the write fails after reading every line, and a re-run archives the same records; a broken chain is refused', async () => {
    const accountId = 'acc_crash';
    await appendMany(trail, accountId, 12);
    const failing: AuditArchiveWriter = async (_header, lines) => {
      for await (const _line of lines);
      throw new Error('disk full');
    };
    await expect(trail.archive({ accountId, before: -1, write: failing })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('before:'),
    });
    await expect(trail.archive({ accountId, before: new Date('not a date'), write: failing })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    await expect(trail.archive({ accountId, before: 12, write: failing })).rejects.toThrow('disk full');
    expect(await liveRecords(accountId)).toBe(12);
    expect(
      await database.db.selectFrom('audit_boundaries').selectAll().where('account_id', '=', accountId).executeTakeFirst(),
    ).toBeUndefined();

    const memory = memoryWriter();
    expect(await trail.archive({ accountId, before: 12, write: memory.write })).toMatchObject([{ firstSeq: 1, lastSeq: 10 }]);
    expect(memory.segments[0]!.filter((line) => line.startsWith('{"type":"record"'))).toHaveLength(10);
    expect(await liveRecords(accountId)).toBe(3);

    // A record below the next cut edited in place: the export stops, the writer rejects, nothing is pruned.
    await appendMany(trail, accountId, 8);
    await database.db
      .updateTable('audit_records')
      .set({ action: 'forged' })
      .where('account_id', '=', accountId)
      .where('seq', '=', 15)
      .execute();
    await expect(trail.archive({ accountId, before: 20, write: memoryWriter().write })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('position 15'),
    });
    expect(await liveRecords(accountId)).toBe(11);
  });

  it('rejects a segment that was edited, truncated, stripped of its signature or checked with another key', async () => {
    const accountId = 'acc_segment_tamper';
    await appendMany(trail, accountId, 10);
    const memory = memoryWriter();
    await trail.archive({ accountId, before: 10, write: memory.write });
    const lines = memory.segments[0]!;
    expect(await verifyAuditArchive(lines, publicKey)).toMatchObject({ ok: true, records: 10 });

    const edited = lines.map((line, index) => (index === 4 ? line.replace('"outcome":"success"', '"outcome":"failure"') : line));
    expect((await verifyAuditArchive(edited, publicKey)).firstBroken).toMatchObject({ line: 5, seq: 4, reason: 'hash_mismatch' });
    expect((await verifyAuditArchive([...lines.slice(0, 5), ...lines.slice(6)], publicKey)).firstBroken).toMatchObject({
      seq: 5,
      reason: 'missing',
    });
    expect((await verifyAuditArchive(lines.slice(0, -1), publicKey)).firstBroken).toMatchObject({ reason: 'unsigned_end' });
    expect((await verifyAuditArchive(lines.slice(0, 8), publicKey)).firstBroken).toMatchObject({
      reason: 'missing',
      message: expect.stringContaining('truncated'),
    });
    const otherKey = createCheckpointSigner('another-secret-key-0123456789abcdef0123456789').publicKey;
    expect((await verifyAuditArchive(lines, otherKey)).firstBroken).toMatchObject({ seq: 10, reason: 'bad_checkpoint' });
    expect((await verifyAuditArchive('not json\n', publicKey)).firstBroken).toMatchObject({ line: 1, reason: 'malformed' });
    const unannounced = [JSON.stringify({ ...JSON.parse(lines[0]!), checkpointSeqs: [] }), ...lines.slice(1)];
    expect((await verifyAuditArchive(unannounced, publicKey)).firstBroken).toMatchObject({
      seq: 10,
      reason: 'malformed',
      message: expect.stringContaining('not announced'),
    });
  });

  it('verifies while a prune was interrupted (records below the boundary left), and the next run deletes them', async () => {
    const accountId = 'acc_interrupted';
    await appendMany(trail, accountId, 10);
    const memory = memoryWriter();
    await trail.archive({ accountId, before: 10, write: memory.write });
    // Put three archived records back, as if the batched delete had stopped early.
    const archived = memory.segments[0]!.slice(1, 4).map((line) => JSON.parse(line));
    await database.db
      .insertInto('audit_records')
      .values(
        archived.map((r) => ({
          id: r.id,
          account_id: r.accountId,
          seq: r.seq,
          time: r.time,
          actor_type: r.actorType,
          actor_id: r.actorId,
          principal: r.principal === null ? null : JSON.stringify(r.principal),
          runtime_session_id: r.runtimeSessionId,
          action: r.action,
          target_type: r.targetType,
          target_id: r.targetId,
          outcome: r.outcome,
          data: JSON.stringify(r.data),
          prev_hash: r.prevHash,
          hash: r.hash,
        })),
      )
      .execute();
    expect(await trail.verify(accountId)).toMatchObject({ ok: true, records: 1, boundary: { seq: 10 } });
    expect(await trail.archive({ accountId, before: 10, write: memory.write })).toEqual([]);
    expect(await liveRecords(accountId)).toBe(1);
  });
});
