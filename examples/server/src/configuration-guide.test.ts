/**
 * The configuration guide's full example file (docs/configuration.md,
 * "Schema") loads and validates as written, with the environment variables it
 * names set.
 */

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from './config/load-config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const guide = await readFile(path.join(root, 'docs/configuration.md'), 'utf8');
const schemaSection = guide.slice(guide.indexOf('## Schema'));
const example = /^```yaml\n([\s\S]*?)^```$/m.exec(schemaSection)?.[1];
const directory = await mkdtemp(path.join(tmpdir(), 'preloop-configuration-guide-'));

describe('docs/configuration.md', () => {
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('its example file loads and validates as written', async () => {
    expect(example).toBeDefined();
    const file = path.join(directory, 'preloop.yaml');
    await writeFile(file, example!);
    // The file names its policy by a path relative to itself.
    await writeFile(path.join(directory, 'policy.yaml'), 'version: 1\ndefaults:\n  models:\n    allow: [fast]\n');
    const { config } = await loadConfigFile(file, {
      OPENAI_API_KEY: 'sk-test-0123456789',
      DOCS_MCP_TOKEN: 'docs-token',
      ANCHOR_WEBHOOK_SECRET: 'anchor-secret-0123456789abcdef',
      PRELOOP_WEBHOOK_SECRET: 'webhook-secret-0123456789abcdef',
      SLACK_BOT_TOKEN: 'xoxb-1-2-docs',
      SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
      MATTERMOST_WEBHOOK_URL: 'https://mattermost.example.com/hooks/abc123',
      PRELOOP_SMTP_URL: 'smtp://preloop:pa55@smtp.example.com:587',
    });
    expect(config.models?.[0]).toMatchObject({ alias: 'fast', provider: 'openai', apiKey: 'sk-test-0123456789' });
    expect(config.gateway).toMatchObject({ bodyLimitBytes: 33554432, bodyTimeoutMs: 30000, maxFallbacks: 2 });
    expect(config.mcpServers?.map((server) => server.name)).toEqual(['docs', 'files', 'web']);
    expect(config.policy).toContain('allow: [fast]');
    expect(config.plugins).toMatchObject({
      slack: { botToken: 'xoxb-1-2-docs', channel: 'C0123456789' },
      mattermost: { url: 'https://mattermost.example.com/hooks/abc123' },
      email: { url: 'smtp://preloop:pa55@smtp.example.com:587', from: 'Preloop <approvals@example.com>', timeZone: 'Europe/Paris' },
    });
  });
});
