import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, readAnchorFile } from '@preloop/core';
import { startReferenceServer } from './reference-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'preloop-reference-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reference server audit settings', () => {
  const config = path.join(dir, 'preloop.yaml');
  const start = (lines: string[]) => {
    writeFileSync(config, [...lines, ''].join('\n'));
    return startReferenceServer({
      env: { PRELOOP_DATA_DIR: path.join(dir, 'data'), PRELOOP_CONFIG: config },
      port: 0,
      logger: createLogger({ level: 'silent' }),
    });
  };

  it('exports signed checkpoints to the file anchor of the config file (relative to it) at its interval, and verifies against it', async () => {
    const server = await start(['audit:', '  checkpointEvery: 5', '  anchors:', '    - type: file', '      path: ./anchor/audit.jsonl']);
    try {
      const { preloop } = server;
      for (let i = 0; i < 12; i++) await preloop.audit.record({ actor: { type: 'system' }, action: 'reference.test', outcome: 'success' });
      expect(await preloop.audit.exportAnchors()).toMatchObject({ pending: 0 });
      const report = await preloop.audit.verify(preloop.accountId);
      expect(report).toMatchObject({ ok: true });
      expect(report.anchored).toBeGreaterThanOrEqual(2);
    } finally {
      await server.close();
    }
    const anchored = await readAnchorFile(path.join(dir, 'anchor', 'audit.jsonl'));
    expect(anchored.length).toBeGreaterThanOrEqual(2);
    expect(anchored.every((entry) => entry.seq % 5 === 0)).toBe(true);
  });

  it('refuses an unknown anchor type, naming the option', async () => {
    await expect(start(['audit:', '  anchors:', '    - type: s3', '      bucket: audit'])).rejects.toThrow(/audit\.anchors\[0\]/);
  });
});
