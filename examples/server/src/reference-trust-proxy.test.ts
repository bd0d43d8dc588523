import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@preloop/core';
import { startReferenceServer, trustProxyOption } from './reference-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'preloop-trust-proxy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const silent = createLogger({ level: 'silent' });

describe('reference server behind a proxy (PRELOOP_TRUST_PROXY)', () => {
  it('reads the option, and refuses a value it does not understand', () => {
    expect(trustProxyOption(undefined)).toEqual({});
    expect(trustProxyOption('false')).toEqual({});
    expect(trustProxyOption('true')).toEqual({ trustProxy: true, proxyHops: 1 });
    expect(trustProxyOption('2')).toEqual({ trustProxy: true, proxyHops: 2 });
    expect(() => trustProxyOption('yes please')).toThrow(/PRELOOP_TRUST_PROXY/);
  });

  it('throttles logins per client address from X-Forwarded-For, so failures from one client do not lock the user out elsewhere', async () => {
    const env = {
      PRELOOP_DATA_DIR: path.join(dir, 'data'),
      PRELOOP_TRUST_PROXY: 'true',
      PRELOOP_ADMIN_PASSWORD: 'the first admin password',
    };
    const server = await startReferenceServer({ env, port: 0, logger: silent });
    try {
      const login = (password: string, forwardedFor: string) =>
        fetch(`${server.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
          body: JSON.stringify({ email: 'admin@localhost', password }),
        });
      for (let i = 0; i < 5; i++) expect((await login(`wrong ${i}`, '203.0.113.5')).status).toBe(401);
      expect((await login('the first admin password', '203.0.113.5')).status).toBe(429);
      expect((await login('the first admin password', '198.51.100.7')).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
