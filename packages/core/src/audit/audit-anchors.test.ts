import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../kernel/migrate.js';
import { openDatabase, type PreloopDatabase } from '../storage/database.js';
import { testDialects, type TestDatabase } from '../testing/test-databases.js';
import { createFileAnchorSink, readAnchorFile } from './anchor-file.js';
import type { AnchoredCheckpoint } from './anchor-sink.js';
import { createWebhookAnchorSink } from './anchor-webhook.js';
import type { AuditRow } from './audit-rows.js';
import { createAuditTrail, type AuditTrail, type AuditTrailOptions } from './audit-trail.js';
import { createCheckpointSigner, verifyCheckpoint } from './checkpoints.js';
import { genesisHash, hashStoredAuditRecord } from './hash-chain.js';

const secretKey = 'audit-anchor-test-key-0123456789abcdef0123456789';
const accountId = 'acc_default';
const webhookSecret = `whsec_${Buffer.from('anchor-webhook-secret-0123456789').toString('base64')}`;

async function appendMany(trail: AuditTrail, count: number): Promise<void> {
  for (let i = 1; i <= count; i++)
    await trail.record({ actor: { type: 'system' }, action: 'test.action', outcome: 'success', data: { i } });
}

/** Rewrites every record's links and hashes from the first one on, and moves the head: what an attacker with SQL access does after editing a record. */
async function rehashChain(db: Kysely<any>): Promise<void> {
  let prevHash = genesisHash;
  let seq = 0;
  for (const row of (await db
    .selectFrom('audit_records')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('seq')
    .execute()) as AuditRow[]) {
    const hash = hashStoredAuditRecord({ ...row, prev_hash: prevHash });
    await db.updateTable('audit_records').set({ prev_hash: prevHash, hash }).where('id', '=', row.id).execute();
    prevHash = hash;
    seq = Number(row.seq);
  }
  await db.updateTable('audit_heads').set({ seq, hash: prevHash }).where('account_id', '=', accountId).execute();
}

