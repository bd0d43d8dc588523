import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { createPreloop } from './create-preloop.js';

const dir = mkdtempSync(path.join(tmpdir(), 'preloop-rotation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const logger = createLogger({ level: 'silent' });
const oldKey = 'old-secret-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const newKey = 'new-secret-key-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

describe('secret key rotation', () => {
  it('re-wraps secrets and re-signs checkpoints so the old key can be dropped', async () => {
    const database = `sqlite:${path.join(dir, 'rotation.db')}`;
    const first = await createPreloop({ database, secretKey: oldKey, logger });
    await first.secrets.set(first.accountId, 'openai', 'sk-live-value');
    await first.audit.record({ actor: { type: 'system' }, action: 'test.event', outcome: 'success' });
    await first.audit.checkpoint(first.accountId);
    await first.close();

    const withoutOld = await createPreloop({ database, secretKey: newKey, logger });
    await expect(withoutOld.secrets.get(withoutOld.accountId, 'openai')).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    expect((await withoutOld.audit.verify(withoutOld.accountId)).ok).toBe(false);
    await withoutOld.close();

    const rotating = await createPreloop({ database, secretKey: newKey, previousSecretKeys: [oldKey], logger });
    expect((await rotating.audit.verify(rotating.accountId)).ok).toBe(true);
    expect((await rotating.secrets.rotate()).rewrapped).toBe(1);
    expect((await rotating.audit.rotate()).resigned).toBeGreaterThan(0);
    await rotating.close();

    const after = await createPreloop({ database, secretKey: newKey, logger });
    expect(await after.secrets.get(after.accountId, 'openai')).toBe('sk-live-value');
    expect((await after.audit.verify(after.accountId)).ok).toBe(true);
    await after.close();
  });
});
