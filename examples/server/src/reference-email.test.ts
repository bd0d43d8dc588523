import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, type Principal } from '@preloop/core';
import { startSmtpReceiver } from '../../../packages/plugins/email/src/test-support/smtp-receiver.js';
import { createTestPreloop, testDialects } from '@preloop/core/testing';
import { referencePlugins } from './plugins.js';
import { startReferenceServer } from './reference-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'preloop-email-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const silent = createLogger({ level: 'silent' });

describe('reference server email (PRELOOP_SMTP_URL, PRELOOP_EMAIL_FROM)', () => {
  it('mails approval requests to the approvers with decision links under the public URL', async () => {
    const receiver = await startSmtpReceiver({ tls: 'none' });
    const env = { PRELOOP_SMTP_URL: `smtp://127.0.0.1:${receiver.port}?tls=none`, PRELOOP_EMAIL_FROM: 'Preloop <approvals@example.com>' };
    // The reference server's plugins as startReferenceServer builds them from its environment (its start-up is tested below).
    const test = await createTestPreloop(testDialects()[0]!, { plugins: referencePlugins(null, 'https://preloop.example.com', env) });
    try {
      const { preloop } = test;
      const admin = await preloop.identity.users.create(preloop.accountId, { email: 'admin@example.com', name: 'Admin', role: 'admin' });
      const agent: Principal = {
        type: 'agent',
        id: 'agt_1',
        accountId: preloop.accountId,
        name: 'builder',
        role: null,
        userId: null,
        apiKeyId: null,
        agentId: 'agt_1',
        runtimeSessionId: null,
        teamIds: [],
        scopes: ['mcp'],
      };
      const engine = preloop.service('approvals');
      const ticket = await engine.request({
        principal: agent,
        tool: { name: 'deploy', definitionHash: null },
        args: { env: 'prod' },
        workflow: 'default',
      });
      await engine.notificationsIdle();
      expect(receiver.mails).toHaveLength(1);
      expect(receiver.mails[0]!.to).toEqual([admin.email]);
      expect(receiver.mails[0]!.parsed.text).toContain(`Approve: https://preloop.example.com/api/v1/approvals/${ticket.id}/links/pla_`);
    } finally {
      await test.cleanup();
      await receiver.close();
    }
  });

  it('refuses to start without PRELOOP_EMAIL_FROM, or with a URL that is not SMTP (without echoing its password)', async () => {
    const base = { PRELOOP_ADMIN_PASSWORD: 'the first admin password' };
    await expect(
      startReferenceServer({
        env: { ...base, PRELOOP_DATA_DIR: path.join(dir, 'a'), PRELOOP_SMTP_URL: 'smtp://smtp.example.com' },
        port: 0,
        logger: silent,
      }),
    ).rejects.toThrow(/PRELOOP_SMTP_URL is set but PRELOOP_EMAIL_FROM is not/);
    const error = await startReferenceServer({
      env: {
        ...base,
        PRELOOP_DATA_DIR: path.join(dir, 'b'),
        PRELOOP_SMTP_URL: 'https://mailer:s3cret-pw@smtp.example.com',
        PRELOOP_EMAIL_FROM: 'approvals@example.com',
      },
      port: 0,
      logger: silent,
    }).catch((caught: Error) => caught);
    expect(error).toMatchObject({
      code: 'CONFIGURATION_ERROR',
      message: expect.stringContaining('option "PRELOOP_SMTP_URL" must be smtp://'),
    });
    expect((error as Error).message).not.toContain('s3cret-pw');
  });
});