interface Receiver {
  url: string;
  received: Array<{ headers: IncomingHttpHeaders; body: string }>;
  /** Answer 503 to this many requests, then 200. */
  failNext: number;
  /** Answer 500 to every request. */
  down: boolean;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver = { received: [], failNext: 0, down: false } as unknown as Receiver;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const status = receiver.down ? 500 : receiver.failNext-- > 0 ? 503 : 200;
      if (status === 200) receiver.received.push({ headers: request.headers, body });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/anchor`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

describe.each(testDialects())('audit checkpoints and anchors on $name', (dialect) => {
  let testDatabase: TestDatabase;
  let database: PreloopDatabase;
  let db: Kysely<any>;
  let dir: string;
  let anchorFile: string;
  const trails: AuditTrail[] = [];
  const open = (overrides: Partial<AuditTrailOptions> = {}) => {
    const trail = createAuditTrail({
      db,
      dialect: database.dialect,
      secretKey,
      defaultAccountId: accountId,
      checkpointEvery: 10,
      ...overrides,
    });
    trails.push(trail);
    return trail;
  };
  const anchored = () => readAnchorFile(anchorFile);

  beforeEach(async () => {
    testDatabase = await dialect.create();
    database = await openDatabase(testDatabase.url);
    await migrateDatabase(database, []);
    db = database.db;
    dir = await mkdtemp(path.join(tmpdir(), 'preloop-anchor-'));
    anchorFile = path.join(dir, 'anchor', 'audit.jsonl');
  });
  afterEach(async () => {
    for (const trail of trails.splice(0)) await trail.close();
    await database.close();
    await testDatabase.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('requires a checkpoint for every full interval: deleted checkpoints are a finding', async () => {
    const trail = open();
    await appendMany(trail, 25);
    expect(await trail.verify(accountId)).toMatchObject({ ok: true, records: 25, checkpoints: 2 });

    await db.deleteFrom('audit_checkpoints').where('seq', '=', 20).execute();
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({
      seq: 20,
      reason: 'missing_checkpoint',
      message: expect.stringContaining('positions 11–20'),
    });

    await db.deleteFrom('audit_checkpoints').execute();
    expect(await trail.verify(accountId)).toMatchObject({ ok: false, records: 9, firstBroken: { seq: 10, reason: 'missing_checkpoint' } });
    // A checkpoint signed on demand inside the interval does not stand in for the one at its end.
    await trail.checkpoint(accountId);
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({ seq: 10, reason: 'missing_checkpoint' });
    // The interval check can be relaxed explicitly (for a trail written with a larger interval).
    expect(await trail.verify(accountId, { checkpointEvery: 30 })).toMatchObject({ ok: true, records: 25 });
  });

  it('names the chain head or the signed checkpoint that outlives deleted records', async () => {
    const trail = open();
    await appendMany(trail, 12);
    await db.deleteFrom('audit_records').where('seq', '>=', 7).execute();
    const byHead = (await trail.verify(accountId)).firstBroken!;
    expect(byHead.message).toBe('The chain ends at position 6, but the chain head covers position 12 (records deleted from the end).');
    const six = await db.selectFrom('audit_records').select('hash').where('seq', '=', 6).executeTakeFirstOrThrow();
    await db.updateTable('audit_heads').set({ seq: 6, hash: six.hash }).where('account_id', '=', accountId).execute();
    const byCheckpoint = (await trail.verify(accountId)).firstBroken!;
    expect(byCheckpoint).toMatchObject({ seq: 7, reason: 'missing' });
    expect(byCheckpoint.message).toBe(
      'The chain ends at position 6, but a signed checkpoint covers position 10 (records deleted from the end).',
    );
  });

  it('exports every signed checkpoint to an append-only JSONL file and verifies against it', async () => {
    const trail = open({ anchors: [createFileAnchorSink({ path: anchorFile })] });
    await appendMany(trail, 25);
    await trail.checkpoint(accountId);
    expect(await trail.exportAnchors()).toMatchObject({ pending: 0 });
    const lines = (await readFile(anchorFile, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const entries = lines.map((line) => JSON.parse(line) as AnchoredCheckpoint);
    expect(entries.map((entry) => entry.seq)).toEqual([10, 20, 25]);
    for (const entry of entries) expect(verifyCheckpoint(trail.publicKey().pem, entry, entry.signature)).toBe(true);
    // Exported once: another pass writes nothing.
    expect(await trail.exportAnchors()).toEqual({ exported: 0, pending: 0 });
    expect(await trail.verify(accountId)).toMatchObject({ ok: true, anchored: 3 });
    expect(await trail.verify(accountId, { anchor: await anchored() })).toMatchObject({ ok: true, anchored: 3 });
    expect(await trail.verify(accountId, { anchor: false })).not.toHaveProperty('anchored');
  });

  it('tamper: deleted checkpoints are named by the anchor', async () => {
    const trail = open({ anchors: [createFileAnchorSink({ path: anchorFile })] });
    await appendMany(trail, 25);
    await trail.exportAnchors();
    await db.deleteFrom('audit_checkpoints').execute();
    expect(await trail.verify(accountId, { anchor: await anchored() })).toMatchObject({
      ok: false,
      firstBroken: { seq: 10, reason: 'anchored_checkpoint_missing' },
    });
  });

  it('tamper: a truncated tail with the head rewritten past the last checkpoint is caught only by the anchor', async () => {
    const trail = open({ anchors: [createFileAnchorSink({ path: anchorFile })] });
    await appendMany(trail, 25);
    await trail.exportAnchors();
    // Delete records 16–25 and the checkpoint at 20 that proves them, and roll the head back to 15.
    await db.deleteFrom('audit_records').where('seq', '>', 15).execute();
    await db.deleteFrom('audit_checkpoints').where('seq', '>', 15).execute();
    const fifteen = await db.selectFrom('audit_records').select('hash').where('seq', '=', 15).executeTakeFirstOrThrow();
    await db.updateTable('audit_heads').set({ seq: 15, hash: fifteen.hash }).where('account_id', '=', accountId).execute();
    // The database alone is consistent again (see the threat model in docs/audit.md)…
    expect(await trail.verify(accountId, { anchor: false })).toMatchObject({ ok: true, records: 15 });
    // …the anchor is not.
    expect(await trail.verify(accountId, { anchor: await anchored() })).toMatchObject({
      ok: false,
      records: 15,
      firstBroken: {
        seq: 16,
        id: null,
        reason: 'truncated',
        message: expect.stringContaining('anchor holds a signed checkpoint at position 20'),
      },
    });
  });

  it('tamper: a record rewritten and every checkpoint re-signed with the database-held key is caught by the anchor', async () => {
    const trail = open({ anchors: [createFileAnchorSink({ path: anchorFile })] });
    await appendMany(trail, 25);
    await trail.exportAnchors();
    await db.updateTable('audit_records').set({ outcome: 'failure' }).where('seq', '=', 3).execute();
    await rehashChain(db);
    const stolen = createCheckpointSigner(secretKey);
    for (const checkpoint of await db.selectFrom('audit_checkpoints').selectAll().execute()) {
      const record = await db.selectFrom('audit_records').select('hash').where('seq', '=', checkpoint.seq).executeTakeFirstOrThrow();
      await db
        .updateTable('audit_checkpoints')
        .set({ hash: record.hash, signature: stolen.sign({ accountId, seq: Number(checkpoint.seq), hash: record.hash }) })
        .where('id', '=', checkpoint.id)
        .execute();
    }
    expect(await trail.verify(accountId, { anchor: false })).toMatchObject({ ok: true, records: 25, checkpoints: 2 });
    expect(await trail.verify(accountId, { anchor: await anchored() })).toMatchObject({
      ok: false,
      firstBroken: { seq: 10, reason: 'anchor_mismatch', message: expect.stringContaining('rewritten after it was anchored') },
    });
    // The forged checkpoints carry new signatures, so the exporter appends them: the anchor keeps the originals, and still disagrees.
    await trail.exportAnchors();
    expect((await anchored()).length).toBe(4);
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({ seq: 10, reason: 'anchor_mismatch' });
  });

  it('an altered anchor entry (invalid signature) is a finding, and a malformed anchor file is an error naming the line', async () => {
    const trail = open({ anchors: [createFileAnchorSink({ path: anchorFile })] });
    await appendMany(trail, 10);
    await trail.exportAnchors();
    const [entry] = await anchored();
    await writeFile(anchorFile, `${JSON.stringify({ ...entry, signature: Buffer.alloc(64, 1).toString('base64') })}\n`);
    expect((await trail.verify(accountId)).firstBroken).toMatchObject({
      seq: 10,
      reason: 'anchor_mismatch',
      message: expect.stringContaining('invalid signature'),
    });
    await writeFile(anchorFile, `${JSON.stringify(entry)}\nnot json\n`);
    await expect(trail.verify(accountId)).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('line 2') });
    // A torn last append (crash mid-write) is not an anchored checkpoint, and the next append starts a new line.
    await writeFile(anchorFile, `${JSON.stringify(entry)}\n{"v":1,"id":"ckp_torn`);
    expect(await trail.verify(accountId)).toMatchObject({ ok: true, anchored: 1 });
    await createFileAnchorSink({ path: anchorFile }).write(entry!);
    expect((await anchored()).length).toBe(2);
  });

  it('after a key rotation, re-signed checkpoints are anchored again and old anchored ones still match', async () => {
    const sink = createFileAnchorSink({ path: anchorFile });
    const trail = open({ anchors: [sink] });
    await appendMany(trail, 20);
    await trail.exportAnchors();
    await trail.close();
    const newKey = 'rotated-anchor-key-abcdefghijklmnopqrstuvwxyz012';
    const rotating = open({ secretKey: newKey, previousSecretKeys: [secretKey], anchors: [sink] });
    expect(await rotating.rotate()).toEqual({ resigned: 2 });
    await rotating.exportAnchors();
    const entries = await anchored();
    expect(entries.map((entry) => entry.keyId)).toEqual([
      trail.publicKey().keyId,
      trail.publicKey().keyId,
      rotating.publicKey().keyId,
      rotating.publicKey().keyId,
    ]);
    // Without the old key, the old entries' signatures cannot be checked, but their hashes still must match.
    expect(await open({ secretKey: newKey, anchors: [sink] }).verify(accountId)).toMatchObject({ ok: true, anchored: 4 });
  });

  it('a webhook anchor receives signed checkpoints; a failing one never fails a record, and what it missed is exported later', async () => {
    const receiver = await startReceiver();
    try {
      receiver.failNext = 1;
      const sink = createWebhookAnchorSink({ url: receiver.url, secret: webhookSecret, attempts: 2 });
      const trail = open({ anchors: [sink] });
      await appendMany(trail, 10);
      expect(await trail.exportAnchors()).toMatchObject({ pending: 0 });
      // Retried after the 503.
      expect(receiver.received).toHaveLength(1);
      const [delivery] = receiver.received;
      const entry = JSON.parse(delivery!.body) as AnchoredCheckpoint;
      expect(entry).toMatchObject({ v: 1, accountId, seq: 10 });
      expect(verifyCheckpoint(trail.publicKey().raw, entry, entry.signature)).toBe(true);
      const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature } = delivery!.headers;
      const key = Buffer.from(webhookSecret.slice('whsec_'.length), 'base64');
      expect(signature).toBe(`v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${delivery!.body}`).digest('base64')}`);

      // The receiver is down for every attempt: records still succeed; the checkpoint waits.
      receiver.down = true;
      await appendMany(trail, 10);
      expect(await trail.exportAnchors()).toEqual({ exported: 0, pending: 1 });
      await trail.close();
      expect(receiver.received).toHaveLength(1);

      // After a restart with the receiver back, the missed checkpoint is exported (once).
      receiver.down = false;
      const restarted = open({ anchors: [createWebhookAnchorSink({ url: receiver.url, secret: webhookSecret })] });
      expect(await restarted.exportAnchors()).toMatchObject({ pending: 0 });
      expect(receiver.received.map((r) => (JSON.parse(r.body) as AnchoredCheckpoint).seq)).toEqual([10, 20]);
      expect(receiver.received[1]!.headers['webhook-id']).not.toBe(id);
    } finally {
      await receiver.close();
    }
  });

  it('refuses anchors it cannot use', () => {
    expect(() => open({ anchors: [{ name: '', write: async () => {} }] })).toThrow(
      expect.objectContaining({ code: 'CONFIGURATION_ERROR' }),
    );
    const sink = createFileAnchorSink({ path: anchorFile });
    expect(() => open({ anchors: [sink, createFileAnchorSink({ path: anchorFile })] })).toThrow(/two anchors are named/);
    expect(() => createWebhookAnchorSink({ url: 'ftp://example.com' })).toThrow(expect.objectContaining({ code: 'CONFIGURATION_ERROR' }));
    expect(() => createWebhookAnchorSink({ url: 'http://127.0.0.1/x', secret: 'whsec_c2hvcnQ=' })).toThrow(/at least 24 bytes/);
  });
});
