import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPreloop } from '../kernel/create-preloop.js';
import type { Preloop } from '../kernel/preloop.js';
import { createLogger } from '../logger.js';
import { resolveLocalSetup } from '../node/local-setup.js';
import { serve, type RunningServer } from '../node/serve.js';
import { testDialects, type TestDatabase } from '../testing/test-databases.js';
import { cliAgainst, useCliDataDir } from './cli-test-support.js';

const dir = useCliDataDir('preloop-token-cli-');

const bearer = (token: string) => new Request('http://localhost/mcp', { headers: { authorization: `Bearer ${token}` } });

describe.each(testDialects())('preloop token on $name', (dialect) => {
  let testDatabase: TestDatabase;
  let url: string;
  let preloop: Preloop;
  let server: RunningServer;
  const cli = cliAgainst(() => url);

  beforeAll(async () => {
    testDatabase = await dialect.create();
    url = testDatabase.url === ':memory:' ? `sqlite:${path.join(dir, `token-${Date.now()}.db`)}` : testDatabase.url;
    // The server the agent talks to, on the same database the CLI opens.
    preloop = await createPreloop({
      database: url,
      secretKey: resolveLocalSetup({ databaseUrl: url }).secretKey,
      logger: createLogger({ level: 'silent' }),
    });
    server = await serve({
      handler: (request) =>
        new URL(request.url).pathname.startsWith('/api/v1') ? preloop.api(request) : new Response(null, { status: 404 }),
      port: 0,
    });
  });
  afterAll(async () => {
    await server?.close();
    await preloop?.close();
    await testDatabase.drop();
  });

  it('prints only a runtime credential of a new session for a named agent, and renews the same session through --session-file', async () => {
    const agent = await preloop.identity.agents.enroll(preloop.accountId, { name: 'reviewer', kind: 'claude_code' });
    const sessionFile = path.join(dir, `${dialect.name}-reviewer`, 'session');
    const first = await cli('token', '--agent', 'reviewer', '--session-file', sessionFile);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const principal = await preloop.identity.authenticate(bearer(first.out));
    expect(principal).toMatchObject({ type: 'runtime_session', agentId: agent.id });
    const sessionId = readFileSync(sessionFile, 'utf8').trim();
    expect(principal!.runtimeSessionId).toBe(sessionId);
    expect(statSync(sessionFile).mode & 0o077).toBe(0);
    expect((await preloop.identity.runtimeSessions.get(preloop.accountId, sessionId)).source).toBe('cli');

    // The helper runs again: a new credential of the same session.
    const second = await cli('token', '--agent', agent.id, '--session-file', sessionFile, '--format', 'header-json');
    expect(second.code).toBe(0);
    const header = JSON.parse(second.out) as { Authorization: string };
    expect(header.Authorization).toMatch(/^Bearer eyJ/);
    expect((await preloop.identity.authenticate(bearer(header.Authorization.slice('Bearer '.length))))?.runtimeSessionId).toBe(sessionId);

    // Helpers started together (Claude Code's apiKeyHelper and headersHelper) share one session.
    const raceFile = path.join(dir, `${dialect.name}-race`, 'session');
    const together = await Promise.all([1, 2, 3].map(() => cli('token', '--agent', 'reviewer', '--session-file', raceFile)));
    expect(together.map((run) => run.code)).toEqual([0, 0, 0]);
    const raced = await Promise.all(together.map(async (run) => (await preloop.identity.authenticate(bearer(run.out)))?.runtimeSessionId));
    expect(new Set(raced).size).toBe(1);
    expect(raced[0]).toBe(readFileSync(raceFile, 'utf8').trim());

    // Once the session has ended, the next call starts a new one.
    await preloop.identity.runtimeSessions.end(preloop.accountId, sessionId);
    const third = await cli('token', '--agent', 'reviewer', '--session-file', sessionFile, '--audience', 'gateway');
    expect(third.code).toBe(0);
    const renewed = await preloop.identity.authenticate(bearer(third.out));
    expect(renewed?.runtimeSessionId).not.toBe(sessionId);
    expect(readFileSync(sessionFile, 'utf8').trim()).toBe(renewed?.runtimeSessionId);
  });

  it('refuses, naming the problem and printing nothing on stdout: an unknown, suspended or ambiguous agent, bad flags', async () => {
    expect(await cli('token', '--agent', 'nobody')).toMatchObject({
      code: 1,
      out: '',
      err: expect.stringContaining('No agent named "nobody"'),
    });
    const suspended = await preloop.identity.agents.enroll(preloop.accountId, { name: 'paused', kind: 'codex' });
    await preloop.identity.agents.suspend(preloop.accountId, suspended.id, 'holiday');
    expect(await cli('token', '--agent', 'paused')).toMatchObject({
      code: 1,
      out: '',
      err: expect.stringContaining('is suspended; resume it'),
    });
    await preloop.identity.agents.enroll(preloop.accountId, { name: 'twin', kind: 'codex' });
    await preloop.identity.agents.enroll(preloop.accountId, { name: 'twin', kind: 'codex' });
    expect(await cli('token', '--agent', 'twin')).toMatchObject({
      code: 1,
      out: '',
      err: expect.stringContaining('2 agents are named "twin"'),
    });
    expect(await cli('token')).toMatchObject({
      code: 1,
      err: expect.stringContaining('--agent <name or id> (or --url <server>) is required'),
    });
    expect(await cli('token', '--agent', 'reviewer', '--audience', 'admin')).toMatchObject({
      code: 1,
      err: expect.stringContaining('--audience must be a comma-separated list of mcp, gateway (got "admin")'),
    });
    expect(await cli('token', '--agent', 'reviewer', '--format', 'yaml')).toMatchObject({
      code: 1,
      err: expect.stringContaining('--format must be token or header-json'),
    });
  });

  it('with --url, exchanges the API key in PRELOOP_API_KEY for a credential of its own session, renewed through --session-file', async () => {
    const { key } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'laptop', scopes: ['mcp', 'gateway'] });
    const { key: adminOnly } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'reader', scopes: ['admin:read'] });
    const sessionFile = path.join(dir, `${dialect.name}-remote-session`);
    const previous = process.env.PRELOOP_TEST_TOKEN_KEY;
    try {
      process.env.PRELOOP_TEST_TOKEN_KEY = key;
      const first = await cli('token', '--url', server.url, '--key-env', 'PRELOOP_TEST_TOKEN_KEY', '--session-file', sessionFile);
      expect(first).toMatchObject({ code: 0, err: '' });
      const principal = await preloop.identity.authenticate(bearer(first.out));
      expect(principal?.type).toBe('runtime_session');
      const second = await cli('token', '--url', server.url, '--key-env', 'PRELOOP_TEST_TOKEN_KEY', '--session-file', sessionFile);
      expect((await preloop.identity.authenticate(bearer(second.out)))?.runtimeSessionId).toBe(principal?.runtimeSessionId);

      process.env.PRELOOP_TEST_TOKEN_KEY = adminOnly;
      const refused = await cli('token', '--url', server.url, '--key-env', 'PRELOOP_TEST_TOKEN_KEY');
      expect(refused).toMatchObject({ code: 1, out: '', err: expect.stringContaining('Preloop refused to start a runtime session') });
      expect(refused.err).not.toContain(adminOnly);
      delete process.env.PRELOOP_TEST_TOKEN_KEY;
      expect(await cli('token', '--url', server.url, '--key-env', 'PRELOOP_TEST_TOKEN_KEY')).toMatchObject({
        code: 1,
        err: expect.stringContaining('in the environment variable PRELOOP_TEST_TOKEN_KEY'),
      });
    } finally {
      if (previous === undefined) delete process.env.PRELOOP_TEST_TOKEN_KEY;
      else process.env.PRELOOP_TEST_TOKEN_KEY = previous;
    }
  });
});
