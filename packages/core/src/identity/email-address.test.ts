import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preloop } from '../kernel/preloop.js';
import { createTestPreloop, type TestPreloop } from '../testing/create-test-preloop.js';
import { testDialects } from '../testing/test-databases.js';
import { isEmailAddress } from './email-address.js';
import { callApi, seedUser, type SeededUser } from './identity-test-support.js';

describe('isEmailAddress', () => {
  it('accepts single-label hosts such as localhost, and refuses what is not an address', () => {
    for (const good of ['admin@localhost', 'approver2@localhost', 'a.b+tag@mail.example.co.uk', 'josé@café.fr', "o'brien@example.com"])
      expect(isEmailAddress(good), good).toBe(true);
    for (const bad of [
      '',
      'ada',
      '@localhost',
      'ada@',
      'ada@@x',
      'a b@x',
      'a..b@x',
      '.a@x',
      'a@-x',
      'a@x.',
      'a@x..y',
      'a\u0000@x',
      `${'a'.repeat(320)}@x`,
    ])
      expect(isEmailAddress(bad), bad).toBe(false);
  });
});

describe.each(testDialects())('POST /users email on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  let owner: SeededUser;
  beforeAll(async () => {
    test = await createTestPreloop(dialect);
    preloop = test.preloop;
    owner = await seedUser(preloop, 'owner');
  });
  afterAll(() => test.cleanup());

  it('creates approver2@localhost (the first admin is admin@localhost) and refuses a malformed address with 400 naming the field', async () => {
    const created = await callApi(preloop, 'POST', '/users', {
      bearer: owner.key,
      body: { email: 'approver2@localhost', name: 'Approver 2', role: 'approver' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.email).toBe('approver2@localhost');
    const refused = await callApi(preloop, 'POST', '/users', {
      bearer: owner.key,
      body: { email: 'approver3@@localhost', name: 'Approver 3', role: 'approver' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.issues[0].path).toBe('email');
    await expect(
      preloop.identity.users.create(preloop.accountId, { email: 'not an address', name: 'X', role: 'viewer' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });
});
