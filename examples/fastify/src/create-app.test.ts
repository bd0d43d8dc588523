import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createLogger, createPreloop, type PreloopOptions } from '@preloop/core';
import { mcp as mcpPlugin } from '@preloop/mcp';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from './create-app.js';

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
});

/** Builds a kernel and the Fastify app over a real loopback port. */
async function start(options: Partial<PreloopOptions> = {}) {
  const preloop = await createPreloop({
    database: ':memory:',
    logger: createLogger({ level: 'silent' }),
    plugins: [mcpPlugin()],
    ...options,
  });
  const { app, mcp } = await createApp(preloop);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  running.push(async () => {
    await app.close();
    await mcp.close();
    await preloop.close();
  });
  return { preloop, url };
}

describe('Fastify example', () => {
  it('serves the admin API, with bodies, beside the app’s own JSON routes', async () => {
    const { url } = await start();
    expect(await (await fetch(`${url}/api/v1/health`)).json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${url}/api/v1/users`)).status).toBe(401);
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong password' }),
    });
    expect(login.status).toBe(401);
    // An invalid body is Preloop's own 400, not Fastify's parser error.
    const invalid = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error.code).toBe('VALIDATION_ERROR');
    expect(await (await fetch(`${url}/`)).text()).toContain('My internal tool');
    const echo = await fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    });
    expect(await echo.json()).toEqual({ received: { a: 1 } });
  });

  it('serves MCP to the official SDK client and refuses a keyless request with 401', async () => {
    const { preloop, url } = await start();
    const keyless = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    expect(keyless.status).toBe(401);
    const { key } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'agent', scopes: ['mcp'] });
    const client = new Client({ name: 'fastify-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }),
    );
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('request_approval');
    await client.close();
  });

  it('mounts under a prefix with the basePath option', async () => {
    const { url } = await start({ basePath: '/internal/preloop' });
    expect(await (await fetch(`${url}/internal/preloop/api/v1/health`)).json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${url}/api/v1/health`)).status).toBe(404);
  });
});
