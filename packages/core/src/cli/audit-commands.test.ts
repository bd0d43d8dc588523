import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileAnchorSink } from '../audit/anchor-file.js';
import { createPreloop } from '../kernel/create-preloop.js';
import { createLogger } from '../logger.js';
import { resolveLocalSetup } from '../node/local-setup.js';
import { openDatabase } from '../storage/database.js';
import { testDialects, type TestDatabase } from '../testing/test-databases.js';
import { cliAgainst, useCliDataDir } from './cli-test-support.js';

const dir = useCliDataDir('preloop-audit-cli-');
const anchorFile = path.join(dir, 'anchor.jsonl');

describe.each(testDialects())('preloop audit verify on $name', (dialect) => {
  let testDatabase: TestDatabase;
  // The CLI opens the database itself: SQLite needs a file rather than :memory:.
  let url: string;
  const cli = cliAgainst(() => url);

  beforeAll(async () => {
    testDatabase = await dialect.create();
    url = testDatabase.url === ':memory:' ? `sqlite:${path.join(dir, 'audit-cli.db')}` : testDatabase.url;
    rmSync(anchorFile, { force: true });
  });
  afterAll(async () => {
    await testDatabase.drop();
  });

  it('checks the chain against a file anchor written by createPreloop({ auditAnchors }) and names what was tampered with', async () => {
    const { secretKey } = resolveLocalSetup({ databaseUrl: url });
    const preloop = await createPreloop({
      database: url,
      secretKey,
      logger: createLogger({ level: 'silent' }),
      auditCheckpointEvery: 10,
      auditAnchors: [createFileAnchorSink({ path: anchorFile })],
    });
    for (let i = 0; i < 25; i++)
      await preloop.audit.record({ actor: { type: 'system' }, action: 'cli.test', outcome: 'success', data: { i } });
    await preloop.close();

    const ok = await cli('audit', 'verify', '--anchor', `file:${anchorFile}`, '--checkpoint-every', '10');
    expect(ok.err).toBe('');
    expect(ok.out).toMatch(/^Audit trail intact: \d+ records, 2 signed checkpoints verified, 2 anchored checkpoints matched\.$/);
    // The CLI's default interval (1000) is not reached by this short trail either.
    expect((await cli('audit', 'verify')).code).toBe(0);

    const database = await openDatabase(url);
    try {
      await database.db.deleteFrom('audit_checkpoints').execute();
    } finally {
      await database.close();
    }
    const withoutAnchor = await cli('audit', 'verify', '--checkpoint-every', '10');
    expect(withoutAnchor.code).toBe(1);
    expect(withoutAnchor.err).toMatch(/BROKEN at record #10 \(aud_\S+\): missing_checkpoint\. No signed checkpoint covers positions 1–10/);
    const withAnchor = await cli('audit', 'verify', '--anchor', `file:${anchorFile}`, '--checkpoint-every', '10');
    expect(withAnchor.code).toBe(1);
    expect(withAnchor.err).toMatch(
      /BROKEN at record #10 .*: anchored_checkpoint_missing\. The anchor holds checkpoint ckp_\S+ at position 10/,
    );
  });

  it('refuses an anchor it cannot read, naming the problem', async () => {
    const wrongScheme = await cli('audit', 'verify', '--anchor', 's3://bucket/anchor.jsonl');
    expect(wrongScheme).toMatchObject({ code: 1, err: expect.stringContaining('--anchor must be file:<path>') });
    const missing = await cli('audit', 'verify', '--anchor', `file:${path.join(dir, 'absent.jsonl')}`);
    expect(missing).toMatchObject({ code: 1, err: expect.stringContaining('absent.jsonl does not exist') });
    const badInterval = await cli('audit', 'verify', '--checkpoint-every', 'ten');
    expect(badInterval).toMatchObject({ code: 1, err: expect.stringContaining('--checkpoint-every must be a whole number') });
  });
});
