import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerRequest, seedUser } from '../identity/identity-test-support.js';
import { createPreloop } from '../kernel/create-preloop.js';
import type { Preloop } from '../kernel/preloop.js';
import { createLogger } from '../logger.js';
import { testSecretKey } from '../testing/create-test-preloop.js';
import { busReconnectedChannel } from './bus.js';
import { createLocalBus, createSqliteBus } from './sqlite-bus.js';

const run = promisify(execFile);
const repositoryRoot = resolve(import.meta.dirname, '../../../..');

/** Polls until `check` is true, failing after `timeoutMs`. */
async function within(timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe('SQLite Bus', () => {
  let dir: string;
  let database: string;
  let preloop: Preloop;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'preloop-sqlite-bus-'));
    database = `sqlite:${join(dir, 'preloop.db')}`;
    preloop = await createPreloop({ database, secretKey: testSecretKey, logger: createLogger({ level: 'silent' }) });
  });
  afterAll(async () => {
    await preloop.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the default for a SQLite file, and the in-process Bus stays the default for :memory:', async () => {
    expect(preloop.bus.status?.()).toEqual({ connected: true });
    const memory = await createLocalBus({ db: preloop.db, database: ':memory:' });
    expect(memory.status).toBeUndefined();
    await memory.close();
  });

  it('delivers a message once to every connection on the file, the publisher included', async () => {
    const second = await createPreloop({ database, secretKey: testSecretKey, logger: createLogger({ level: 'silent' }) });
    const other = await createSqliteBus({ db: second.db, pollIntervalMs: 20 });
    const seenHere: unknown[] = [];
    const seenThere: unknown[] = [];
    preloop.bus.subscribe('probe', (payload) => seenHere.push(payload));
    other.subscribe('probe', (payload) => seenThere.push(payload));
    await preloop.bus.publish('probe', { n: 1 });
    await other.publish('probe', { n: 2 });
    await within(2_000, async () => seenHere.length === 2 && seenThere.length === 2);
    await new Promise((done) => setTimeout(done, 400));
    expect(seenHere).toEqual([{ n: 1 }, { n: 2 }]);
    expect(seenThere).toEqual([{ n: 2 }, { n: 1 }]);
    await other.close();
    await second.close();
  });

  it('a key revoked with the CLI in another process is refused by the running server within a second (before: up to 30 s)', async () => {
    const owner = await seedUser(preloop, 'owner');
    const { apiKey, key } = await preloop.identity.apiKeys.create(preloop.accountId, {
      name: 'revoked from the CLI',
      userId: owner.user.id,
    });
    expect(await preloop.authenticate(bearerRequest(key))).not.toBeNull(); // cached for 30 s from now
    const cli = await run(
      process.execPath,
      [
        '--conditions=@preloop/source',
        '--import',
        'tsx',
        'packages/core/src/cli/main.ts',
        'api-key',
        'revoke',
        apiKey.id,
        '--database',
        database,
      ],
      {
        cwd: repositoryRoot,
        env: { ...process.env, PRELOOP_SECRET_KEY: testSecretKey, PRELOOP_LOG_LEVEL: 'silent' },
      },
    );
    expect(cli.stdout + cli.stderr).toMatch(/revoked/i);
    const revokedAt = Date.now();
    await within(1_500, async () => (await preloop.authenticate(bearerRequest(key))) === null);
    expect(Date.now() - revokedAt).toBeLessThan(1_500);
  });

  it('reports a failed poll as disconnected, then delivers what was missed, emits bus.reconnected and identity drops its cached credentials', async () => {
    const second = await createPreloop({ database, secretKey: testSecretKey, logger: createLogger({ level: 'silent' }) });
    try {
      const owner = await seedUser(preloop, 'owner');
      const { apiKey, key } = await preloop.identity.apiKeys.create(preloop.accountId, {
        name: 'cached across an outage',
        userId: owner.user.id,
      });
      expect(await preloop.authenticate(bearerRequest(key))).not.toBeNull();
      let reconnected = 0;
      preloop.bus.subscribe(busReconnectedChannel, () => (reconnected += 1));
      await sql`alter table bus_messages rename to bus_messages_away`.execute(second.db);
      await within(2_000, async () => preloop.bus.status?.().connected === false);
      // Meanwhile the key is revoked without a signal reaching this process.
      await second.db.updateTable('api_keys').set({ revoked_at: Date.now() }).where('id', '=', apiKey.id).execute();
      expect(await preloop.authenticate(bearerRequest(key))).not.toBeNull(); // still served from the cache
      await sql`alter table bus_messages_away rename to bus_messages`.execute(second.db);
      await within(2_000, async () => preloop.bus.status?.().connected === true && reconnected === 1);
      expect(await preloop.authenticate(bearerRequest(key))).toBeNull();
    } finally {
      await second.close();
    }
  });
});
