import { mkdtempSync, rmSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@preloop/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { loadConfigFile } from './config/load-config.js';
import { startReferenceServer, startupLines } from './reference-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'preloop-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const silent = createLogger({ level: 'silent' });

describe('reference server', () => {
  it('starts on SQLite with a generated key, prints how the first admin logs in once, and serves the admin API', async () => {
    const env = { PRELOOP_DATA_DIR: path.join(dir, 'data') };
    const server = await startReferenceServer({ env, port: 0, logger: silent });
    let password: string;
    try {
      const lines = startupLines(server, `sqlite:${path.join(dir, 'data', 'preloop.db')}`);
      expect(lines[0]).toMatch(/^Preloop ready at http:\/\/127\.0\.0\.1:\d+/);
      expect(lines.join('\n')).toMatch(/generated one into the data folder/);
      const match = lines.join('\n').match(/log in as admin@localhost with password (\S+)/);
      expect(match).not.toBeNull();
      password = match![1]!;
      expect((statSync(path.join(dir, 'data', 'secret.key')).mode & 0o777).toString(8)).toBe('600');

      const health = await fetch(`${server.url}/api/v1/health`);
      expect(await health.json()).toMatchObject({ status: 'ok', dialect: 'sqlite' });
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@localhost', password }),
      });
      expect(login.status).toBe(200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const me = await fetch(`${server.url}/api/v1/auth/me`, { headers: { cookie } });
      expect(JSON.stringify(await me.json())).toContain('admin@localhost');
      // The first-run lines point at changing the password and at the approver problem; both hold.
      expect(lines.join('\n')).toContain('Settings → Your account, or with POST /api/v1/auth/password');
      expect(lines.join('\n')).toContain('is the only approver, and may not approve calls of agents on their own keys');
      const readiness = await (await fetch(`${server.url}/api/v1/approvals/readiness`, { headers: { cookie } })).json();
      expect(readiness.workflows.find((workflow: { workflow: string }) => workflow.workflow === 'admins')).toMatchObject({
        status: 'self_approval_only',
        blockedOwners: [{ email: 'admin@localhost' }],
      });
      const changed = await fetch(`${server.url}/api/v1/auth/password`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ currentPassword: password, newPassword: 'the admin’s own password' }),
      });
      expect(changed.status).toBe(200);
      expect((await fetch(`${server.url}/api/v1/auth/me`, { headers: { cookie } })).status).toBe(200);
      const openapi = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
      expect(openapi.openapi).toBe('3.1.0');
      expect(Object.keys(openapi.paths)).toContain('/api/v1/api-keys');
      const page = await fetch(`${server.url}/`);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('preloop-console');
      // The MCP servers view lives at /mcp-servers; a browser's old /mcp link is redirected there, never shown a JSON-RPC 401.
      const view = await fetch(`${server.url}/mcp-servers`, { headers: { accept: 'text/html' } });
      expect(await view.text()).toContain('preloop-console');
      const oldLink = await fetch(`${server.url}/mcp`, { headers: { accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
      expect(oldLink.status).toBe(302);
      expect(oldLink.headers.get('location')).toBe('/mcp-servers');

      // The MCP endpoint, with an API key created through the admin API.
      const created = await fetch(`${server.url}/api/v1/api-keys`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ name: 'agent', scopes: ['mcp'] }),
      });
      expect(created.status).toBe(201);
      const { key } = (await created.json()) as { key: string };
      const client = new Client({ name: 'reference-test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }),
      );
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('request_approval');
      await client.close();
    } finally {
      await server.close();
    }
    const again = await startReferenceServer({ env, port: 0, logger: silent });
    try {
      expect(again.firstAdmin).toBeNull();
      expect(again.generatedSecretKey).toBe(false);
      expect(startupLines(again, 'sqlite:x').join('\n')).not.toContain('password');
    } finally {
      await again.close();
    }
  });

  it('refuses a bad PORT with a message naming it', async () => {
    await expect(
      startReferenceServer({ env: { PRELOOP_DATA_DIR: path.join(dir, 'port'), PORT: 'eighty' }, logger: silent }),
    ).rejects.toThrow(/PORT/);
  });
});

describe('configuration file', () => {
  it('substitutes ${ENV} values and validates', async () => {
    const file = path.join(dir, 'ok.yaml');
    writeFileSync(
      file,
      [
        'models:',
        '  - alias: fast',
        '    provider: openai',
        '    model: gpt-4o-mini',
        '    apiKey: ${TEST_OPENAI_KEY}',
        '    baseUrl: ${TEST_BASE:-http://127.0.0.1:9/v1}',
        '',
      ].join('\n'),
    );
    const { config } = await loadConfigFile(file, { TEST_OPENAI_KEY: 'sk-test' });
    expect(config.models[0]).toMatchObject({ alias: 'fast', apiKey: 'sk-test', baseUrl: 'http://127.0.0.1:9/v1' });
  });

  it('names the file, path, line and reason of each error', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'models:',
        '  - alias: fast',
        '    provider: openai',
        '    model: gpt-4o',
        '    prices: { input: -1, output: 2 }',
        'mcpServers:',
        '  - name: x',
        '    transport: carrier-pigeon',
        '',
      ].join('\n'),
    );
    const error = await loadConfigFile(file, {}).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toMatch(/line 5: models\[0\]\.prices\.input: must be 0 or more/);
    expect(message).toMatch(/line 8: mcpServers\[0\]\.transport/);
  });

  it('names a missing environment variable', async () => {
    const file = path.join(dir, 'env.yaml');
    writeFileSync(file, 'models:\n  - alias: a\n    provider: openai\n    model: m\n    apiKey: ${NOT_SET_ANYWHERE}\n');
    await expect(loadConfigFile(file, {})).rejects.toThrow(/line 5: models\[0\]\.apiKey: environment variable NOT_SET_ANYWHERE is not set/);
  });

  it('reads a policy file relative to the configuration file', async () => {
    writeFileSync(path.join(dir, 'policy.yaml'), 'version: 1\n');
    const file = path.join(dir, 'with-policy.yaml');
    writeFileSync(file, 'policy: ./policy.yaml\n');
    expect((await loadConfigFile(file, {})).config.policy).toBe(readFileSync(path.join(dir, 'policy.yaml'), 'utf8'));
  });
});
