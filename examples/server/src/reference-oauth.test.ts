import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@preloop/core';
import { afterAll, describe, expect, it } from 'vitest';
import { oauthOption } from './oauth-option.js';
import { startReferenceServer } from './reference-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'preloop-oauth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reference server: OAuth for remote MCP clients', () => {
  it('is on with an https or loopback PRELOOP_PUBLIC_URL, off without one or with PRELOOP_OAUTH=false', () => {
    expect(oauthOption({ PRELOOP_PUBLIC_URL: 'https://preloop.example.com/' })).toEqual({ issuer: 'https://preloop.example.com' });
    expect(oauthOption({ PRELOOP_PUBLIC_URL: 'http://127.0.0.1:8787' })).toEqual({ issuer: 'http://127.0.0.1:8787' });
    expect(oauthOption({})).toBeUndefined();
    expect(oauthOption({ PRELOOP_PUBLIC_URL: 'http://preloop.internal:8787' })).toBeUndefined();
    expect(oauthOption({ PRELOOP_PUBLIC_URL: 'https://preloop.example.com', PRELOOP_OAUTH: 'false' })).toBeUndefined();
    expect(() => oauthOption({ PRELOOP_OAUTH: 'true' })).toThrow(/PRELOOP_PUBLIC_URL/);
    expect(() => oauthOption({ PRELOOP_OAUTH: 'maybe' })).toThrow(/PRELOOP_OAUTH/);
  });

  it('serves both discovery documents and names them in the MCP endpoint 401', async () => {
    const publicUrl = 'http://localhost:18787';
    const env = {
      PRELOOP_DATA_DIR: path.join(dir, 'data'),
      PRELOOP_PUBLIC_URL: publicUrl,
      PRELOOP_ADMIN_PASSWORD: 'the first admin password',
    };
    const server = await startReferenceServer({ env, port: 0, logger: createLogger({ level: 'silent' }) });
    try {
      const resource = await (await fetch(`${server.url}/.well-known/oauth-protected-resource/mcp`)).json();
      expect(resource).toMatchObject({ resource: `${publicUrl}/mcp`, authorization_servers: [publicUrl], scopes_supported: ['mcp'] });
      const metadata = await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json();
      expect(metadata).toMatchObject({ issuer: publicUrl, token_endpoint: `${publicUrl}/api/v1/oauth/token` });
      const unauthorized = await fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(unauthorized.status).toBe(401);
      expect(unauthorized.headers.get('www-authenticate')).toContain(
        `resource_metadata="${publicUrl}/.well-known/oauth-protected-resource/mcp"`,
      );
    } finally {
      await server.close();
    }
  });
});
