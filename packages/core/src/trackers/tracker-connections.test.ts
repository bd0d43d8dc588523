import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Tracker, TrackerClient } from '../contracts/tracker.js';
import { definePlugin } from '../plugins/define-plugin.js';
import { createTestPreloop, type TestPreloop } from '../testing/create-test-preloop.js';
import { testDialects } from '../testing/test-databases.js';

/** A tracker whose client answers with the token it was built from (so a test sees which credential a cached client holds). */
function tokenTracker(): Tracker<{ owner: string }> {
  return {
    id: 'echo',
    version: 1,
    displayName: 'Echo',
    settingsSchema: z.strictObject({ owner: z.string().min(1) }),
    secretsSchema: z.strictObject({ token: z.string().min(1) }),
    pullRequests: false,
    connect: ({ settings, secrets }) =>
      ({ test: async () => ({ identity: `${settings.owner}:${secrets.token}` }) }) as unknown as TrackerClient,
    webhooks: { verify: () => false, deliveryId: () => null, parse: () => [] },
  };
}

describe.each(testDialects())('tracker connections ($name)', (dialect) => {
  let kernel: TestPreloop;
  beforeAll(async () => {
    kernel = await createTestPreloop(dialect, { plugins: [definePlugin({ id: 'echo', contributions: { trackers: [tokenTracker()] } })] });
  });
  afterAll(() => kernel?.cleanup());

  it('keeps settings in the row and secrets in the secret store, and rebuilds the client after a change', async () => {
    const { preloop } = kernel;
    const created = await preloop.trackers.create(preloop.accountId, {
      tracker: 'echo',
      name: 'acme-echo',
      settings: { owner: 'acme' },
      secrets: { token: 'one' },
    });
    expect(created).toMatchObject({ id: expect.stringMatching(/^trk_/), name: 'acme-echo', secretNames: ['token', 'webhookSecret'] });
    expect(created.webhookSecret.length).toBeGreaterThan(20);
    expect(JSON.stringify(await preloop.trackers.get(preloop.accountId, created.id))).not.toContain('one');
    expect(await preloop.secrets.get(preloop.accountId, `tracker:${created.id}:token`)).toBe('one');

    const client = await preloop.trackers.client(preloop.accountId, created.id);
    expect(await preloop.trackers.client(preloop.accountId, created.id)).toBe(client);
    expect(await client.test()).toEqual({ identity: 'acme:one' });

    await preloop.trackers.update(preloop.accountId, created.id, { secrets: { token: 'two' } });
    expect(await (await preloop.trackers.client(preloop.accountId, created.id)).test()).toEqual({ identity: 'acme:two' });

    await preloop.trackers.delete(preloop.accountId, created.id);
    await expect(preloop.trackers.client(preloop.accountId, created.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await preloop.secrets.has(preloop.accountId, `tracker:${created.id}:token`)).toBe(false);
  });

  it('refuses bad settings, secrets, names and unknown trackers, naming what is wrong, and changes nothing', async () => {
    const { preloop } = kernel;
    const base = { tracker: 'echo', name: 'x', settings: { owner: 'acme' }, secrets: { token: 't' } };
    await expect(preloop.trackers.create(preloop.accountId, { ...base, settings: {} })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('settings.owner'),
    });
    await expect(preloop.trackers.create(preloop.accountId, { ...base, secrets: {} })).rejects.toMatchObject({
      message: expect.stringContaining('secrets.token'),
    });
    await expect(preloop.trackers.create(preloop.accountId, { ...base, name: 'Not A Slug' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    await expect(preloop.trackers.create(preloop.accountId, { ...base, tracker: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('echo'),
    });
    await preloop.trackers.create(preloop.accountId, { ...base, name: 'dup' });
    await expect(preloop.trackers.create(preloop.accountId, { ...base, name: 'dup' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await preloop.trackers.list(preloop.accountId)).map((connection) => connection.name)).toEqual(['dup']);
  });
});
