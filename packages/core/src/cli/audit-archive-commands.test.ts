import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCheckpointSigner } from '../audit/checkpoints.js';
import { createPreloop } from '../kernel/create-preloop.js';
import { createLogger } from '../logger.js';
import { resolveLocalSetup } from '../node/local-setup.js';
import { cliAgainst, useCliDataDir } from './cli-test-support.js';

const dir = useCliDataDir('preloop-audit-archive-cli-');

// The CLI opens the database itself; storage behaviour on both dialects is covered by audit-archive.test.ts.
describe('preloop audit archive and verify-archive', () => {
  const url = `sqlite:${path.join(dir, 'archive-cli.db')}`;
  const out = path.join(dir, 'archive');
  const cli = cliAgainst(() => url);

  it('archives records before a date into a segment file, prunes them, and verifies the file with the published public key', async () => {
    const { secretKey } = resolveLocalSetup({ databaseUrl: url });
    const preloop = await createPreloop({ database: url, secretKey, logger: createLogger({ level: 'silent' }), auditCheckpointEvery: 10 });
    for (let i = 0; i < 25; i++)
      await preloop.audit.record({ actor: { type: 'system' }, action: 'cli.test', outcome: 'success', data: { i } });
    const publicKey = preloop.audit.publicKey();
    await preloop.close();
    const pem = path.join(dir, 'audit-public-key.pem');
    writeFileSync(pem, publicKey.pem);

    expect(await cli('audit', 'archive', '--before', 'yesterday', '--out', out)).toMatchObject({
      code: 1,
      err: expect.stringContaining('--before must be a date'),
    });
    expect(await cli('audit', 'archive', '--before', '2020-01-01', '--out', out)).toMatchObject({
      code: 0,
      out: expect.stringContaining('Nothing to archive'),
    });
    const archived = await cli('audit', 'archive', '--before', new Date(Date.now() + 60_000).toISOString(), '--out', out);
    expect(archived.err).toBe('');
    expect(archived.out).toMatch(
      /^Archived acc_\S+ records 1–20 \(20 records, 2 checkpoints\) to .*audit-acc_\S+-000000000001-000000000020\.jsonl, sha256 [0-9a-f]{64}; pruned from the database\.$/,
    );
    const [file] = readdirSync(out).map((name) => path.join(out, name));
    expect((await cli('audit', 'verify', '--checkpoint-every', '10')).out).toMatch(/^Audit trail intact: 6 records/);

    const ok = await cli('audit', 'verify-archive', file!, '--public-key', pem);
    expect(ok).toMatchObject({
      code: 0,
      out: expect.stringMatching(/intact, acc_\S+ records 1–20 \(2 checkpoints\), last hash [0-9a-f]{64}$/),
    });
    // Without --public-key, the local secret key's public half.
    expect((await cli('audit', 'verify-archive', file!)).code).toBe(0);
    const other = path.join(dir, 'other.pem');
    writeFileSync(other, createCheckpointSigner('another-secret-key-0123456789abcdef').publicKey.pem);
    expect(await cli('audit', 'verify-archive', file!, '--public-key', other)).toMatchObject({
      code: 1,
      err: expect.stringContaining('bad_checkpoint'),
    });

    const edited = path.join(dir, 'edited.jsonl');
    writeFileSync(edited, readFileSync(file!, 'utf8').replace('"i":3', '"i":4'));
    expect(await cli('audit', 'verify-archive', edited, '--public-key', pem)).toMatchObject({
      code: 1,
      err: expect.stringMatching(/BROKEN at line 5 \(record #4\): hash_mismatch/),
    });
    expect(await cli('audit', 'verify-archive', path.join(dir, 'absent.jsonl'))).toMatchObject({
      code: 1,
      err: expect.stringContaining('absent.jsonl does not exist'),
    });
  });
});
