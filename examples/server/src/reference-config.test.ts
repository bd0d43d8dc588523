import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@preloop/core';
import { startMockUpstream } from '../../../packages/gateway/test-fixtures/mock-upstream.js';
import { startReferenceServer } from './reference-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'preloop-reference-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const policy = `version: 1
defaults:
  tools: require_approval
  workflow: admins
  models:
    allow: ["fast"]
workflows:
  admins:
    approvers: { roles: [owner, admin] }
rules: []
`;

describe('reference server with a configuration file', () => {
  it('applies models and the policy idempotently, and serves the gateway to the official OpenAI client', async () => {
    const upstream = await startMockUpstream({ credentials: ['sk-upstream-secret-123'] });
    const config = path.join(dir, 'preloop.yaml');
    writeFileSync(path.join(dir, 'policy.yaml'), policy);
    writeFileSync(
      config,
      [
        'models:',
        '  - alias: fast',
        '    provider: openai',
        '    model: gpt-4o-mini',
        `    baseUrl: \${UPSTREAM_URL}/v1`,
        '    apiKey: ${UPSTREAM_KEY}',
        'policy: ./policy.yaml',
        '',
      ].join('\n'),
    );
    const env = {
      PRELOOP_DATA_DIR: path.join(dir, 'data'),
      PRELOOP_CONFIG: config,
      UPSTREAM_URL: upstream.url,
      UPSTREAM_KEY: 'sk-upstream-secret-123',
    };
    const logs: string[] = [];
    const logger = createLogger({ level: 'info', write: (line) => logs.push(line) });
    const server = await startReferenceServer({ env, port: 0, logger });
    try {
      expect(logs.join('\n')).toContain('model alias \\"fast\\" created');
      const { key } = await server.preloop.identity.apiKeys.create(server.preloop.accountId, { name: 'agent', scopes: ['gateway'] });
      const client = new OpenAI({ apiKey: key, baseURL: `${server.url}/openai/v1`, maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hello' }] });
      expect(completion.choices[0]?.message).toBeDefined();
      expect(upstream.requests.at(-1)?.headers.authorization).toBe('Bearer sk-upstream-secret-123');
      expect(JSON.stringify(completion)).not.toContain('sk-upstream-secret-123');
      await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
        status: 404,
        code: 'model_not_found',
      });
      expect((await server.preloop.governance.policies.versions(server.preloop.accountId)).length).toBe(2);
    } finally {
      await server.close();
    }
    const again = await startReferenceServer({ env, port: 0, logger });
    try {
      expect(logs.join('\n')).toContain('is already in force');
      expect((await again.preloop.governance.policies.versions(again.preloop.accountId)).length).toBe(2);
    } finally {
      await again.close();
      await upstream.close();
    }
  });
});
