import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '@preloop/core';
import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { gateway } from '../runtime/gateway-plugin.js';
import { createNodeGateway } from '../node.js';

/**
 * Authentication of gateway requests over real HTTP: a Preloop API key is
 * decided by identity alone (authentication reads only the URL and the
 * `Authorization` header of it), while any other bearer token reaches the
 * host's `authenticate` hook as a full web `Request`. A model that does not
 * exist answers 404 after authentication and 401 before it, so no upstream is needed.
 */
describe.each(testDialects().filter((dialect) => dialect.name === 'sqlite'))('gateway authentication on $name', (dialect) => {
  let test: TestPreloop;
  let server: Server;
  let base: string;
  let key: string;
  const seenByHook: Request[] = [];
  const hostPrincipal = (accountId: string): Principal => ({
    type: 'user',
    id: 'usr_host',
    accountId,
    name: 'host user',
    role: 'viewer',
    userId: 'usr_host',
    apiKeyId: null,
    agentId: null,
    runtimeSessionId: null,
    teamIds: [],
    scopes: ['gateway'],
  });

  beforeAll(async () => {
    test = await createTestPreloop(dialect, {
      plugins: [gateway({ reclaimIntervalMs: 0 })],
      policy: { version: 1, defaults: { tools: 'deny', models: { allow: ['*'] } } },
      hooks: {
        async authenticate(request) {
          seenByHook.push(request);
          return request.headers.get('authorization') === 'Bearer host-token' ? hostPrincipal(test.preloop.accountId) : null;
        },
      },
    });
    ({ key } = await test.preloop.identity.apiKeys.create(test.preloop.accountId, { name: 'auth', scopes: ['gateway'] }));
    server = createServer(createNodeGateway(test.preloop));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await test?.cleanup();
  });

  const call = (headers: Record<string, string>, query = '') =>
    fetch(`${base}/openai/v1/chat/completions${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
    });

  it('accepts a Preloop API key as a bearer token (with or without a query string) without asking the host hook', async () => {
    seenByHook.length = 0;
    expect((await call({ authorization: `Bearer ${key}` })).status).toBe(404);
    expect((await call({ authorization: `bearer\t${key}` }, '?trace=1')).status).toBe(404);
    expect(seenByHook).toHaveLength(0);
  });

  it('refuses an unknown or wrongly scoped Preloop API key with 401, and never passes it to the host hook', async () => {
    seenByHook.length = 0;
    const unknown = `plk_${'A'.repeat(38)}`;
    expect((await call({ authorization: `Bearer ${unknown}` })).status).toBe(401);
    const { key: adminOnly } = await test.preloop.identity.apiKeys.create(test.preloop.accountId, { name: 'mcp only', scopes: ['mcp'] });
    expect((await call({ authorization: `Bearer ${adminOnly}` })).status).toBe(401);
    expect(seenByHook).toHaveLength(0);
  });

  it('hands any other bearer token to the host hook as a full Request with every header', async () => {
    seenByHook.length = 0;
    expect((await call({ authorization: 'Bearer host-token', 'x-tenant': 'blue' })).status).toBe(404);
    expect(seenByHook).toHaveLength(1);
    expect(seenByHook[0]).toBeInstanceOf(Request);
    expect(seenByHook[0]!.headers.get('x-tenant')).toBe('blue');
    expect((await call({ authorization: 'Bearer other-token' })).status).toBe(401);
  });
});
