import { describe, expect, it } from 'vitest';
import type { Principal } from '@preloop/core';
import { createRateLimiter } from './rate-limiter.js';

const principal = (overrides: Partial<Principal> = {}): Principal => ({
  type: 'api_key', id: 'k1', accountId: 'acc', name: 'k', role: null, userId: null, apiKeyId: 'k1', agentId: null, runtimeSessionId: null, teamIds: [], scopes: ['gateway'], ...overrides,
});

describe('createRateLimiter', () => {
  it('does nothing without limits', () => {
    const limiter = createRateLimiter();
    for (let index = 0; index < 1000; index++) limiter.take(principal(), 0);
  });

  it('allows a burst, then refills at the sustained rate, with a retry hint', () => {
    const limiter = createRateLimiter({ apiKey: { requestsPerMinute: 60, burst: 2 } });
    limiter.take(principal(), 0);
    limiter.take(principal(), 0);
    expect(() => limiter.take(principal(), 0)).toThrow(expect.objectContaining({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 1 } }));
    limiter.take(principal(), 1000);
    expect(() => limiter.take(principal(), 1500)).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    limiter.take(principal({ apiKeyId: 'k2', id: 'k2' }), 1500);
  });

  it('limits an agent across its keys, and gives back a key token when the agent bucket refuses', () => {
    const limiter = createRateLimiter({ apiKey: { requestsPerMinute: 600, burst: 5 }, agent: { requestsPerMinute: 60, burst: 1 } });
    limiter.take(principal({ agentId: 'a1', apiKeyId: 'k1' }), 0);
    expect(() => limiter.take(principal({ agentId: 'a1', apiKeyId: 'k2' }), 0)).toThrow(/agent/);
    for (let index = 0; index < 5; index++) limiter.take(principal({ agentId: null, apiKeyId: 'k2' }), 0);
    expect(() => limiter.take(principal({ agentId: null, apiKeyId: 'k2' }), 0)).toThrow(/API key/);
  });
});
