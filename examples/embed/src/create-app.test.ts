import { describe, expect, it } from 'vitest';
import { createLogger, createPreloop } from '@preloop/core';
import { createApp } from './create-app.js';

describe('embedding example', () => {
  it('serves its own routes and the mounted admin API, and asks governance from its own code', async () => {
    const preloop = await createPreloop({ database: ':memory:', logger: createLogger({ level: 'silent' }) });
    try {
      const app = createApp(preloop);
      expect(await (await app.request('/')).text()).toContain('Preloop mounted');
      expect(await (await app.request('/api/v1/health')).json()).toMatchObject({ status: 'ok' });
      expect((await app.request('/api/v1/users')).status).toBe(401);
      const { key } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'bot', scopes: ['mcp'] });
      const response = await app.request('/deploy', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify({ ref: 'main' }),
      });
      expect(await response.json()).toMatchObject({ decision: 'require_approval' });
    } finally {
      await preloop.close();
    }
  });
});
