import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createLogger, createPreloop, type Preloop, type PreloopOptions } from '@preloop/core';
import { toNodeHandler } from '@preloop/core/node';
import { mcp as mcpPlugin } from '@preloop/mcp';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type ExpressApp } from './create-app.js';

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
});

/** Builds a kernel and the Express app over a real loopback port. */
async function start(options: Partial<PreloopOptions> = {}, build: (preloop: Preloop) => ExpressApp = createApp) {
  const preloop = await createPreloop({
    database: ':memory:',
    logger: createLogger({ level: 'silent' }),
    plugins: [mcpPlugin()],
    ...options,
  });
  const { app, mcp } = build(preloop);
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  running.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await mcp.close();
    await preloop.close();
  });
  return { preloop, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('Express example', () => {
  it('serves the admin API at the root mount and hands every other request, body included, to the app', async () => {
    const { url } = await start();
    expect(await (await fetch(`${url}/api/v1/health`)).json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${url}/api/v1/users`)).status).toBe(401);
    // Host routes are not swallowed by the admin API's 404.
    expect(await (await fetch(`${url}/`)).text()).toContain('My internal tool');
    const echo = await fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    });
    expect(await echo.json()).toEqual({ received: { a: 1 } });
    // An unknown admin path is the host's too (Express's own 404 page).
    const unknown = await fetch(`${url}/api/v1/no-such-route`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('text/html');
  });

  it('serves MCP to the official SDK client and refuses a keyless request with 401', async () => {
    const { preloop, url } = await start();
    expect(
      (
        await fetch(`${url}/mcp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
        })
      ).status,
    ).toBe(401);
    const { key } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'agent', scopes: ['mcp'] });
    const client = new Client({ name: 'express-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }),
    );
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('request_approval');
    await client.close();
  });

  it('mounts under a prefix with the basePath option', async () => {
    const { url } = await start({ basePath: '/internal/preloop' });
    expect(await (await fetch(`${url}/internal/preloop/api/v1/health`)).json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${url}/internal/preloop/api/v1/users`)).status).toBe(401);
    expect(await (await fetch(`${url}/`)).text()).toContain('My internal tool');
  });

  it('works behind a body parser mounted first (the parsed body is used), and says so when none is left', async () => {
    const { url } = await start({}, (preloop) => {
      const app = express();
      // A middleware that drains the body and leaves nothing behind (asked for with a header).
      app.use((request, _response, next) => {
        if (!request.headers['x-drain']) return next();
        request.resume();
        request.on('end', () => next());
      });
      app.use(express.json());
      app.use(toNodeHandler(preloop.api));
      return { app, mcp: { close: async () => {} } as ExpressApp['mcp'] };
    });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong password' }),
    });
    // The admin API read the parsed body: a wrong password, not a 500 or a hang.
    expect(login.status).toBe(401);
    const drained = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-drain': '1' },
      body: 'x',
    });
    expect(drained.status).toBe(500);
    expect((await drained.json()).error).toMatchObject({
      code: 'BODY_ALREADY_READ',
      message: expect.stringContaining('Mount Preloop before your body parser'),
    });
  });
});
