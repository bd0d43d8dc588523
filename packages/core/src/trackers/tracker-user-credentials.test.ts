import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, loginCookie, seedUser, type SeededUser } from '../identity/identity-test-support.js';
import type { Preloop } from '../kernel/preloop.js';
import { definePlugin } from '../plugins/define-plugin.js';
import { createTestPreloop, type TestPreloop } from '../testing/create-test-preloop.js';
import { toUserPrincipal } from '../identity/principal.js';
import { postgresOnly, testDialects } from '../testing/test-databases.js';
import { startStubTrackerServer, stubTracker, type StubTrackerServer } from './sync/test-support/stub-tracker.js';

const sqlite = testDialects().filter((dialect) => dialect.name === 'sqlite');

describe.each(sqlite)("a user's own tracker credential ($name)", (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  let stub: StubTrackerServer;
  let connectionId: string;
  let ada: SeededUser;
  let bob: SeededUser;
  let adaCookie: string;
  let bobCookie: string;
  const path = () => `/trackers/connections/${connectionId}/my-credential`;
  const audits = async (action: string) => (await preloop.audit.query({ accountId: preloop.accountId, action, limit: 100 })).items;

  beforeAll(async () => {
    stub = await startStubTrackerServer();
    stub.tokens.set('ada-token', 'ada-at-tracker');
    stub.tokens.set('bob-token', 'bob-at-tracker');
    stub.put('acme/web', 1, { title: 'Existing' }, 100);
    test = await createTestPreloop(dialect, {
      plugins: [definePlugin({ id: 'stub-tracker', contributions: { trackers: [stubTracker()] } })],
    });
    preloop = test.preloop;
    connectionId = (
      await preloop.trackers.create(preloop.accountId, {
        tracker: 'stub',
        name: 'stub',
        settings: { baseUrl: stub.url, projects: ['acme/web'] },
        secrets: { token: 'stub-token' },
      })
    ).id;
    ada = await seedUser(preloop, 'approver');
    bob = await seedUser(preloop, 'approver');
    adaCookie = await loginCookie(preloop, ada.user.email, ada.password);
    bobCookie = await loginCookie(preloop, bob.user.email, bob.password);
  });
  afterAll(async () => {
    await test?.cleanup();
    await stub?.close();
  });

  it('refuses a token the tracker rejects (400 naming the problem) and stores nothing', async () => {
    const refused = await callApi(preloop, 'PUT', path(), { cookie: adaCookie, body: { secrets: { token: 'wrong-token' } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'TRACKER_CREDENTIAL_REFUSED', message: expect.stringContaining('secrets') });
    expect(JSON.stringify(refused.body)).not.toContain('wrong-token');

    const invalid = await callApi(preloop, 'PUT', path(), { cookie: adaCookie, body: { secrets: { nope: 'x' } } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toContain('secrets.token');

    expect((await callApi(preloop, 'GET', path(), { cookie: adaCookie })).body).toEqual({ linked: false });
    expect((await preloop.secrets.list(preloop.accountId)).filter((secret) => secret.name.includes(':user:'))).toEqual([]);
    expect(await audits('tracker-connection.user-credential.link')).toEqual([]);
  });

  it('links a tested token (audited, never the secret), then creates and comments as the user', async () => {
    const linked = await callApi(preloop, 'PUT', path(), { cookie: adaCookie, body: { secrets: { token: 'ada-token' } } });
    expect(linked.status).toBe(200);
    expect(linked.body).toEqual({ linked: true, identity: 'ada-at-tracker', linkedAt: expect.any(Number) });
    expect((await callApi(preloop, 'GET', path(), { cookie: adaCookie })).body).toMatchObject({ linked: true, identity: 'ada-at-tracker' });
    // Bob's view of the same connection: nothing linked.
    expect((await callApi(preloop, 'GET', path(), { cookie: bobCookie })).body).toEqual({ linked: false });
    const [record] = await audits('tracker-connection.user-credential.link');
    expect(record).toMatchObject({ principal: { userId: ada.user.id }, targetId: connectionId, data: { identity: 'ada-at-tracker' } });
    expect(JSON.stringify(record)).not.toContain('ada-token');

    const created = await callApi(preloop, 'POST', '/issues', {
      cookie: adaCookie,
      body: { connectionId, project: 'acme/web', title: 'Filed by Ada' },
    });
    expect(created.status).toBe(201);
    expect(created.body.author).toBe('ada-at-tracker');
    const comment = await callApi(preloop, 'POST', `/issues/${created.body.id}/comments`, { cookie: adaCookie, body: { body: 'Mine' } });
    expect(comment.status).toBe(201);
    expect(comment.body.author).toBe('ada-at-tracker');
    expect(stub.comments.get(`acme/web#${created.body.number}`)?.map((item) => item.author)).toEqual(['ada-at-tracker']);

    const [create] = await audits('tracker.issue.create');
    expect(create).toMatchObject({ principal: { userId: ada.user.id }, outcome: 'success', data: { credentialSource: 'user' } });
    const [commented] = await audits('tracker.comment.create');
    expect(commented).toMatchObject({ principal: { userId: ada.user.id }, data: { credentialSource: 'user' } });
    expect(JSON.stringify([create, commented])).not.toContain('ada-token');
  });

  it("never uses another user's link, nor the link for an API key: those write through the connection", async () => {
    const byBob = await callApi(preloop, 'POST', '/issues', {
      cookie: bobCookie,
      body: { connectionId, project: 'acme/web', title: 'Filed by Bob' },
    });
    expect(byBob.status).toBe(201);
    expect(byBob.body.author).toBe('stub-bot');
    const byAdasKey = await callApi(preloop, 'POST', '/issues', {
      bearer: ada.key,
      body: { connectionId, project: 'acme/web', title: "Filed with Ada's key" },
    });
    expect(byAdasKey.status).toBe(201);
    expect(byAdasKey.body.author).toBe('stub-bot');
    const records = await audits('tracker.issue.create');
    expect(records.find((record) => record.data?.title === 'Filed by Bob')).toMatchObject({ data: { credentialSource: 'connection' } });
  });

  it('unlinks (audited): create then writes through the connection again, and a disconnected connection drops the links', async () => {
    const unlinked = await callApi(preloop, 'DELETE', path(), { cookie: adaCookie });
    expect(unlinked.status).toBe(204);
    expect(await audits('tracker-connection.user-credential.unlink')).toEqual([
      expect.objectContaining({ principal: expect.objectContaining({ userId: ada.user.id }), targetId: connectionId }),
    ]);
    expect((await callApi(preloop, 'GET', path(), { cookie: adaCookie })).body).toEqual({ linked: false });
    const after = await callApi(preloop, 'POST', '/issues', {
      cookie: adaCookie,
      body: { connectionId, project: 'acme/web', title: 'After unlinking' },
    });
    expect(after.body.author).toBe('stub-bot');

    expect((await callApi(preloop, 'PUT', path(), { cookie: bobCookie, body: { secrets: { token: 'bob-token' } } })).status).toBe(200);
    await preloop.trackers.delete(preloop.accountId, connectionId);
    expect((await preloop.secrets.list(preloop.accountId)).filter((secret) => secret.name.includes(':user:'))).toEqual([]);
  });
});

describe.each(postgresOnly())("a user's own tracker credential across instances ($name)", (dialect) => {
  it('a link or unlink on one instance changes which client the other writes with', async () => {
    const stub = await startStubTrackerServer();
    stub.tokens.set('ada-token', 'ada-at-tracker');
    stub.put('acme/web', 1, { title: 'Existing' }, 100);
    const plugins = [definePlugin({ id: 'stub-tracker', contributions: { trackers: [stubTracker()] } })];
    const first = await createTestPreloop(dialect, { plugins });
    const second = await createTestPreloop(
      { name: 'postgres', create: async () => ({ url: first.url, drop: async () => {} }) },
      { plugins },
    );
    try {
      const { preloop } = first;
      const connectionId = (
        await preloop.trackers.create(preloop.accountId, {
          tracker: 'stub',
          name: 'stub',
          settings: { baseUrl: stub.url },
          secrets: { token: 'stub-token' },
        })
      ).id;
      const ada = await seedUser(preloop, 'approver');
      const principal = toUserPrincipal({ ...ada.user, role: 'approver' }, { teamIds: [] });
      const createOnSecond = async (title: string) =>
        (await second.preloop.issues.create(principal, { connectionId, project: 'acme/web', title })).author;
      const announced = () =>
        new Promise<void>((resolve) => {
          const off = second.preloop.bus.subscribe('tracker-user-credentials', () => {
            off();
            resolve();
          });
        });
      // The second instance caches "nothing linked" for Ada.
      expect(await createOnSecond('Before')).toBe('stub-bot');
      let seen = announced();
      await preloop.trackers.userCredentials.link(preloop.accountId, connectionId, ada.user.id, { token: 'ada-token' });
      await seen;
      expect(await createOnSecond('Linked elsewhere')).toBe('ada-at-tracker');
      seen = announced();
      await preloop.trackers.userCredentials.unlink(preloop.accountId, connectionId, ada.user.id);
      await seen;
      expect(await createOnSecond('Unlinked elsewhere')).toBe('stub-bot');
    } finally {
      await second.cleanup();
      await first.cleanup();
      await stub.close();
    }
  });
});
