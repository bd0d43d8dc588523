import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preloop } from '../kernel/preloop.js';
import { createTestPreloop, testSecretKey, type TestPreloop } from '../testing/create-test-preloop.js';
import { testDialects } from '../testing/test-databases.js';
import { bearerRequest } from './identity-test-support.js';
import { deriveRuntimeCredentialKey, runtimeCredentialType } from './runtime-credentials.js';
import type { User } from './users.js';

describe.each(testDialects())('agents and runtime sessions on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  let accountId: string;
  let admin: User;
  beforeAll(async () => {
    test = await createTestPreloop(dialect);
    preloop = test.preloop;
    accountId = preloop.accountId;
    admin = await preloop.identity.users.create(accountId, { email: 'admin@example.com', name: 'Admin', role: 'admin' });
  });
  afterAll(() => test.cleanup());

  it('enrolls agents active, lists them by state, kind and tag, and publishes state changes on the Bus', async () => {
    const messages: unknown[] = [];
    const unsubscribe = preloop.bus.subscribe('identity', (payload) => messages.push(payload));
    const changes: string[] = [];
    preloop.events.on('agent-changed', ({ state }) => changes.push(state));
    const coder = await preloop.identity.agents.enroll(accountId, {
      name: 'coder',
      kind: 'codex',
      tags: ['ci', 'ci', 'prod'],
      ownerUserId: admin.id,
    });
    const helper = await preloop.identity.agents.enroll(accountId, { name: 'helper', kind: 'custom', tags: ['dev'] });
    expect(coder).toMatchObject({ state: 'active', tags: ['ci', 'prod'], ownerUserId: admin.id });
    await preloop.identity.agents.suspend(accountId, helper.id, 'noisy');
    expect((await preloop.identity.agents.list(accountId, { tag: 'ci' })).items.map((a) => a.id)).toEqual([coder.id]);
    expect((await preloop.identity.agents.list(accountId, { state: 'suspended' })).items.map((a) => a.id)).toEqual([helper.id]);
    expect((await preloop.identity.agents.list(accountId, { kind: 'codex' })).items.map((a) => a.id)).toEqual([coder.id]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(messages).toContainEqual({ kind: 'invalidate', tags: [helper.id] });
    expect(changes).toEqual(['active', 'active', 'suspended']);
    unsubscribe();
    await expect(preloop.identity.agents.enroll(accountId, { name: 'x', kind: 'custom', ownerUserId: 'usr_nope' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
  });

  it('moves agents through active ↔ suspended → decommissioned, which is final', async () => {
    const agent = await preloop.identity.agents.enroll(accountId, { name: 'lifecycle', kind: 'custom' });
    expect((await preloop.identity.agents.suspend(accountId, agent.id, 'why')).stateReason).toBe('why');
    expect((await preloop.identity.agents.suspend(accountId, agent.id)).state).toBe('suspended');
    expect((await preloop.identity.agents.resume(accountId, agent.id)).stateReason).toBeNull();
    expect((await preloop.identity.agents.decommission(accountId, agent.id, 'done')).state).toBe('decommissioned');
    await expect(preloop.identity.agents.resume(accountId, agent.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(preloop.identity.agents.suspend(accountId, agent.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(preloop.identity.agents.suspend(accountId, 'agt_missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(preloop.identity.runtimeSessions.start(accountId, { name: 'late', agentId: agent.id })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('starts a session with a credential that authenticates as the runtime session', async () => {
    const agent = await preloop.identity.agents.enroll(accountId, { name: 'runner', kind: 'claude_code' });
    const { session, credential } = await preloop.identity.runtimeSessions.start(accountId, {
      agentId: agent.id,
      name: 'fix the build',
      source: 'ci',
      externalId: 'job-1',
      metadata: { branch: 'main' },
      userId: admin.id,
    });
    expect(session).toMatchObject({
      state: 'active',
      agentId: agent.id,
      source: 'ci',
      externalId: 'job-1',
      metadata: { branch: 'main' },
      audience: ['mcp', 'gateway'],
    });
    expect(credential.expiresAt).toBeGreaterThan(Date.now() + 800_000);
    const principal = await preloop.authenticate(bearerRequest(credential.token), { audience: 'mcp' });
    expect(principal).toEqual({
      type: 'runtime_session',
      id: session.id,
      accountId,
      name: 'fix the build',
      role: null,
      userId: admin.id,
      apiKeyId: null,
      agentId: agent.id,
      runtimeSessionId: session.id,
      teamIds: [],
      scopes: ['mcp', 'gateway'],
    });
    expect((await preloop.identity.agents.get(accountId, agent.id)).lastSeenAt).toBeGreaterThan(0);
  });

  it('binds the credential to its audience', async () => {
    const { credential } = await preloop.identity.runtimeSessions.start(accountId, { name: 'gateway only', audience: ['gateway'] });
    expect(await preloop.authenticate(bearerRequest(credential.token), { audience: 'gateway' })).toMatchObject({ scopes: ['gateway'] });
    expect(await preloop.authenticate(bearerRequest(credential.token), { audience: 'mcp' })).toBeNull();
    await expect(preloop.identity.runtimeSessions.start(accountId, { name: 'x', audience: ['admin' as never] })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
  });

  it('refuses an ended session’s credential at once, and refuses to heartbeat it', async () => {
    const { session, credential } = await preloop.identity.runtimeSessions.start(accountId, { name: 'short run' });
    expect(await preloop.authenticate(bearerRequest(credential.token))).not.toBeNull();
    const heartbeat = await preloop.identity.runtimeSessions.heartbeat(accountId, session.id);
    expect(heartbeat.credential.token).not.toBe(credential.token);
    const ended = await preloop.identity.runtimeSessions.end(accountId, session.id, 'finished');
    expect(ended).toMatchObject({ state: 'ended', endReason: 'finished' });
    expect(await preloop.authenticate(bearerRequest(credential.token))).toBeNull();
    expect(await preloop.authenticate(bearerRequest(heartbeat.credential.token))).toBeNull();
    await expect(preloop.identity.runtimeSessions.heartbeat(accountId, session.id)).rejects.toMatchObject({ code: 'GONE' });
    expect((await preloop.identity.runtimeSessions.end(accountId, session.id, 'again')).endReason).toBe('finished');
  });

  it('refuses a suspended agent’s credential, and accepts it again on resume', async () => {
    const agent = await preloop.identity.agents.enroll(accountId, { name: 'pausable', kind: 'custom' });
    const { session, credential } = await preloop.identity.runtimeSessions.start(accountId, { agentId: agent.id, name: 'run' });
    expect(await preloop.authenticate(bearerRequest(credential.token))).not.toBeNull();
    await preloop.identity.agents.suspend(accountId, agent.id);
    expect(await preloop.authenticate(bearerRequest(credential.token))).toBeNull();
    await expect(preloop.identity.runtimeSessions.heartbeat(accountId, session.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await preloop.identity.agents.resume(accountId, agent.id);
    expect(await preloop.authenticate(bearerRequest(credential.token))).not.toBeNull();
  });

  it('decommissioning revokes the agent’s keys and ends its sessions', async () => {
    const agent = await preloop.identity.agents.enroll(accountId, { name: 'retiring', kind: 'custom' });
    const { key } = await preloop.identity.apiKeys.create(accountId, { name: 'k', agentId: agent.id });
    const first = await preloop.identity.runtimeSessions.start(accountId, { agentId: agent.id, name: 'a' });
    const second = await preloop.identity.runtimeSessions.start(accountId, { agentId: agent.id, name: 'b' });
    const ended: string[] = [];
    preloop.events.on('session-ended', ({ sessionId }) => ended.push(sessionId));
    await preloop.identity.agents.decommission(accountId, agent.id);
    expect(ended.sort()).toEqual([first.session.id, second.session.id].sort());
    expect((await preloop.identity.runtimeSessions.get(accountId, first.session.id)).endReason).toBe('agent_decommissioned');
    expect(await preloop.authenticate(bearerRequest(key))).toBeNull();
    expect(await preloop.authenticate(bearerRequest(first.credential.token))).toBeNull();
  });

  it('cascades from a revoked API key to the sessions it started', async () => {
    const { apiKey } = await preloop.identity.apiKeys.create(accountId, { name: 'starter', userId: admin.id });
    const { credential } = await preloop.identity.runtimeSessions.start(accountId, {
      name: 'via key',
      apiKeyId: apiKey.id,
      userId: admin.id,
    });
    expect(await preloop.authenticate(bearerRequest(credential.token))).toMatchObject({ apiKeyId: apiKey.id });
    await preloop.identity.apiKeys.revoke(accountId, apiKey.id);
    expect(await preloop.authenticate(bearerRequest(credential.token))).toBeNull();
  });

  it('refuses forged credentials: alg none, wrong issuer or audience, expired, another key, another session', async () => {
    const { session } = await preloop.identity.runtimeSessions.start(accountId, { name: 'target' });
    const key = deriveRuntimeCredentialKey(testSecretKey);
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>, options: { iss?: string; aud?: string[]; exp?: number; signingKey?: Uint8Array } = {}) =>
      new SignJWT({ sid: session.id, acc: accountId, ...claims })
        .setProtectedHeader({ alg: 'HS256', typ: runtimeCredentialType })
        .setIssuer(options.iss ?? 'preloop')
        .setSubject(session.id)
        .setAudience(options.aud ?? ['mcp'])
        .setIssuedAt(now - 10)
        .setExpirationTime(options.exp ?? now + 300)
        .setJti('j')
        .sign(options.signingKey ?? key);
    expect(await preloop.authenticate(bearerRequest(await sign({})))).not.toBeNull(); // control: a correct token passes
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: runtimeCredentialType })).toString('base64url')}.${(await sign({})).split('.')[1]}.`;
    expect(await preloop.authenticate(bearerRequest(none))).toBeNull();
    expect(await preloop.authenticate(bearerRequest(await sign({}, { iss: 'someone-else' })))).toBeNull();
    expect(await preloop.authenticate(bearerRequest(await sign({}, { aud: ['gateway'] })), { audience: 'mcp' })).toBeNull();
    expect(await preloop.authenticate(bearerRequest(await sign({}, { aud: ['https://evil.example'] })))).toBeNull();
    expect(await preloop.authenticate(bearerRequest(await sign({}, { exp: now - 30 })))).toBeNull();
    expect(await preloop.authenticate(bearerRequest(await sign({}, { signingKey: new TextEncoder().encode(testSecretKey) })))).toBeNull();
    expect(await preloop.authenticate(bearerRequest(await sign({ acc: 'acc_other' })))).toBeNull();
    expect(await preloop.authenticate(bearerRequest(await sign({ sid: 'rs_unknown' })))).toBeNull();
    expect(await preloop.authenticate(bearerRequest(await sign({ agt: 'agt_someone' })))).toBeNull();
  });

  it('records activity and pages sessions and activity with opaque cursors', async () => {
    const agent = await preloop.identity.agents.enroll(accountId, { name: 'pager', kind: 'custom' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (await preloop.identity.runtimeSessions.start(accountId, { agentId: agent.id, name: `run ${i}`, source: 'cli' })).session.id,
      );
    await preloop.identity.runtimeSessions.end(accountId, ids[0]!, 'done');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await preloop.identity.runtimeSessions.list(accountId, { agentId: agent.id, limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect((await preloop.identity.runtimeSessions.list(accountId, { agentId: agent.id, state: 'ended' })).items.map((s) => s.id)).toEqual([
      ids[0],
    ]);
    expect((await preloop.identity.runtimeSessions.list(accountId, { agentId: agent.id, state: 'active' })).items).toHaveLength(4);
    await expect(preloop.identity.runtimeSessions.list(accountId, { cursor: '%%%' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });

    const events: string[] = [];
    preloop.events.on('session-activity', ({ summary }) => events.push(summary));
    for (let i = 0; i < 3; i++)
      await preloop.identity.recordActivity(ids[1]!, { kind: 'tool_call', status: 'success', summary: `call ${i}`, data: { i } });
    await preloop.identity.runtimeSessions.recordActivity(ids[1]!, {
      kind: 'model_call',
      status: 'error',
      summary: 'big',
      data: { blob: 'x'.repeat(40_000) },
    });
    const first = await preloop.identity.runtimeSessions.listActivity(accountId, ids[1]!, { limit: 3 });
    expect(first.items.map((item) => item.summary)).toEqual(['call 0', 'call 1', 'call 2']);
    const second = await preloop.identity.runtimeSessions.listActivity(accountId, ids[1]!, { limit: 3, cursor: first.nextCursor });
    expect(second.items[0]).toMatchObject({ kind: 'model_call', data: { truncated: true } });
    expect(second.nextCursor).toBeNull();
    expect(events).toEqual(['call 0', 'call 1', 'call 2', 'big']);
    await expect(preloop.identity.recordActivity('rs_unknown', { kind: 'x', status: 'y', summary: 'z' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
