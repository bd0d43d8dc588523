import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyCheckpoint } from '../../audit/checkpoints.js';
import { callApi, seedUser, type SeededUser } from '../../identity/identity-test-support.js';
import { createTestPreloop, type TestPreloop } from '../../testing/create-test-preloop.js';
import { testDialects } from '../../testing/test-databases.js';

describe.each(testDialects())('audit routes on $name', (dialect) => {
  let test: TestPreloop;
  let admin: SeededUser;
  let viewer: SeededUser;

  beforeEach(async () => {
    test = await createTestPreloop(dialect, { auditCheckpointEvery: 5 });
    admin = await seedUser(test.preloop, 'admin');
    viewer = await seedUser(test.preloop, 'viewer');
    for (let i = 0; i < 6; i++) {
      await test.preloop.audit.record({
        actor: { type: 'system' },
        action: i % 2 ? 'tool.call' : 'model.call',
        outcome: 'success',
        runtimeSessionId: 'rs_1',
        data: { i },
      });
    }
  });
  afterEach(() => test.cleanup());

  it('lists records newest first with filters and a cursor (viewer and up)', async () => {
    const all = await callApi(test.preloop, 'GET', '/audit?limit=200', { bearer: viewer.key });
    expect(all.status).toBe(200);
    const seqs = all.body.items.map((r: { seq: number }) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a: number, b: number) => b - a));

    const first = await callApi(test.preloop, 'GET', '/audit?action=tool.*&limit=2', { bearer: viewer.key });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items.every((r: { action: string }) => r.action === 'tool.call')).toBe(true);
    const second = await callApi(test.preloop, 'GET', `/audit?action=tool.*&limit=2&cursor=${first.body.nextCursor}`, {
      bearer: viewer.key,
    });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();

    const one = await callApi(test.preloop, 'GET', `/audit/${first.body.items[0].id}`, { bearer: viewer.key });
    expect(one.body).toEqual(first.body.items[0]);
    expect((await callApi(test.preloop, 'GET', '/audit/aud_missing', { bearer: viewer.key })).status).toBe(404);
  });

  it('validates query parameters, naming the field', async () => {
    const bad = await callApi(test.preloop, 'GET', '/audit?limit=0', { bearer: viewer.key });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe('limit');
    expect((await callApi(test.preloop, 'GET', '/audit?cursor=%%%', { bearer: viewer.key })).status).toBe(400);
    expect((await callApi(test.preloop, 'GET', '/audit?unknown=1', { bearer: viewer.key })).body.error.details.issues[0].message).toMatch(
      /unknown/i,
    );
  });

  it('verifies for admins only, and audits the verification', async () => {
    expect((await callApi(test.preloop, 'POST', '/audit/verify', { bearer: viewer.key })).status).toBe(403);
    expect((await callApi(test.preloop, 'POST', '/audit/verify')).status).toBe(401);
    const report = await callApi(test.preloop, 'POST', '/audit/verify', { bearer: admin.key });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ ok: true, accountId: test.preloop.accountId });
    expect(report.body.checkpoints).toBeGreaterThanOrEqual(1);
    const audited = await callApi(test.preloop, 'GET', '/audit?action=audit.verify', { bearer: viewer.key });
    expect(audited.body.items[0]).toMatchObject({ outcome: 'success', actorType: 'api_key' });

    await test.preloop.db.updateTable('audit_records').set({ outcome: 'failure' }).where('seq', '=', 3).execute();
    const broken = await callApi(test.preloop, 'POST', '/audit/verify', { bearer: admin.key });
    expect(broken.body).toMatchObject({ ok: false, firstBroken: { seq: 3, reason: 'hash_mismatch' } });
  });

  it('reports the archive boundary verification started from, after archive-then-prune', async () => {
    const [archived] = await test.preloop.audit.archive({
      accountId: test.preloop.accountId,
      before: 10,
      write: async (_header, lines) => {
        for await (const _line of lines);
      },
    });
    const report = await callApi(test.preloop, 'POST', '/audit/verify', { bearer: admin.key });
    expect(report.body).toMatchObject({ ok: true, boundary: { seq: archived!.lastSeq, hash: archived!.lastHash } });
  });

  it('publishes the checkpoint public key', async () => {
    const key = await callApi(test.preloop, 'GET', '/audit/public-key', { bearer: viewer.key });
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({ algorithm: 'Ed25519', keyId: test.preloop.audit.publicKey().keyId });
    const checkpoint = (await test.preloop.audit.checkpoint(test.preloop.accountId))!;
    expect(verifyCheckpoint(key.body.pem, checkpoint, checkpoint.signature)).toBe(true);
  });
});
