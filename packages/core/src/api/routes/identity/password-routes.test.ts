import { afterEach, describe, expect, it } from 'vitest';
import { callApi, loginCookie, seedUser } from '../../../identity/identity-test-support.js';
import { createTestPreloop, type TestPreloop } from '../../../testing/create-test-preloop.js';
import { testDialects } from '../../../testing/test-databases.js';

describe.each(testDialects())('password change and reset on $name', (dialect) => {
  let test: TestPreloop;
  afterEach(() => test?.cleanup());

  async function auditOf(action: string) {
    const page = await test.preloop.audit.query({ accountId: test.preloop.accountId, action, limit: 50 });
    return page.items;
  }

  it('changes your own password: checks the current one, keeps this session and ends the others, audited without the password', async () => {
    test = await createTestPreloop(dialect);
    const { preloop } = test;
    const admin = await seedUser(preloop, 'admin', 'ada@example.com');
    const here = await loginCookie(preloop, admin.user.email, admin.password);
    const elsewhere = await loginCookie(preloop, admin.user.email, admin.password);
    const newPassword = 'a brand new long password';

    const changed = await callApi(preloop, 'POST', '/auth/password', {
      cookie: here,
      body: { currentPassword: admin.password, newPassword },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ user: { id: admin.user.id, hasPassword: true }, endedSessions: 1 });
    expect(changed.headers.get('cache-control')).toBe('no-store');
    expect((await callApi(preloop, 'GET', '/auth/me', { cookie: here })).status).toBe(200);
    expect((await callApi(preloop, 'GET', '/auth/me', { cookie: elsewhere })).status).toBe(401);
    expect((await callApi(preloop, 'POST', '/auth/login', { body: { email: admin.user.email, password: admin.password } })).status).toBe(
      401,
    );
    expect((await callApi(preloop, 'POST', '/auth/login', { body: { email: admin.user.email, password: newPassword } })).status).toBe(200);
    expect((await callApi(preloop, 'GET', '/users', { bearer: admin.key })).status).toBe(200); // API keys are separate credentials

    const [record] = await auditOf('user.password_change');
    expect(record).toMatchObject({ outcome: 'success', targetType: 'user', targetId: admin.user.id, data: { endedSessions: 1 } });
    expect(JSON.stringify(await auditOf('user.password_change'))).not.toContain(newPassword);
  });

  it('refuses a wrong current password (403), a short or unchanged new one (400) and an API key (403), changing nothing', async () => {
    test = await createTestPreloop(dialect);
    const { preloop } = test;
    const viewer = await seedUser(preloop, 'viewer', 'vic@example.com');
    const cookie = await loginCookie(preloop, viewer.user.email, viewer.password);
    const wrong = await callApi(preloop, 'POST', '/auth/password', {
      cookie,
      body: { currentPassword: 'not the password', newPassword: 'another long password' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({ code: 'FORBIDDEN', message: 'The current password is wrong.' });
    const short = await callApi(preloop, 'POST', '/auth/password', {
      cookie,
      body: { currentPassword: viewer.password, newPassword: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toContain('newPassword');
    const same = await callApi(preloop, 'POST', '/auth/password', {
      cookie,
      body: { currentPassword: viewer.password, newPassword: viewer.password },
    });
    expect(same.status).toBe(400);
    expect(same.body.error.message).toContain('must differ from the current password');
    const byKey = await callApi(preloop, 'POST', '/auth/password', {
      bearer: viewer.key,
      body: { currentPassword: viewer.password, newPassword: 'another long password' },
    });
    expect(byKey.status).toBe(403);
    expect(
      (await callApi(preloop, 'POST', '/auth/password', { body: { currentPassword: 'x', newPassword: 'another long password' } })).status,
    ).toBe(401);
    expect((await callApi(preloop, 'POST', '/auth/login', { body: { email: viewer.user.email, password: viewer.password } })).status).toBe(
      200,
    );
    expect(await auditOf('user.password_change')).toMatchObject([{ outcome: 'failure', data: { reason: 'wrong_current_password' } }]);
  });

  it('counts wrong current passwords in the login throttle: after the limit even the right one is 429', async () => {
    test = await createTestPreloop(dialect, { loginThrottle: { maxFailures: 2 } });
    const { preloop } = test;
    const viewer = await seedUser(preloop, 'viewer', 'val@example.com');
    const cookie = await loginCookie(preloop, viewer.user.email, viewer.password);
    for (let i = 0; i < 2; i += 1) {
      expect(
        (
          await callApi(preloop, 'POST', '/auth/password', {
            cookie,
            body: { currentPassword: `guess ${i} password`, newPassword: 'another long password' },
          })
        ).status,
      ).toBe(403);
    }
    const throttled = await callApi(preloop, 'POST', '/auth/password', {
      cookie,
      body: { currentPassword: viewer.password, newPassword: 'another long password' },
    });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('RATE_LIMITED');
    expect((await auditOf('user.password_change')).map((record: { outcome: string }) => record.outcome)).toContain('refused');
  });

  it('resets another user’s password (given or generated once), ending their sessions; never your own or a higher role', async () => {
    test = await createTestPreloop(dialect);
    const { preloop } = test;
    const owner = await seedUser(preloop, 'owner', 'olga@example.com');
    const admin = await seedUser(preloop, 'admin', 'adam@example.com');
    const viewer = await seedUser(preloop, 'viewer', 'vera@example.com');
    const viewerCookie = await loginCookie(preloop, viewer.user.email, viewer.password);
    const adminCookie = await loginCookie(preloop, admin.user.email, admin.password);

    const generated = await callApi(preloop, 'POST', `/users/${viewer.user.id}/password`, { cookie: adminCookie });
    expect(generated.status).toBe(200);
    expect(generated.headers.get('cache-control')).toBe('no-store');
    expect(generated.body).toMatchObject({ user: { id: viewer.user.id }, endedSessions: 1 });
    expect(generated.body.generatedPassword).toMatch(/^[\w-]{24}$/);
    expect((await callApi(preloop, 'GET', '/auth/me', { cookie: viewerCookie })).status).toBe(401);
    expect((await callApi(preloop, 'POST', '/auth/login', { body: { email: viewer.user.email, password: viewer.password } })).status).toBe(
      401,
    );
    expect(
      (await callApi(preloop, 'POST', '/auth/login', { body: { email: viewer.user.email, password: generated.body.generatedPassword } }))
        .status,
    ).toBe(200);

    const given = await callApi(preloop, 'POST', `/users/${viewer.user.id}/password`, {
      bearer: owner.key,
      body: { password: 'chosen by the owner' },
    });
    expect(given.status).toBe(200);
    expect(given.body.generatedPassword).toBeNull();
    expect(
      (await callApi(preloop, 'POST', '/auth/login', { body: { email: viewer.user.email, password: 'chosen by the owner' } })).status,
    ).toBe(200);

    expect(
      (await callApi(preloop, 'POST', `/users/${viewer.user.id}/password`, { bearer: owner.key, body: { password: 'short' } })).status,
    ).toBe(400);
    const higher = await callApi(preloop, 'POST', `/users/${owner.user.id}/password`, { cookie: adminCookie });
    expect(higher.status).toBe(403);
    const self = await callApi(preloop, 'POST', `/users/${admin.user.id}/password`, { cookie: adminCookie });
    expect(self.status).toBe(403);
    expect(self.body.error.message).toContain('POST /auth/password');
    expect((await callApi(preloop, 'POST', `/users/${admin.user.id}/password`, { bearer: viewer.key })).status).toBe(403);
    expect((await callApi(preloop, 'POST', '/users/usr_missing/password', { cookie: adminCookie })).status).toBe(404);
    expect((await callApi(preloop, 'POST', '/auth/login', { body: { email: owner.user.email, password: owner.password } })).status).toBe(
      200,
    );

    const records = await auditOf('user.password_reset');
    expect(records.map((record) => record.data.generated).sort()).toEqual([false, true]);
    expect(JSON.stringify(records)).not.toContain(generated.body.generatedPassword);
    expect(JSON.stringify(records)).not.toContain('chosen by the owner');
  });
});
