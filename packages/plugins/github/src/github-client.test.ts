import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGitHubClient,
  githubSecretsSchema,
  githubSettingsSchema,
  githubTracker,
  parseGitHubDelivery,
  verifyGitHubDelivery,
} from './index.js';
import { startGitHubStub, type GitHubStub } from './test-support/github-stub.js';
import { githubDelivery } from './test-support/github-stub-webhooks.js';
import { toWebhookDelivery } from './test-support/github-conformance-server.js';

const token = 'ghp_clientTestToken0123456789abcdefABCDEF';

describe('github client beyond the conformance suite', () => {
  let stub: GitHubStub;
  beforeAll(async () => {
    stub = await startGitHubStub();
    stub.addToken(token);
    stub.state.addRepository('acme/api');
  });
  afterAll(() => stub?.close());

  const client = () => createGitHubClient({ settings: githubSettingsSchema.parse({ baseUrl: stub.url }), secrets: { token } });

  it('maps 429 with retry-after and a secondary rate limit (403 with retry-after) to TRACKER_RATE_LIMITED with their wait', async () => {
    stub.failNext({ status: 429, headers: { 'retry-after': '7' }, body: { message: 'Too many requests' } });
    await expect(client().test()).rejects.toMatchObject({ code: 'TRACKER_RATE_LIMITED', status: 429, details: { retryAfterMs: 7000 } });
    stub.failNext({
      status: 403,
      headers: { 'retry-after': '60' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
    });
    await expect(client().test()).rejects.toMatchObject({ code: 'TRACKER_RATE_LIMITED', details: { retryAfterMs: 60_000 } });
  });

  it('maps a refused token to TRACKER_FORBIDDEN without the token in the error', async () => {
    const refused = createGitHubClient({
      settings: githubSettingsSchema.parse({ baseUrl: stub.url }),
      secrets: { token: 'ghp_revokedToken000000000000000000000000' },
    });
    const error = await refused.test().catch((caught: Error) => caught);
    expect(error).toMatchObject({ code: 'TRACKER_FORBIDDEN', status: 403, message: expect.stringContaining('Bad credentials') });
    expect(`${(error as Error).message}`).not.toContain('ghp_revoked');
  });

  it('answers TRACKER_NOT_FOUND for a pull request asked for as an issue, and refuses a malformed project before calling GitHub', async () => {
    const pull = stub.state.addIssue('acme/api', { title: 'A PR', pull: { head: 'x', base: 'main', draft: false, mergedAt: null } });
    await expect(client().getIssue({ project: 'acme/api', number: String(pull.number) })).rejects.toMatchObject({
      code: 'TRACKER_NOT_FOUND',
    });
    const before = stub.requests.length;
    await expect(client().getIssue({ project: 'not a repo', number: '1' })).rejects.toMatchObject({
      code: 'TRACKER_INVALID_INPUT',
      message: expect.stringContaining('owner/repo'),
    });
    expect(stub.requests.length).toBe(before);
  });

  it('renews a GitHub App installation token five minutes before it expires, not on every call', async () => {
    const app = stub.createApp({ tokenTtlMs: 10 * 60_000 });
    let now = Date.now();
    const appClient = createGitHubClient({
      settings: githubSettingsSchema.parse({ baseUrl: stub.url, appId: String(app.appId), installationId: app.installationId }),
      secrets: { privateKey: app.privateKey },
      now: () => now,
    });
    const issued = () => stub.installationTokens.length;
    const start = issued();
    await appClient.listProjects();
    await appClient.listProjects();
    expect(issued()).toBe(start + 1);
    now += 4 * 60_000;
    await appClient.listProjects();
    expect(issued()).toBe(start + 1);
    now += 2 * 60_000; // 6 minutes in: within 5 minutes of expiry
    await appClient.listProjects();
    expect(issued()).toBe(start + 2);
  });

  it('validates settings and secrets, naming what is wrong', () => {
    expect(githubSecretsSchema.safeParse({ token, privateKey: '-----BEGIN PRIVATE KEY-----' }).success).toBe(false);
    expect(githubSecretsSchema.safeParse({}).error?.issues[0]?.message).toContain('exactly one of token');
    expect(githubSecretsSchema.safeParse({ privateKey: 'not a key' }).error?.issues[0]?.path).toEqual(['privateKey']);
    expect(githubSettingsSchema.safeParse({ baseUrl: 'ftp://example.com' }).success).toBe(false);
    expect(githubSettingsSchema.parse({})).toEqual({ baseUrl: 'https://api.github.com' });
    expect(() =>
      githubTracker().connect({ settings: githubSettingsSchema.parse({ appId: 1, installationId: 2 }), secrets: { token } }),
    ).toThrow(/secrets\.privateKey/);
  });

  it('refuses a delivery whose body is not UTF-8 or whose signature is the legacy SHA-1 only, and maps no event for unmapped kinds', async () => {
    const signed = githubDelivery('issues', { action: 'opened' }, 'secret');
    const legacyOnly = toWebhookDelivery(signed);
    legacyOnly.headers.delete('x-hub-signature-256');
    expect(await verifyGitHubDelivery(legacyOnly, 'secret')).toBe(false);
    const notUtf8 = { headers: new Headers(signed.headers), rawBody: new Uint8Array([0xff, 0xfe, 0x00]) };
    expect(await verifyGitHubDelivery(notUtf8, 'secret')).toBe(false);
    expect(
      parseGitHubDelivery(toWebhookDelivery(githubDelivery('star', { action: 'created', repository: { full_name: 'acme/api' } }, 's'))),
    ).toEqual([]);
    expect(parseGitHubDelivery(toWebhookDelivery(githubDelivery('issues', { action: 'milestoned', issue: {} }, 's')))).toEqual([]);
  });
});
