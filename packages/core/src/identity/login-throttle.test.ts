import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPreloopError } from '../errors.js';
import { createPreloop } from '../kernel/create-preloop.js';
import type { Preloop } from '../kernel/preloop.js';
import { createLogger } from '../logger.js';
import { createLoginThrottle } from './login-throttle.js';

describe('login throttle', () => {
  it('refuses after maxFailures within the window, says when to retry, and forgets after a success or the window', () => {
    let now = 1_000_000;
    const throttle = createLoginThrottle({ maxFailures: 3, windowSeconds: 60, now: () => now });
    for (let i = 0; i < 3; i++) {
      throttle.check('a@example.com');
      throttle.fail('a@example.com');
      now += 1000;
    }
    const error = (() => {
      try {
        throttle.check('a@example.com');
      } catch (e) {
        return e;
      }
    })();
    expect(isPreloopError(error, 'RATE_LIMITED')).toBe(true);
    expect((error as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds).toBe(57);
    expect(() => throttle.check('b@example.com')).not.toThrow();
    now += 58_000;
    expect(() => throttle.check('a@example.com')).not.toThrow();
    throttle.fail('a@example.com');
    throttle.succeed('a@example.com');
    throttle.fail('a@example.com');
    expect(() => throttle.check('a@example.com')).not.toThrow();
  });
});

describe('login through the admin API', () => {
  let preloop: Preloop;
  beforeAll(async () => {
    preloop = await createPreloop({ database: ':memory:', logger: createLogger({ level: 'silent' }) });
    await preloop.identity.users.create(preloop.accountId, { email: 'ada@example.com', name: 'Ada', role: 'admin', password: 'the right password' });
  });
  afterAll(() => preloop.close());
  const login = (password: string, email = 'ada@example.com') =>
    preloop.api(new Request('http://localhost/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) }));

  it('refuses even the right password with 429 after five failures for that email, and audits the refusal', async () => {
    for (let i = 0; i < 5; i++) expect((await login(`wrong ${i}`)).status).toBe(401);
    const throttled = await login('the right password');
    expect(throttled.status).toBe(429);
    expect((await throttled.json()).error).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
    expect(throttled.headers.get('set-cookie')).toBeNull();
    const refusals = await preloop.audit.query({ accountId: preloop.accountId, action: 'auth.login', outcome: 'refused' });
    expect(refusals.items).toHaveLength(1);
    expect((await login('whatever', 'someone-else@example.com')).status).toBe(401);
  });
});
