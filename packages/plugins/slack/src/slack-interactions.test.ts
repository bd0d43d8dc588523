import { approvals } from '@preloop/approvals';
import type { Preloop, Principal, User } from '@preloop/core';
import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockActionsPayload, signedInteraction, startFakeSlack, type FakeSlackMessage } from './fake-slack-test-support.js';
import { slack } from './index.js';

const botToken = 'xoxb-4242-4242-interactionsToken0123';
const signingSecret = '8f742231b10e8888abcd99yyyzzz85a5';

describe.each(testDialects())('Slack app interactions on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  let fake: Awaited<ReturnType<typeof startFakeSlack>>;
  const people: Record<'ann' | 'bob' | 'carol' | 'dave' | 'rita', User> = {} as never;
  let ownerKey: string;
  let annKey: string;

  beforeAll(async () => {
    fake = await startFakeSlack({
      token: botToken,
      users: [
        { id: 'U0ANN', email: 'ann@example.com', name: 'ann' },
        { id: 'U0BOB', email: 'bob@example.com', name: 'bob' },
        { id: 'U0CAROL', email: 'carol@example.com', name: 'carol', confirmed: false },
        { id: 'U0DAVE', email: 'dave@corp.example', name: 'dave' },
        { id: 'U0RITA', email: 'rita@example.com', name: 'rita' },
        { id: 'U0DAVEHOME', email: 'dave.home@example.net', name: 'dave-home' },
      ],
    });
    test = await createTestPreloop(dialect, {
      plugins: [
        approvals({
          publicUrl: 'https://preloop.example.com',
          workflows: { one: { approvers: { roles: ['approver'] } }, two: { approvers: { roles: ['approver'] }, quorum: 2 } },
        }),
        slack({ botToken, signingSecret, apiUrl: fake.apiUrl }),
      ],
    });
    preloop = test.preloop;
    const users = preloop.identity.users;
    people.ann = await users.create(preloop.accountId, { email: 'ann@example.com', name: 'Ann', role: 'approver' });
    people.bob = await users.create(preloop.accountId, { email: 'bob@example.com', name: 'Bob', role: 'viewer' });
    people.carol = await users.create(preloop.accountId, { email: 'carol@example.com', name: 'Carol', role: 'approver' });
    people.dave = await users.create(preloop.accountId, { email: 'dave@corp.example', name: 'Dave', role: 'approver' });
    people.rita = await users.create(preloop.accountId, { email: 'rita@example.com', name: 'Rita', role: 'approver' });
    const owner = await users.create(preloop.accountId, { email: 'owner@example.com', name: 'Owner', role: 'owner' });
    ownerKey = (await preloop.identity.apiKeys.create(preloop.accountId, { name: 'owner', scopes: ['admin:write'], userId: owner.id })).key;
    annKey = (await preloop.identity.apiKeys.create(preloop.accountId, { name: 'ann', scopes: ['admin:write'], userId: people.ann.id }))
      .key;
  });
  afterAll(async () => {
    await test?.cleanup();
    await fake?.close();
  });

  const engine = () => preloop.service('approvals');
  const rita = (): Principal => ({
    type: 'user',
    id: people.rita.id,
    accountId: preloop.accountId,
    name: 'Rita',
    role: 'approver',
    userId: people.rita.id,
    apiKeyId: null,
    agentId: null,
    runtimeSessionId: null,
    teamIds: [],
    scopes: [],
  });

  let asked = 0;
  /** Rita asks (a new call each time); the approvers' direct messages are posted. */
  async function ask(input: { workflow?: string; question?: { text: string; options: string[]; allowFreeText: boolean } } = {}) {
    const ticket = await engine().request({
      principal: rita(),
      tool: { name: 'deploy', definitionHash: null },
      args: { env: 'prod', call: (asked += 1) },
      workflow: input.workflow ?? 'one',
      reason: 'production',
      ...(input.question ? { kind: 'question' as const, question: input.question } : {}),
    });
    await engine().notificationsIdle();
    return ticket.id;
  }

  const messageTo = (requestId: string, slackUserId: string): FakeSlackMessage | undefined =>
    fake.messages.find((message) => message.channel === `D${slackUserId}` && message.metadata?.event_payload?.request_id === requestId);

  function post(interaction: { body: string; headers: Record<string, string> }) {
    return preloop.api(
      new Request('http://localhost/api/v1/slack/interactions', { method: 'POST', headers: interaction.headers, body: interaction.body }),
    );
  }

  async function click(message: FakeSlackMessage, slackUserId: string, actionId: string) {
    const interaction = signedInteraction(
      signingSecret,
      blockActionsPayload({ teamId: fake.teamId, userId: slackUserId, message, actionId }),
    );
    const answer = await post(interaction);
    await engine().notificationsIdle();
    return { answer, interaction };
  }

  /** Logic tests run on SQLite; on PostgreSQL only those whose outcome rests on storage (replay receipts, links, the outbox's message references). */
  const logic = (name: string, test: () => Promise<void>) => {
    if (dialect.name === 'sqlite') it(name, test);
  };

  const ephemeralsTo = (slackUserId: string) =>
    fake
      .callsOf('chat.postEphemeral')
      .filter((call) => call.args.user === slackUserId)
      .map((call) => String(call.args.text));
  const blocksText = (message: FakeSlackMessage) => JSON.stringify(message.blocks);

  logic('writes each eligible approver directly with Approve / Deny / View; the requester and non-approvers get nothing', async () => {
    const id = await ask();
    for (const approver of ['U0ANN', 'U0CAROL', 'U0DAVE']) expect(messageTo(id, approver), approver).toBeDefined();
    expect(messageTo(id, 'U0RITA')).toBeUndefined(); // separation of duties
    expect(messageTo(id, 'U0BOB')).toBeUndefined();
    const ids = messageTo(id, 'U0ANN')!
      .blocks.filter((block) => block.type === 'actions')
      .flatMap((block) => (block.elements as Array<{ action_id: string }>).map((element) => element.action_id));
    expect(ids).toEqual(['preloop.approve', 'preloop.deny', 'preloop.view']);
    expect(fake.calls.every((call) => call.token === botToken)).toBe(true);
  });

  it('an approver’s signed click approves through the engine, and every message is edited in place with who and when', async () => {
    const id = await ask();
    const { answer } = await click(messageTo(id, 'U0ANN')!, 'U0ANN', 'preloop.approve');
    expect(answer.status).toBe(200);
    const request = await engine().get(preloop.accountId, id);
    expect(request).toMatchObject({ status: 'approved', decidedBy: people.ann.id });
    for (const approver of ['U0ANN', 'U0CAROL', 'U0DAVE']) {
      const message = messageTo(id, approver)!;
      expect(message.edits, approver).toBeGreaterThan(0);
      expect(blocksText(message)).toContain('approved by Ann');
      expect(blocksText(message)).not.toContain('preloop.approve');
    }
    const votes = await preloop.audit.query({ accountId: preloop.accountId, action: 'approval.decide', targetId: id });
    expect(votes.items[0]).toMatchObject({ outcome: 'approved', data: expect.objectContaining({ channel: 'slack' }) });
  });

  it('a forged, tampered, stale or replayed request gets 401, changes nothing and is audited', async () => {
    const id = await ask();
    const message = messageTo(id, 'U0ANN')!;
    const payload = blockActionsPayload({ teamId: fake.teamId, userId: 'U0ANN', message, actionId: 'preloop.approve' });
    const forged = signedInteraction('not-the-signing-secret-0000000000', payload);
    const genuine = signedInteraction(signingSecret, payload);
    const tampered = { ...genuine, body: genuine.body.replace('U0ANN', 'U0DAV') };
    const stale = signedInteraction(signingSecret, payload, Math.floor(Date.now() / 1000) - 301);
    const unsigned = { body: genuine.body, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    for (const attempt of [forged, tampered, stale, unsigned]) {
      const answer = await post(attempt);
      expect(answer.status).toBe(401);
      expect((await answer.json()).error.code).toBe('UNAUTHENTICATED');
    }
    expect(await engine().get(preloop.accountId, id)).toMatchObject({ status: 'pending', votes: { approve: 0, deny: 0 } });

    // Bob's genuine click is refused by the engine (not an approver); the same bytes again are a replay.
    const bobs = signedInteraction(
      signingSecret,
      blockActionsPayload({ teamId: fake.teamId, userId: 'U0BOB', message, actionId: 'preloop.approve' }),
    );
    expect((await post(bobs)).status).toBe(200);
    const replay = await post(bobs);
    expect(replay.status).toBe(401);
    expect(await engine().get(preloop.accountId, id)).toMatchObject({ status: 'pending', votes: { approve: 0, deny: 0 } });
    const refused = await preloop.audit.query({ accountId: preloop.accountId, action: 'slack.interaction-refused' });
    expect(refused.items.map((record) => (record.data as { reason: string }).reason).reverse()).toEqual([
      'signature_invalid',
      'signature_invalid',
      'timestamp_stale',
      'headers_missing',
      'replayed',
    ]);
    expect(JSON.stringify(refused.items)).not.toContain(signingSecret);
  });

  logic('an ineligible Slack user’s click changes nothing: a viewer, the requester, an unconfirmed email, a stranger', async () => {
    const id = await ask();
    const message = messageTo(id, 'U0ANN')!;
    for (const slackUserId of ['U0BOB', 'U0RITA', 'U0CAROL', 'U0NOBODY'])
      expect((await click(message, slackUserId, 'preloop.approve')).answer.status).toBe(200);
    expect(await engine().get(preloop.accountId, id)).toMatchObject({ status: 'pending', votes: { approve: 0, deny: 0 } });
    expect(ephemeralsTo('U0BOB').at(-1)).toMatch(/Not recorded: .*not an approver/);
    expect(ephemeralsTo('U0RITA').at(-1)).toMatch(/Not recorded: Separation of duties/);
    expect(ephemeralsTo('U0CAROL').at(-1)).toMatch(/email is not confirmed/);
    expect(ephemeralsTo('U0NOBODY').at(-1)).toMatch(/not linked/);
    const refusals = await preloop.audit.query({ accountId: preloop.accountId, action: 'approval.decide', targetId: id });
    expect(refusals.items.map((record) => (record.data as { refused: string }).refused).sort()).toEqual([
      'APPROVER_NOT_ELIGIBLE',
      'SELF_APPROVAL_FORBIDDEN',
    ]);
    const unmapped = await preloop.audit.query({ accountId: preloop.accountId, action: 'slack.interaction', targetId: id });
    expect(unmapped.items.map((record) => (record.data as { reason: string }).reason).sort()).toEqual(['email_unverified', 'not_linked']);
  });

  it('an admin links a Slack user whose email differs; with quorum 2 the first vote is recorded and the second resolves', async () => {
    const id = await ask({ workflow: 'two' });
    const message = messageTo(id, 'U0DAVE')!;
    await click(message, 'U0DAVEHOME', 'preloop.approve');
    expect(ephemeralsTo('U0DAVEHOME').at(-1)).toMatch(/not linked/);
    const link = { teamId: fake.teamId, slackUserId: 'U0DAVEHOME', userId: people.dave.id };
    const byAnn = await preloop.api(
      new Request('http://localhost/api/v1/slack/user-links', {
        method: 'PUT',
        headers: { authorization: `Bearer ${annKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(link),
      }),
    );
    expect(byAnn.status).toBe(403); // approvers do not link accounts; admins do
    const byOwner = await preloop.api(
      new Request('http://localhost/api/v1/slack/user-links', {
        method: 'PUT',
        headers: { authorization: `Bearer ${ownerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(link),
      }),
    );
    expect(byOwner.status).toBe(200);
    expect(await byOwner.json()).toMatchObject(link);
    await click(message, 'U0DAVEHOME', 'preloop.approve');
    expect(ephemeralsTo('U0DAVEHOME').at(-1)).toMatch(/recorded \(1 of 2 approvals/);
    expect(await engine().get(preloop.accountId, id)).toMatchObject({ status: 'pending', votes: { approve: 1, deny: 0 } });
    await click(messageTo(id, 'U0ANN')!, 'U0ANN', 'preloop.approve');
    expect(await engine().get(preloop.accountId, id)).toMatchObject({ status: 'approved' });
    const audited = await preloop.audit.query({ accountId: preloop.accountId, action: 'slack.user-link' });
    expect(audited.items[0]).toMatchObject({ outcome: 'success', data: expect.objectContaining({ slackUserId: 'U0DAVEHOME' }) });
  });

  logic('a request denied from the console API edits the Slack messages in place', async () => {
    const id = await ask();
    const answer = await preloop.api(
      new Request(`http://localhost/api/v1/approvals/${id}/decide`, {
        method: 'POST',
        headers: { authorization: `Bearer ${annKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ decision: 'deny' }),
      }),
    );
    expect(answer.status).toBe(200);
    await engine().notificationsIdle();
    for (const approver of ['U0ANN', 'U0CAROL', 'U0DAVE']) {
      const message = messageTo(id, approver)!;
      expect(message.edits, approver).toBeGreaterThan(0);
      expect(blocksText(message)).toContain('denied by Ann');
    }
  });

  logic('asks an ask_user question with its options as buttons; a click answers with that option', async () => {
    const id = await ask({
      question: { text: 'Which region takes the traffic?', options: ['eu-west-1', 'us-east-2'], allowFreeText: false },
    });
    const message = messageTo(id, 'U0CAROL')!;
    const buttons = message.blocks
      .filter((block) => block.type === 'actions')
      .flatMap((block) => block.elements as Array<{ action_id: string; text: { text: string } }>);
    expect(buttons.map((button) => button.text.text)).toEqual(['eu-west-1', 'us-east-2', 'Decline', 'View']);
    await click(messageTo(id, 'U0ANN')!, 'U0ANN', 'preloop.answer.1');
    expect(await engine().get(preloop.accountId, id)).toMatchObject({ status: 'approved', answer: 'us-east-2' });
  });
});

describe('Slack app posting in a channel (SQLite)', () => {
  it('with its credentials in the secret store, posts once in the channel; a member who is an approver decides with a click; the channel message is edited in place', async () => {
    const fake = await startFakeSlack({
      token: botToken,
      channels: ['C0APPROVALS'],
      users: [
        { id: 'U0ANN', email: 'ann@example.com', name: 'ann' },
        { id: 'U0BOB', email: 'bob@example.com', name: 'bob' },
      ],
    });
    const test = await createTestPreloop(testDialects()[0]!, {
      plugins: [
        approvals({ publicUrl: 'https://preloop.example.com', workflows: { one: { approvers: { roles: ['approver'] } } } }),
        slack({
          botToken: { secret: 'slack-bot-token' },
          signingSecret: { secret: 'slack-signing-secret' },
          apiUrl: fake.apiUrl,
          channel: 'C0APPROVALS',
        }),
      ],
    });
    try {
      const { preloop } = test;
      // The credentials come from the secret store, read on first use.
      await preloop.secrets.set(preloop.accountId, 'slack-bot-token', botToken);
      await preloop.secrets.set(preloop.accountId, 'slack-signing-secret', signingSecret);
      const ann = await preloop.identity.users.create(preloop.accountId, { email: 'ann@example.com', name: 'Ann', role: 'approver' });
      await preloop.identity.users.create(preloop.accountId, { email: 'bob@example.com', name: 'Bob', role: 'viewer' });
      const engine = preloop.service('approvals');
      const agent: Principal = {
        type: 'agent',
        id: 'agt_1',
        accountId: preloop.accountId,
        name: 'builder',
        role: null,
        userId: null,
        apiKeyId: 'key_1',
        agentId: 'agt_1',
        runtimeSessionId: null,
        teamIds: [],
        scopes: ['mcp'],
      };
      const ticket = await engine.request({
        principal: agent,
        tool: { name: 'k8s.scale', definitionHash: null },
        args: { replicas: 0 },
        workflow: 'one',
        justification: '<!channel> please approve',
      });
      await engine.notificationsIdle();
      expect(fake.messages).toHaveLength(1);
      const [message] = fake.messages;
      expect(message!.channel).toBe('C0APPROVALS');
      expect(JSON.stringify(message!.blocks)).toContain('&lt;!channel&gt; please approve');
      expect(JSON.stringify(message!.blocks)).not.toContain('<!channel>');
      const post = async (slackUserId: string) => {
        const interaction = signedInteraction(
          signingSecret,
          blockActionsPayload({ teamId: fake.teamId, userId: slackUserId, message: message!, actionId: 'preloop.approve' }),
        );
        const answer = await preloop.api(
          new Request('http://localhost/api/v1/slack/interactions', {
            method: 'POST',
            headers: interaction.headers,
            body: interaction.body,
          }),
        );
        await engine.notificationsIdle();
        return answer.status;
      };
      expect(await post('U0BOB')).toBe(200);
      expect(await engine.get(preloop.accountId, ticket.id)).toMatchObject({ status: 'pending' });
      expect(message!.edits).toBe(0);
      expect(await post('U0ANN')).toBe(200);
      expect(await engine.get(preloop.accountId, ticket.id)).toMatchObject({ status: 'approved', decidedBy: ann.id });
      expect(fake.messages).toHaveLength(1);
      expect(message!.edits).toBe(1);
      expect(JSON.stringify(message!.blocks)).toContain('approved by Ann');
      expect(JSON.stringify(message!.blocks)).not.toContain('preloop.approve');
      expect(fake.calls.every((call) => call.token === botToken)).toBe(true);
      const trail = JSON.stringify((await preloop.audit.query({ accountId: preloop.accountId, limit: 200 })).items);
      for (const secret of [botToken, signingSecret]) expect(trail).not.toContain(secret);
    } finally {
      await test.cleanup();
      await fake.close();
    }
  });
});
