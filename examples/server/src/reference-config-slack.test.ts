import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@preloop/core';
import { signSlackRequest } from '@preloop/plugin-slack';
import { afterAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from './reference-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'preloop-reference-slack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const signingSecret = '8f742231b10e8888abcd99yyyzzz85a5';

describe('reference server with Slack and Mattermost in its configuration file', () => {
  it('installs the notifiers from plugins.slack / plugins.mattermost and serves the signed Slack interactivity endpoint', async () => {
    const config = path.join(dir, 'preloop.yaml');
    writeFileSync(
      config,
      [
        'plugins:',
        '  slack:',
        '    botToken: ${SLACK_BOT_TOKEN}',
        '    signingSecret: ${SLACK_SIGNING_SECRET}',
        '    channel: C0123456789',
        '  mattermost:',
        '    url: ${MATTERMOST_WEBHOOK_URL}',
        '',
      ].join('\n'),
    );
    const env = {
      PRELOOP_DATA_DIR: path.join(dir, 'data'),
      PRELOOP_CONFIG: config,
      SLACK_BOT_TOKEN: 'xoxb-1-2-reference',
      SLACK_SIGNING_SECRET: signingSecret,
      MATTERMOST_WEBHOOK_URL: 'http://127.0.0.1:9/hooks/abc',
    };
    const logs: string[] = [];
    const server = await startReferenceServer({ env, port: 0, logger: createLogger({ level: 'info', write: (line) => logs.push(line) }) });
    try {
      expect(server.preloop.service('approvals').notifiers.map((notifier) => [notifier.id, notifier.audience])).toEqual(
        expect.arrayContaining([
          ['slack', 'channel'],
          ['mattermost', 'channel'],
        ]),
      );
      const url = `${server.url}/api/v1/slack/interactions`;
      const body = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'preloop.view' }] }))}`;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const forged = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': signSlackRequest({ signingSecret: 'wrong-secret-wrong-secret', timestamp, body }),
        },
        body,
      });
      expect(forged.status).toBe(401);
      const genuine = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': signSlackRequest({ signingSecret, timestamp, body }),
        },
        body,
      });
      expect(genuine.status).toBe(200);
      expect(logs.join('\n')).not.toContain(signingSecret);
      expect(logs.join('\n')).not.toContain('xoxb-1-2-reference');
    } finally {
      await server.close();
    }
  });
});
