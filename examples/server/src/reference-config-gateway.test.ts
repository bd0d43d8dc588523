import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@preloop/core';
import type {} from '@preloop/gateway';
import { startMockUpstream } from '../../../packages/gateway/test-fixtures/mock-upstream.js';
import { loadConfigFile } from './config/load-config.js';
import { startReferenceServer } from './reference-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'preloop-reference-gateway-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const policy = { version: 1, defaults: { tools: 'deny', models: { allow: ['fast', 'legacy'] } } };

describe("the reference server's gateway configuration", () => {
  it('applies the gateway section (body limit, timeouts, rate limits, auditCalls) and the full prices vocabulary', async () => {
    const upstream = await startMockUpstream({ credentials: ['sk-upstream-secret-123'] });
    const config = path.join(dir, 'gateway.yaml');
    writeFileSync(
      config,
      [
        'models:',
        '  - alias: fast',
        '    provider: openai',
        '    model: gpt-4o-mini',
        '    baseUrl: ${UPSTREAM_URL}/v1',
        '    apiKey: ${UPSTREAM_KEY}',
        '    prices: { input: 3, output: 15, cachedInput: 0.3, cacheWriteInput: 3.75, longContext: { thresholdInputTokens: 200000, input: 6, output: 22.5 } }',
        '  - alias: legacy',
        '    provider: openai',
        '    model: gpt-4o-mini',
        '    baseUrl: ${UPSTREAM_URL}/v1',
        '    apiKey: ${UPSTREAM_KEY}',
        '    prices: { input: 1, output: 2, cached: 0.5 }',
        'gateway:',
        '  bodyLimitBytes: 2048',
        '  timeouts: { firstByteMs: 300, idleMs: 5000, totalMs: 60000 }',
        '  rateLimits: { apiKey: { requestsPerMinute: 1, burst: 2 } }',
        '  auditCalls: failures',
        '  capture: { bodies: true, maxBytes: 4096 }',
        `policy: ${JSON.stringify(policy)}`,
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
    const server = await startReferenceServer({ env, port: 0, logger: createLogger({ level: 'info', write: (line) => logs.push(line) }) });
    try {
      // Prices: one vocabulary with the admin API; the deprecated `cached` is read as cachedInput, with a warning.
      const aliases = await server.preloop.service('gateway').models.list(server.preloop.accountId);
      expect(aliases.find((alias) => alias.alias === 'fast')?.prices).toEqual({
        input: 3,
        output: 15,
        cachedInput: 0.3,
        cacheWriteInput: 3.75,
        longContext: { thresholdInputTokens: 200000, input: 6, output: 22.5 },
      });
      expect(aliases.find((alias) => alias.alias === 'legacy')?.prices).toEqual({ input: 1, output: 2, cachedInput: 0.5 });
      expect(logs.join('\n')).toMatch(/prices\.cached is deprecated; rename it prices\.cachedInput/);

      const { key } = await server.preloop.identity.apiKeys.create(server.preloop.accountId, { name: 'agent', scopes: ['gateway'] });
      const openai = new OpenAI({ apiKey: key, baseURL: `${server.url}/openai/v1`, maxRetries: 0 });
      // The audit of successful calls is off (auditCalls: failures).
      await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hello' }] });
      // The body limit.
      await expect(
        openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x'.repeat(4096) }] }),
      ).rejects.toMatchObject({ status: 413, code: 'request_too_large' });
      // The first-byte timeout.
      upstream.handle = () => ({ json: {}, delayMs: 20_000 });
      await expect(openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'slow' }] })).rejects.toMatchObject({
        status: 504,
        code: 'upstream_timeout',
      });
      upstream.handle = null;
      // The rate limit (burst 2: the completion and the timed-out call took the bucket; the 413 came before it).
      const anthropic = new Anthropic({ apiKey: key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
      await expect(
        anthropic.messages.create({ model: 'fast', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
      ).rejects.toMatchObject({ status: 429, error: { error: { type: 'rate_limit_error' } } });
      await server.preloop.service('gateway').flush();
      const audited = await server.preloop.audit.query({ accountId: server.preloop.accountId, action: 'model.call' } as never);
      expect(audited.items.map((record) => record.outcome).sort()).not.toContain('success');
      expect(audited.items.length).toBeGreaterThan(0);
    } finally {
      await server.close();
      await upstream.close();
    }
  });

  it('refuses an unknown gateway option, a bad value, and cached given with cachedInput, naming line and path', async () => {
    const file = path.join(dir, 'bad-gateway.yaml');
    writeFileSync(
      file,
      [
        'models:',
        '  - alias: fast',
        '    provider: openai',
        '    model: gpt-4o-mini',
        '    prices: { input: 1, output: 2, cached: 0.5, cachedInput: 0.4 }',
        'gateway:',
        '  bodyLimit: 1000',
        '  timeouts: { firstByteMs: -5 }',
        '  auditCalls: some',
        '',
      ].join('\n'),
    );
    const message = await loadConfigFile(file, {}).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(message).toMatch(/line 5: models\[0\]\.prices\.cached: cached is the deprecated name of cachedInput; give cachedInput only/);
    expect(message).toMatch(/gateway: Unrecognized key: "bodyLimit"/);
    expect(message).toMatch(/line 8: gateway\.timeouts\.firstByteMs/);
    expect(message).toMatch(/line 9: gateway\.auditCalls/);
  });
});
