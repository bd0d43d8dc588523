import { describe, expect, it } from 'vitest';
import { createMemoryEventStore } from './memory-event-store.js';
import { createHostMatcher, createOriginMatcher, loopbackHosts, readLimitedBody, unauthorizedResponse } from './request-guards.js';

describe('request guards', () => {
  it('allows loopback hosts on any port by default and exact configured ones', () => {
    const loopback = createHostMatcher(loopbackHosts);
    for (const host of ['localhost', 'localhost:8787', '127.0.0.1:1', '[::1]:3000', 'LOCALHOST']) expect(loopback(host)).toBe(true);
    for (const host of ['evil.example.com', 'localhost.evil.com', '127.0.0.2', null, '']) expect(loopback(host)).toBe(false);
    const configured = createHostMatcher(['mcp.example.com', 'internal:8443']);
    expect(configured('mcp.example.com:443')).toBe(true);
    expect(configured('internal:8443')).toBe(true);
    expect(configured('internal:80')).toBe(false);
    expect(createHostMatcher(null)('anything')).toBe(true);
  });

  it('allows listed origins and loopback origins, nothing else', () => {
    const allowed = createOriginMatcher(['https://portal.example.com'], true);
    expect(allowed('https://portal.example.com')).toBe(true);
    expect(allowed('http://localhost:5173')).toBe(true);
    expect(allowed('http://127.0.0.1')).toBe(true);
    for (const origin of ['https://evil.example', 'null', 'http://localhost.evil.com', 'file://', 'https://portal.example.com.evil.com'])
      expect(allowed(origin)).toBe(false);
    expect(createOriginMatcher([], false)('http://localhost:5173')).toBe(false);
  });

  it('reads bodies up to the limit and stops beyond it', async () => {
    const request = (body: string, headers: Record<string, string> = {}) =>
      new Request('http://localhost/mcp', { method: 'POST', body, headers });
    expect(await readLimitedBody(request('{"a":1}'), 100)).toEqual({ ok: true, text: '{"a":1}' });
    expect(await readLimitedBody(request('x'.repeat(101)), 100)).toEqual({ ok: false, tooLarge: true });
    expect(await readLimitedBody(request('x', { 'content-length': '1000' }), 100)).toEqual({ ok: false, tooLarge: true });
  });

  it('builds WWW-Authenticate challenges per RFC 6750 and RFC 9728', () => {
    expect(unauthorizedResponse().headers.get('www-authenticate')).toBe('Bearer realm="preloop"');
    expect(
      unauthorizedResponse({
        error: 'invalid_token',
        description: 'expired "token"',
        resourceMetadataUrl: 'https://x/.well-known/oauth-protected-resource',
      }).headers.get('www-authenticate'),
    ).toBe(
      'Bearer realm="preloop", resource_metadata="https://x/.well-known/oauth-protected-resource", error="invalid_token", error_description="expired token"',
    );
  });

  it('keeps a bounded event history per session and replays one stream after an event id', async () => {
    const store = createMemoryEventStore({ maxEvents: 3 });
    const message = (id: number) => ({ jsonrpc: '2.0' as const, id, result: {} });
    const a1 = await store.storeEvent('a', message(1));
    await store.storeEvent('b', message(2));
    await store.storeEvent('a', message(3));
    const replayed: unknown[] = [];
    expect(await store.replayEventsAfter(a1, { send: async (_id, sent) => void replayed.push(sent) })).toBe('a');
    expect(replayed).toEqual([message(3)]);
    await store.storeEvent('a', message(4));
    expect(await store.getStreamIdForEventId!(a1)).toBeUndefined();
  });
});
