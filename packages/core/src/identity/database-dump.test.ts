import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preloop } from '../kernel/preloop.js';
import { createTestPreloop, type TestPreloop } from '../testing/create-test-preloop.js';
import { testDialects } from '../testing/test-databases.js';
import { callApi, loginCookie, seedUser } from './identity-test-support.js';

/** Every row of every table, every column, as one text. */
async function dumpDatabase(preloop: Preloop): Promise<{ text: string; tables: string[] }> {
  const tables =
    preloop.dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(preloop.db)).rows.map((row) => row.name)
      : (
          await sql<{
            table_name: string;
          }>`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(
            preloop.db,
          )
        ).rows.map((row) => row.table_name);
  const parts: string[] = [];
  for (const table of tables) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(preloop.db)).rows;
    for (const row of rows)
      parts.push(
        `${table}: ${Object.values(row)
          .map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : String(value)))
          .join(' | ')}`,
      );
  }
  return { text: parts.join('\n'), tables };
}

describe.each(testDialects())('database dump on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  beforeAll(async () => {
    test = await createTestPreloop(dialect);
    preloop = test.preloop;
  });
  afterAll(() => test.cleanup());

  it('holds no API key, password, session token or runtime credential in clear', async () => {
    const owner = await seedUser(preloop, 'owner', 'owner@example.com');
    const cookie = await loginCookie(preloop, owner.user.email, owner.password);
    const created = await callApi(preloop, 'POST', '/api-keys', { bearer: owner.key, body: { name: 'via api', scopes: ['mcp'] } });
    const agent = await callApi(preloop, 'POST', '/agents', { cookie, body: { name: 'dumped', kind: 'custom' } });
    const agentKey = await callApi(preloop, 'POST', '/api-keys', {
      cookie,
      body: { name: 'agent key', agentId: agent.body.id, scopes: ['mcp', 'gateway'] },
    });
    const session = await callApi(preloop, 'POST', '/runtime-sessions', { bearer: agentKey.body.key, body: { name: 'run' } });
    const heartbeat = await callApi(preloop, 'POST', `/runtime-sessions/${session.body.session.id}/heartbeat`, {
      bearer: session.body.credential.token,
    });
    await callApi(preloop, 'POST', '/auth/login', { body: { email: owner.user.email, password: 'a wrong password' } });
    await callApi(preloop, 'PATCH', `/users/${owner.user.id}`, { cookie, body: { password: 'a brand new password' } });
    expect([created.status, agentKey.status, session.status, heartbeat.status]).toEqual([201, 201, 201, 200]);

    const secrets = {
      ownerKey: owner.key,
      apiKey: created.body.key as string,
      agentKey: agentKey.body.key as string,
      password: owner.password,
      wrongPassword: 'a wrong password',
      newPassword: 'a brand new password',
      sessionToken: cookie.split('=')[1]!,
      credential: session.body.credential.token as string,
      refreshedCredential: heartbeat.body.credential.token as string,
    };
    const { text, tables } = await dumpDatabase(preloop);
    expect(tables).toEqual(expect.arrayContaining(['users', 'api_keys', 'console_sessions', 'runtime_sessions', 'audit_records']));
    for (const [name, secret] of Object.entries(secrets)) {
      expect(text.includes(secret), `${name} found in the database dump`).toBe(false);
      // No long fragment of a random token either (for example the random part without its prefix).
      if (secret.length >= 40) expect(text.includes(secret.slice(10, 30)), `a fragment of ${name} found in the database dump`).toBe(false);
    }
    expect(text).toMatch(/api_keys: key_/); // sanity: the dump did read the key rows
    expect(text).toContain(created.body.apiKey.prefix);
  });
});
