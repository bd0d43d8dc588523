import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateDatabase } from '../kernel/migrate.js';
import { openDatabase, type PreloopDatabase } from '../storage/database.js';
import { testDialects, type TestDialect } from '../testing/test-databases.js';
import { createAuditTrail, type AuditTrail } from './audit-trail.js';

const secretKey = 'audit-append-test-key-0123456789abcdef01234567';
const accountId = 'acc_default';
const system = { type: 'system' } as const;

/** A database two connections can share: a SQLite file, or a fresh PostgreSQL database. */
async function sharedDatabase(dialect: TestDialect): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect.name === 'postgres') return dialect.create();
  const dir = await mkdtemp(path.join(tmpdir(), 'preloop-audit-append-'));
  return { url: `sqlite:${path.join(dir, 'audit.db')}`, drop: () => rm(dir, { recursive: true, force: true }) };
}

async function openMigrated(url: string): Promise<PreloopDatabase> {
  const database = await openDatabase(url);
  await migrateDatabase(database, []);
  return database;
}

const trailOn = (database: PreloopDatabase): AuditTrail =>
  createAuditTrail({ db: database.db, dialect: database.dialect, secretKey, defaultAccountId: accountId, checkpointEvery: 4 });

describe.each(testDialects())('audit append paths on $name', (dialect) => {
  it('two trails appending in turn each chain after the other (a moved head is re-read, never overwritten)', async () => {
    const shared = await sharedDatabase(dialect);
    const first = await openMigrated(shared.url);
    const second = await openDatabase(shared.url);
    const a = trailOn(first);
    const b = trailOn(second);
    try {
      const seqs: number[] = [];
      // Each trail's last write left it a head the other one has since moved.
      for (let i = 0; i < 12; i++)
        seqs.push((await (i % 3 === 0 ? b : a).record({ actor: system, action: 'turn', outcome: 'success', data: { i } })).seq);
      expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      // What one trail acknowledged is committed: the other connection reads it.
      const stored = await second.db
        .selectFrom('audit_records')
        .select(['seq'])
        .where('account_id', '=', accountId)
        .orderBy('seq')
        .execute();
      expect(stored.map((row) => Number(row.seq))).toEqual(seqs);
      expect(await b.verify(accountId)).toMatchObject({ ok: true, records: 12, headSeq: 12, checkpoints: 3 });
      // A burst from both at once still yields one contiguous chain.
      const burst = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).record({ actor: system, action: 'burst', outcome: 'success', data: { i } })),
      );
      expect(burst.map((record) => record.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 13));
      expect(await a.verify(accountId)).toMatchObject({ ok: true, records: 72, headSeq: 72, checkpoints: 18 });
    } finally {
      await Promise.all([a.close(), b.close()]);
      await second.close();
      await first.close();
      await shared.drop();
    }
  });

  it('records made in the same tick share a transaction and resolve in chain order', async () => {
    const shared = await sharedDatabase(dialect);
    const database = await openMigrated(shared.url);
    const trail = trailOn(database);
    try {
      const records = await Promise.all(
        Array.from({ length: 25 }, (_, i) => trail.record({ actor: system, action: 'tick', outcome: 'success', data: { i } })),
      );
      expect(records.map((record) => [record.seq, record.data.i])).toEqual(Array.from({ length: 25 }, (_, i) => [i + 1, i]));
      expect(records.slice(1).every((record, i) => record.prevHash === records[i]!.hash)).toBe(true);
      expect(await trail.verify(accountId)).toMatchObject({ ok: true, records: 25, checkpoints: 6 });
    } finally {
      await trail.close();
      await database.close();
      await shared.drop();
    }
  });

  it('an append that fails is rejected, and the next append chains after the stored head', async () => {
    const shared = await sharedDatabase(dialect);
    const database = await openMigrated(shared.url);
    const trail = trailOn(database);
    try {
      await trail.record({ actor: system, action: 'first', outcome: 'success' });
      // Occupy position 2 behind the trail's back (a write outside the trail): the next append collides and must fail, not fork the chain.
      await database.db
        .insertInto('audit_records')
        .values({
          id: 'aud_outside',
          account_id: accountId,
          seq: 2,
          time: 1,
          actor_type: 'system',
          actor_id: null,
          principal: null,
          runtime_session_id: null,
          action: 'x',
          target_type: null,
          target_id: null,
          outcome: 'x',
          data: '{}',
          prev_hash: 'x',
          hash: 'x',
        })
        .execute();
      await expect(trail.record({ actor: system, action: 'second', outcome: 'success' })).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
      await database.db.deleteFrom('audit_records').where('id', '=', 'aud_outside').execute();
      expect((await trail.record({ actor: system, action: 'third', outcome: 'success' })).seq).toBe(2);
      expect(await trail.verify(accountId)).toMatchObject({ ok: true, records: 2 });
    } finally {
      await trail.close();
      await database.close();
      await shared.drop();
    }
  });
});

describe('audit append on SQLite while the host holds a transaction on the same connection', () => {
  it('waits for that transaction and is not rolled back with it', async () => {
    const database = await openMigrated(':memory:');
    const trail = trailOn(database);
    try {
      let pending: Promise<unknown> | undefined;
      await expect(
        database.db.transaction().execute(async (trx) => {
          await sql`insert into audit_heads (account_id, seq, hash) values ('acc_other', 0, 'x')`.execute(trx);
          pending = trail.record({ actor: system, action: 'during', outcome: 'success' });
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('host rolls back');
        }),
      ).rejects.toThrow('host rolls back');
      expect(await pending).toMatchObject({ seq: 1, action: 'during' });
      expect(await database.db.selectFrom('audit_records').select('action').execute()).toEqual([{ action: 'during' }]);
      expect(await database.db.selectFrom('audit_heads').select('account_id').execute()).toEqual([{ account_id: accountId }]);
    } finally {
      await trail.close();
      await database.close();
    }
  });
});
