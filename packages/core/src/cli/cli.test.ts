import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cliAgainst, useCliDataDir } from './cli-test-support.js';

const dir = useCliDataDir('preloop-cli-');
const database = `sqlite:${path.join(dir, 'cli.db')}`;
const cli = cliAgainst(() => database);

describe('preloop CLI', () => {
  it('migrates, creates an admin, and creates, lists and revokes API keys (printing the key once)', async () => {
    expect((await cli('migrate')).code).toBe(0);
    const admin = await cli('create-admin', '--email', 'ops@example.com');
    expect(admin.code).toBe(0);
    expect(admin.out).toMatch(/Password \(shown once\): \S{12,}/);
    expect((await cli('create-admin', '--email', 'ops@example.com')).code).toBe(1);

    const created = await cli('api-key', 'create', '--name', 'ci', '--scopes', 'mcp,gateway', '--user', 'ops@example.com');
    expect(created.code).toBe(0);
    const key = created.out.match(/Key \(shown once, store it now\): (plk_\S+)/)![1]!;
    const id = created.out.match(/Created API key (\S+)/)![1]!;
    const listed = await cli('api-key', 'list');
    expect(listed.out).toContain(id);
    expect(listed.out).toContain('active');
    expect(listed.out).not.toContain(key);
    expect((await cli('api-key', 'revoke', id)).code).toBe(0);
    expect((await cli('api-key', 'list')).out).toMatch(new RegExp(`${id}.*revoked`));
  });

  it('verifies the audit trail and names the first broken record after tampering', async () => {
    const ok = await cli('audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/Audit trail intact: \d+ records/);
    const sqlite = new Database(path.join(dir, 'cli.db'));
    sqlite.prepare("UPDATE audit_records SET outcome = 'tampered' WHERE seq = 2").run();
    sqlite.close();
    const broken = await cli('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/BROKEN at record #2/);
  });

  it('validates, tests, applies, lists, diffs and rolls back policies, and pulls the kill switch', async () => {
    const good = path.join(dir, 'good.yaml');
    writeFileSync(
      good,
      'version: 1\ndefaults:\n  tools: deny\nrules:\n  - tool: "github.get_*"\n    action: allow\ntests:\n  - name: reads\n    tool: github.get_issue\n    expect: allow\n',
    );
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\ndefaults:\n  tools: deny\nrules:\n  - tool: x\n    action: perhaps\n');
    const failing = path.join(dir, 'failing.yaml');
    writeFileSync(
      failing,
      'version: 1\ndefaults:\n  tools: deny\ntests:\n  - name: reads\n    tool: github.get_issue\n    expect: allow\n',
    );

    expect((await cli('policy', 'validate', good)).out).toMatch(/Valid\. 1 test\(s\) passed/);
    const invalid = await cli('policy', 'validate', bad);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/line 6: rules\[0\]\.action/);
    const missed = await cli('policy', 'test', failing);
    expect(missed.code).toBe(1);
    expect(missed.err).toMatch(/FAIL reads: expected allow, got deny/);

    expect((await cli('policy', 'apply', bad)).code).toBe(1);
    expect((await cli('policy', 'apply', good, '--comment', 'reads only')).out).toMatch(/Applied policy version 2/);
    expect((await cli('policy', 'versions')).out).toMatch(/\* v2 .* reads only/);
    expect((await cli('policy', 'diff', '--from', '1', '--to', '2')).out).toContain('github.get_*');
    expect((await cli('policy', 'rollback', '1')).out).toMatch(/as version 3/);
    const simulated = JSON.parse((await cli('policy', 'simulate', '--tool', 'github.create_issue')).out);
    expect(simulated.decision.action).toBe('require_approval');

    expect((await cli('kill-switch', 'on', '--reason', 'drill', '--scopes', 'tools')).out).toMatch(/ON for tools/);
    expect((await cli('kill-switch', 'status')).out).toMatch(/ON for tools: drill/);
    const stopped = JSON.parse((await cli('policy', 'simulate', '--tool', 'github.get_issue', '--read-only')).out);
    expect(stopped.decision.reason).toMatch(/Kill switch active for tools/);
    expect((await cli('kill-switch', 'off')).out).toMatch(/OFF/);
  });

  it('prints help and rejects unknown commands', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('api-key create');
    expect((await cli('frobnicate')).code).toBe(2);
  });
});
