import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactArguments, redactedValueMarker } from './redact-arguments.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

describe('redactArguments', () => {
  it('redacts secret names as whole names, secret values by pattern, and lists every place', () => {
    const { args, redactions } = redactArguments({
      repo: 'acme/api',
      api_key: 'k-123',
      headers: { Authorization: 'Bearer abcdefghijklmnop', 'content-type': 'json' },
      author: 'ada',
      auth_method: 'oauth',
      max_tokens: 2048,
      passenger_count: 3,
      page_token: 'CAESBggBEAEYAQ',
      note: `deploy with sk-live-abcdefghijklmnopqrstuvwx and ${jwt}`,
      nested: [
        { password: 'hunter2', keep: true },
        { pin: 1234, otp: null, secret: false },
      ],
    });
    expect(args).toEqual({
      repo: 'acme/api',
      api_key: redactedValueMarker,
      headers: { Authorization: redactedValueMarker, 'content-type': 'json' },
      author: 'ada',
      auth_method: 'oauth',
      max_tokens: 2048,
      passenger_count: 3,
      page_token: 'CAESBggBEAEYAQ',
      note: 'deploy with [redacted:api-key] and [redacted:jwt]',
      nested: [
        { password: redactedValueMarker, keep: true },
        { pin: redactedValueMarker, otp: null, secret: false },
      ],
    });
    expect(redactions).toEqual([
      { path: ['api_key'], reason: 'secret-name' },
      { path: ['headers', 'Authorization'], reason: 'secret-name' },
      { path: ['note'], reason: 'secret-value', kinds: ['jwt', 'api-key'] },
      { path: ['nested', 0, 'password'], reason: 'secret-name' },
      { path: ['nested', 1, 'pin'], reason: 'secret-name' },
    ]);
  });

  it('cuts a 1 MB string to a prefix with a marker naming the bytes cut and the hash of the whole value', () => {
    const big = 'a'.repeat(1024 * 1024);
    const { args, redactions } = redactArguments({ body: big, title: 'short' });
    const body = args.body as string;
    expect(Buffer.byteLength(body)).toBeLessThan(4096 + 120);
    expect(body).toBe(`${'a'.repeat(4096)}…[truncated ${1024 * 1024 - 4096} bytes; sha256 ${sha256(big)}]`);
    expect(args.title).toBe('short');
    expect(redactions).toEqual([{ path: ['body'], reason: 'truncated', bytes: 1024 * 1024, sha256: sha256(big) }]);
  });

  it('never splits a multi-byte character and still redacts a credential near the cut', () => {
    const text = `${'é'.repeat(3000)} ghp_abcdefghijklmnopqrstuvwxyz0123456789 ${'x'.repeat(5000)}`;
    const { args } = redactArguments({ text }, { maxStringBytes: 6010 });
    const shown = args.text as string;
    expect(shown).not.toContain('ghp_abc');
    expect(shown.startsWith('é'.repeat(3000))).toBe(true);
    expect(shown).not.toContain('\uFFFD');
    const { args: odd } = redactArguments({ text: 'é'.repeat(10) }, { maxStringBytes: 5 });
    expect(odd.text).toMatch(/^éé…\[truncated 16 bytes; sha256 [0-9a-f]{64}\]$/);
  });

  it('bounds the whole payload: shorter strings first, then a summary', () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`field${index}`, 'b'.repeat(4000)]));
    const shown = redactArguments(many);
    expect(Buffer.byteLength(JSON.stringify(shown.args))).toBeLessThanOrEqual(65_536);
    expect(shown.redactions.every((entry) => entry.reason === 'truncated')).toBe(true);
    const huge = { items: Array.from({ length: 20_000 }, (_, index) => index) };
    const summary = redactArguments(huge);
    expect(summary.args).toEqual({ '[truncated]': expect.stringContaining('too large to show; top-level keys: items') });
    expect(summary.redactions).toEqual([
      { path: [], reason: 'truncated', bytes: JSON.stringify(huge).length, sha256: sha256(JSON.stringify(huge)) },
    ]);
  });

  it('keeps everything whole when unbounded, still redacting secrets, and never modifies its input', () => {
    const input = { body: 'c'.repeat(100_000), token: 'abc' };
    const { args } = redactArguments(input, { maxStringBytes: Infinity, maxTotalBytes: Infinity });
    expect(args).toEqual({ body: input.body, token: redactedValueMarker });
    expect(input.token).toBe('abc');
  });

  const separator = fc.constantFrom(' ', '\n', '"', "'", '=', ': ', ',', '(', '<', '\t');
  const alnum = (min: number, max: number) =>
    fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
      minLength: min,
      maxLength: max,
    });
  const base64url = (min: number, max: number) =>
    fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'),
      minLength: min,
      maxLength: max,
    });
  const secret = fc.oneof(
    alnum(20, 40).map((rest) => `sk-live-${rest}`),
    alnum(16, 40).map((rest) => `sk-proj-${rest}`),
    base64url(20, 60).map((rest) => `sk-ant-api03-${rest}`),
    alnum(36, 36).map((rest) => `ghp_${rest}`),
    fc.tuple(fc.constantFrom('gho_', 'ghs_', 'ghu_'), alnum(30, 40)).map(([prefix, rest]) => `${prefix}${rest}`),
    alnum(22, 60).map((rest) => `github_pat_${rest}`),
    fc.tuple(fc.constantFrom('b', 'p', 'a', 's'), alnum(12, 40)).map(([kind, rest]) => `xox${kind}-${rest}`),
    fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), minLength: 16, maxLength: 16 }).map((rest) => `AKIA${rest}`),
    fc.tuple(base64url(10, 40), base64url(10, 80), base64url(10, 60)).map(([a, b, c]) => `eyJ${a}.eyJ${b}.${c}`),
    alnum(38, 38).map((rest) => `plk_${rest}`),
    fc.tuple(fc.constantFrom('Bearer ', 'bearer  ', 'Basic '), base64url(12, 60)).map(([scheme, rest]) => `${scheme}${rest}`),
    base64url(20, 200).map((body) => `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`),
  );
  const ordinaryName = fc.constantFrom(
    'author',
    'max_tokens',
    'page_token',
    'auth_method',
    'passenger_count',
    'title',
    'body',
    'repo',
    'note',
    'tokenType',
    'apiKeyId',
    'items',
  );
  const plainText = fc.string({ unit: fc.constantFrom(...'abcdefghij klmnop.,-'), maxLength: 60 });

  it('property: no secret value survives, wherever it sits in the arguments', () => {
    fc.assert(
      fc.property(
        secret,
        plainText,
        plainText,
        separator,
        separator,
        ordinaryName,
        fc.nat(3),
        (value, before, after, left, right, name, depth) => {
          let args: Record<string, unknown> = { [name]: `${before}${left}${value}${right}${after}` };
          for (let level = 0; level < depth; level++) args = { [name]: level % 2 === 0 ? [args] : args };
          const shown = JSON.stringify(redactArguments(args).args);
          // The credential's distinctive body never appears (its first 12 characters after the prefix are enough to find it).
          const body = value.replace(/^(Bearer|bearer|Basic)\s+/, '').slice(0, 24);
          expect(shown).not.toContain(body);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('property: ordinary names and plain values come back untouched', () => {
    const ordinaryValue = fc.oneof(plainText, fc.integer(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(
        fc.dictionary(
          ordinaryName,
          fc.oneof(ordinaryValue, fc.array(ordinaryValue, { maxLength: 4 }), fc.dictionary(ordinaryName, ordinaryValue)),
        ),
        (args) => {
          const { args: shown, redactions } = redactArguments(args);
          expect(shown).toEqual(args);
          expect(redactions).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
