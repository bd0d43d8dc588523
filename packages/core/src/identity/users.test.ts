import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preloop } from '../kernel/preloop.js';
import { createTestPreloop, type TestPreloop } from '../testing/create-test-preloop.js';
import { testDialects } from '../testing/test-databases.js';

describe.each(testDialects())('users, passwords and console sessions on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  let accountId: string;
  beforeAll(async () => {
    test = await createTestPreloop(dialect);
    preloop = test.preloop;
    accountId = preloop.accountId;
  });
  afterAll(() => test.cleanup());

  it('hashes passwords with argon2id and never returns the hash', async () => {
    const user = await preloop.identity.users.create(accountId, {
      email: ' Ada@Example.com ',
      name: 'Ada',
      role: 'owner',
      password: 'correct horse battery',
    });
    expect(user).toMatchObject({ email: 'ada@example.com', role: 'owner', disabled: false, hasPassword: true });
    expect(JSON.stringify(user)).not.toContain('argon2');
    const row = await preloop.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('keeps emails unique, whatever their case', async () => {
    await expect(
      preloop.identity.users.create(accountId, { email: 'ADA@example.com', name: 'Ada 2', role: 'viewer' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      preloop.identity.users.create(accountId, { email: 'short@example.com', name: 'S', role: 'viewer', password: 'short' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('checks credentials without telling an unknown email from a wrong password, in similar time', async () => {
    expect((await preloop.identity.users.verifyCredentials('ada@example.com', 'correct horse battery'))?.email).toBe('ada@example.com');
    expect(await preloop.identity.users.verifyCredentials('ADA@example.com ', 'correct horse battery')).not.toBeNull();
    expect(await preloop.identity.users.verifyCredentials('ada@example.com', 'wrong password!')).toBeNull();
    expect(await preloop.identity.users.verifyCredentials('nobody@example.com', 'correct horse battery')).toBeNull();
    const time = async (email: string) => {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        await preloop.identity.users.verifyCredentials(email, 'wrong password!');
        samples.push(performance.now() - start);
      }
      return samples.sort((a, b) => a - b)[2]!;
    };
    const known = await time('ada@example.com');
    const unknown = await time('nobody@example.com');
    expect(unknown / known).toBeGreaterThan(0.33);
    expect(unknown / known).toBeLessThan(3);
  });

  it('refuses disabled users at login and signs them out', async () => {
    const user = await preloop.identity.users.create(accountId, {
      email: 'bob@example.com',
      name: 'Bob',
      role: 'viewer',
      password: 'bob password 1',
    });
    const login = await preloop.identity.consoleSessions.login('bob@example.com', 'bob password 1');
    expect(login).not.toBeNull();
    const cookieRequest = new Request('http://localhost/api/v1/auth/me', { headers: { cookie: `preloop_session=${login!.token}` } });
    expect((await preloop.authenticate(cookieRequest))?.id).toBe(user.id);
    await preloop.identity.users.disable(accountId, user.id);
    expect(await preloop.authenticate(cookieRequest)).toBeNull();
    expect(await preloop.identity.consoleSessions.login('bob@example.com', 'bob password 1')).toBeNull();
    await preloop.identity.users.update(accountId, user.id, { disabled: false });
    expect(await preloop.authenticate(cookieRequest)).toBeNull(); // the old session stays revoked
    expect(await preloop.identity.consoleSessions.login('bob@example.com', 'bob password 1')).not.toBeNull();
  });

  it('issues cookies HttpOnly, SameSite=Lax, Path=/, Secure only over https', async () => {
    const plain = await preloop.identity.consoleSessions.login('ada@example.com', 'correct horse battery');
    expect(plain!.cookie).toMatch(/^preloop_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax$/);
    const secure = await preloop.identity.consoleSessions.login('ada@example.com', 'correct horse battery', { secure: true });
    expect(secure!.cookie).toMatch(/; Secure$/);
  });

  it('refuses expired and logged-out console sessions, and cookies where an audience is asked', async () => {
    const login = await preloop.identity.consoleSessions.login('ada@example.com', 'correct horse battery');
    const request = () => new Request('http://localhost/x', { headers: { cookie: `other=1; preloop_session=${login!.token}` } });
    expect((await preloop.authenticate(request()))?.type).toBe('user');
    expect(await preloop.authenticate(request(), { audience: 'mcp' })).toBeNull();
    await preloop.db
      .updateTable('console_sessions')
      .set({ expires_at: Date.now() - 1 })
      .where('id', '=', login!.session.id)
      .execute();
    preloop.identity.clearCache();
    expect(await preloop.authenticate(request())).toBeNull();

    const second = await preloop.identity.consoleSessions.login('ada@example.com', 'correct horse battery');
    const secondRequest = new Request('http://localhost/x', { headers: { cookie: `preloop_session=${second!.token}` } });
    expect(await preloop.authenticate(secondRequest)).not.toBeNull();
    expect(await preloop.identity.consoleSessions.logout(second!.token)).toBe(true);
    expect(await preloop.authenticate(secondRequest)).toBeNull();
    expect(await preloop.identity.consoleSessions.logout(second!.token)).toBe(false);
  });

  it('never leaves the account without an enabled owner', async () => {
    const ada = (await preloop.identity.users.findByEmail('ada@example.com'))!;
    await expect(preloop.identity.users.update(accountId, ada.id, { role: 'admin' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(preloop.identity.users.disable(accountId, ada.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(preloop.identity.users.delete(accountId, ada.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    const grace = await preloop.identity.users.create(accountId, { email: 'grace@example.com', name: 'Grace', role: 'owner' });
    const demoted = await preloop.identity.users.update(accountId, ada.id, { role: 'admin' });
    expect(demoted.role).toBe('admin');
    await preloop.identity.users.update(accountId, ada.id, { role: 'owner' });
    await preloop.identity.users.delete(accountId, grace.id);
    await expect(preloop.identity.users.get(accountId, grace.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('groups users in teams and puts the team ids on the principal', async () => {
    const carol = await preloop.identity.users.create(accountId, {
      email: 'carol@example.com',
      name: 'Carol',
      role: 'approver',
      password: 'carol password',
    });
    const team = await preloop.identity.teams.create(accountId, { name: 'on-call', memberIds: [carol.id] });
    await expect(preloop.identity.teams.create(accountId, { name: 'on-call' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const login = await preloop.identity.consoleSessions.login('carol@example.com', 'carol password');
    const request = new Request('http://localhost/x', { headers: { cookie: `preloop_session=${login!.token}` } });
    expect((await preloop.authenticate(request))?.teamIds).toEqual([team.id]);
    const second = await preloop.identity.teams.create(accountId, { name: 'reviewers' });
    await preloop.identity.teams.setMembers(accountId, second.id, [carol.id]);
    expect((await preloop.authenticate(request))?.teamIds.sort()).toEqual([team.id, second.id].sort());
    await preloop.identity.teams.delete(accountId, team.id);
    expect((await preloop.authenticate(request))?.teamIds).toEqual([second.id]);
    await expect(preloop.identity.teams.setMembers(accountId, second.id, [carol.id, 'usr_nope'])).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('userIds[1]'),
    });
    expect(await preloop.identity.teams.teamIdsOf(accountId, carol.id)).toEqual([second.id]);
  });

  it('audits identity changes and logins', async () => {
    const rows = await preloop.db.selectFrom('audit_records').select(['action', 'outcome']).execute();
    const seen = new Set(rows.map((row) => `${row.action}:${row.outcome}`));
    for (const expected of [
      'user.create:success',
      'user.update:success',
      'user.delete:success',
      'auth.login:success',
      'auth.login:failure',
      'auth.logout:success',
      'team.create:success',
      'team.members.set:success',
      'team.delete:success',
    ]) {
      expect(seen, expected).toContain(expected);
    }
    const failure = await preloop.db
      .selectFrom('audit_records')
      .select('data')
      .where('action', '=', 'auth.login')
      .where('outcome', '=', 'failure')
      .executeTakeFirstOrThrow();
    expect(failure.data).not.toContain('password');
  });
});
