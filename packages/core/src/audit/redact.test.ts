import { describe, expect, it } from 'vitest';
import { isSecretKey, redactAuditData, redactedMarker, redactString, truncatedKey } from './redact.js';

describe('redactAuditData', () => {
  it('redacts values of secret-looking keys at any depth, keeping numbers such as token counts', () => {
    const data = redactAuditData({
      password: 'hunter2',
      headers: { Authorization: 'Bearer abc', Cookie: 'sid=1', 'x-api-key': 'k', accept: 'json' },
      nested: [{ client_secret: 's', private_key: 'p', refreshToken: 'r', credentials: { user: 'bob', pass: 'x' } }],
      apiKeyId: 'key_1',
      tokenPrefix: 'plk_abc123',
      usage: { inputTokens: 12, outputTokens: 3 },
      tokens: { input: 10, note: 'secret text' },
    });
    expect(data).toEqual({
      password: redactedMarker,
      headers: { Authorization: redactedMarker, Cookie: redactedMarker, 'x-api-key': redactedMarker, accept: 'json' },
      nested: [
        {
          client_secret: redactedMarker,
          private_key: redactedMarker,
          refreshToken: redactedMarker,
          credentials: { user: redactedMarker, pass: redactedMarker },
        },
      ],
      apiKeyId: 'key_1',
      tokenPrefix: 'plk_abc123',
      usage: { inputTokens: 12, outputTokens: 3 },
      // `tokens` is a count, not a secret: names are matched as whole words (isSecretName).
      tokens: { input: 10, note: 'secret text' },
    });
  });

  it('classifies keys', () => {
    for (const key of [
      'password',
      'PASSWORD',
      'api_key',
      'apiKey',
      'X-Api-Key',
      'authorization',
      'set-cookie',
      'accessToken',
      'id_token',
      'privateKey',
      'clientSecret',
      'credential',
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of [
      'apiKeyId',
      'tokenPrefix',
      'secretName',
      'name',
      'user',
      'footprint',
      'tokenType',
      'expiresAt',
      'author',
      'max_tokens',
      'page_token',
      'auth_method',
      'passenger_count',
    ]) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });

  it('redacts credential-shaped strings anywhere', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const samples: Record<string, string> = {
      preloop: 'key plk_Ab3dE5gH7jK9mN1pQ3sT5vX7zB9dF1hJ3lN5pR',
      header: 'header was Bearer abcdefghijklmnop.qrs',
      jwt: `token ${jwt} end`,
      openai: 'sk-proj-abcdefghijklmnopqrstuvwxyz012345',
      anthropic: 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz',
      github: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      slack: 'xoxb-123456789012-abcdefghijkl',
      aws: 'AKIAIOSFODNN7EXAMPLE',
      url: 'postgres://user:pa55word@db.example.com/x',
      pem: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----',
    };
    const data = redactAuditData(samples);
    const text = JSON.stringify(data);
    for (const secret of [
      'Ab3dE5gH7jK9',
      'abcdefghijklmnop.qrs',
      jwt,
      'sk-proj-abc',
      'sk-ant-api03',
      'ghp_abc',
      'xoxb-1234',
      'AKIAIOSFODNN7EXAMPLE',
      'pa55word',
      'MIIEvQIBADANBg',
    ]) {
      expect(text, secret).not.toContain(secret);
    }
    expect(data.header).toBe('header was Bearer [redacted]');
    expect(data.url).toBe('postgres://user:[redacted]@db.example.com/x');
    expect(data.jwt).toBe('token [redacted:jwt] end');
    expect(redactString('plk_short')).toBe('plk_short');
  });

  it('strips CR/LF and control characters from strings and keys', () => {
    const data = redactAuditData({ 'evil\r\nkey': 'line1\r\nINFO forged entry\u0000\u001b[31m', tab: 'a\tb' });
    expect(data).toEqual({ 'evil key': 'line1 INFO forged entry[31m', tab: 'a\tb' });
  });

  it('bounds string length, depth, keys and items with markers that say what was cut', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) deep = { deep };
    const data = redactAuditData({
      long: 'x'.repeat(3000),
      deep,
      wide: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i])),
      list: Array.from({ length: 130 }, (_, i) => i),
    });
    expect(data.long).toBe(`${'x'.repeat(2048)}…[truncated 952 chars]`);
    expect(JSON.stringify(data.deep)).toContain('[truncated: nested deeper than 8 levels]');
    const wide = data.wide as Record<string, unknown>;
    expect(Object.keys(wide)).toHaveLength(101);
    expect(wide[truncatedKey]).toBe('50 more keys');
    expect((data.list as unknown[]).at(-1)).toBe('[truncated: 30 more items]');
  });

  it('bounds the total size, shortening strings first and summarizing last', () => {
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`field${i}`, 'y'.repeat(2000)]));
    const shortened = redactAuditData(many);
    expect(Buffer.byteLength(JSON.stringify(shortened))).toBeLessThanOrEqual(16_384);
    expect(String(shortened.field0)).toContain('…[truncated');

    const huge = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, Array.from({ length: 100 }, () => 'z'.repeat(100))]));
    const summarized = redactAuditData(huge, { maxBytes: 4096 });
    expect(Object.keys(summarized)).toEqual([truncatedKey]);
    expect(summarized[truncatedKey]).toMatch(/over the 4096-byte limit; top-level keys: f0, f1/);
  });

  it('turns non-JSON values into JSON and survives cycles', () => {
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    const data = redactAuditData({
      when: new Date(0),
      error: new Error('boom'),
      big: 10n,
      fn: () => 1,
      nan: Number.NaN,
      cycle,
      bytes: new Uint8Array(3),
    });
    expect(data).toEqual({
      when: '1970-01-01T00:00:00.000Z',
      error: { name: 'Error', message: 'boom' },
      big: '10',
      fn: null,
      nan: null,
      cycle: { name: 'loop', self: '[circular]' },
      bytes: '[binary: 3 bytes]',
    });
    expect(redactAuditData(undefined)).toEqual({});
    expect(redactAuditData('text')).toEqual({ value: 'text' });
  });

  it('redacts a credential that straddles the length cut, and stays linear on adversarial input', () => {
    const straddling = redactAuditData({ s: `${'x'.repeat(2039)} sk-proj-abcdefghijklmnopqrstuvwxyz and more` });
    expect(String(straddling.s)).not.toContain('sk-pr');
    const started = performance.now();
    const adversarial = redactAuditData({
      a: 'eyJ-'.repeat(250_000),
      b: '//a:'.repeat(250_000),
      c: `${'-----BEGIN PRIVATE KEY-----'.repeat(10_000)}`,
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(String(adversarial.a)).toMatch(/\[truncated 997952 chars\]$/);
    expect(String(adversarial.c)).toMatch(/^\[redacted:private-key\]…\[truncated \d+ chars\]$/);
  });
});
