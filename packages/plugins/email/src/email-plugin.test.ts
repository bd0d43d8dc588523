import { approvals } from '@preloop/approvals';
import type { ApprovalNotification, Principal } from '@preloop/core';
import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailNotifier, email, type EmailOptions } from './index.js';
import { startSmtpReceiver, type SmtpReceiver } from './test-support/smtp-receiver.js';

const sqlite = testDialects().find((dialect) => dialect.name === 'sqlite')!;
const password = 'smtp-pa55word-never-shown';
const leaks = ['sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c', 'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789', 'hunter2-hunter2'];

/** A notification as the engine hands it over, for calling the notifier directly. */
function notificationFor(overrides: Partial<ApprovalNotification> = {}): ApprovalNotification {
  return {
    id: 'ntf_direct1',
    type: 'approval.requested',
    recipient: { userId: 'usr_ann', name: 'Ann', email: 'ann@example.com' },
    links: {
      approve: 'https://preloop.example.com/a?decision=approve',
      deny: 'https://preloop.example.com/a?decision=deny',
      view: 'https://preloop.example.com/a',
    },
    request: {
      id: 'apr_direct1',
      accountId: 'acc_1',
      status: 'pending',
      kind: 'tool_call',
      tool: { name: 'deploy', definitionHash: null },
      args: { env: 'prod' },
      argsRedactions: [],
      argsHash: 'h',
      subject: { type: 'agent', id: 'agt_1', name: 'builder', userId: null, apiKeyId: null, agentId: 'agt_1' },
      runtimeSessionId: null,
      workflow: { name: 'one', quorum: 1, requireReason: false, escalates: false },
      reason: null,
      justification: null,
      question: null,
      votes: { approve: 0, deny: 0 },
      createdAt: Date.UTC(2026, 11, 3, 15, 0),
      expiresAt: Date.UTC(2026, 11, 3, 15, 30),
      escalatedAt: null,
      decidedAt: null,
      decidedBy: null,
      comment: null,
      answer: null,
      outcomeReason: null,
      executedAt: null,
    },
    ...overrides,
  };
}

const controller = new AbortController();
const attempt = { attempt: 1, signal: controller.signal };

describe('email notifier over SMTP', () => {
  let receiver: SmtpReceiver | null = null;
  let test: TestPreloop | null = null;
  afterEach(async () => {
    await test?.cleanup();
    await receiver?.close();
    test = null;
    receiver = null;
  });

  const smtp = (extra: Partial<Extract<EmailOptions['transport'], { type: 'smtp' }>> = {}): EmailOptions['transport'] => ({
    type: 'smtp',
    host: '127.0.0.1',
    port: receiver!.port,
    ca: receiver!.ca,
    auth: { user: 'preloop', password },
    ...extra,
  });

  it('sends each approver a STARTTLS, authenticated message with both parts, escaped content, no secrets and personal links', async () => {
    receiver = await startSmtpReceiver({ users: { preloop: password } });
    test = await createTestPreloop(sqlite, {
      plugins: [
        approvals({ publicUrl: 'https://preloop.example.com', workflows: { one: { approvers: { roles: ['approver'] } } } }),
        email({
          from: 'Preloop <approvals@example.com>',
          transport: smtp({ auth: { user: 'preloop', password: { secret: 'smtp-password' } } }),
          timeZone: 'Europe/Paris',
        }),
      ],
    });
    const { preloop } = test;
    await preloop.secrets.set(preloop.accountId, 'smtp-password', password);
    const ann = await preloop.identity.users.create(preloop.accountId, { email: 'ann@example.com', name: 'Ann', role: 'approver' });
    const bob = await preloop.identity.users.create(preloop.accountId, { email: 'bob@example.com', name: 'Bob <b>', role: 'approver' });
    const agent: Principal = {
      type: 'agent',
      id: 'agt_1',
      accountId: preloop.accountId,
      name: 'builder<script>alert(1)</script>',
      role: null,
      userId: null,
      apiKeyId: null,
      agentId: 'agt_1',
      runtimeSessionId: null,
      teamIds: [],
      scopes: ['mcp'],
    };
    const engine = preloop.service('approvals');
    const ticket = await engine.request({
      principal: agent,
      tool: { name: 'deploy', definitionHash: null },
      args: {
        api_key: leaks[0],
        note: `push with ${leaks[1]}`,
        password: leaks[2],
        html: '<img src="https://tracker.example/x.png" onerror="alert(1)">',
        replicas: 3,
      },
      workflow: 'one',
      reason: 'Production & "live" traffic',
      justification: 'Ship <the> fix',
    });
    await engine.notificationsIdle();

    expect(receiver.mails).toHaveLength(2);
    expect(receiver.logins).toEqual([
      { user: 'preloop', secure: true, accepted: true },
      { user: 'preloop', secure: true, accepted: true },
    ]);
    const byRecipient = new Map(receiver.mails.map((mail) => [mail.to[0], mail]));
    const approveLinks: string[] = [];
    for (const [user, address] of [
      [ann, 'ann@example.com'],
      [bob, 'bob@example.com'],
    ] as const) {
      const mail = byRecipient.get(address)!;
      expect(mail).toMatchObject({ from: 'approvals@example.com', to: [address], user: 'preloop', secure: true });
      const { parsed } = mail;
      expect(parsed.messageId).toMatch(/^<ntf_[A-Za-z0-9_-]+@example\.com>$/);
      expect(parsed.subject).toBe('[Preloop] Approval needed: deploy for builder<script>alert(1)</script>');
      expect(parsed.from?.value).toEqual([{ address: 'approvals@example.com', name: 'Preloop' }]);
      expect((parsed.to as { value: Array<{ address: string; name: string }> }).value).toEqual([{ address, name: user.name }]);
      expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
      expect(parsed.headers.get('x-preloop-request')).toBe(ticket.id);
      expect(parsed.headers.get('x-preloop-event')).toBe('approval.requested');
      expect(parsed.references).toBe(`<${ticket.id}@example.com>`);
      expect(parsed.headers.has('list-unsubscribe')).toBe(false);

      // Both parts: the facts, the deadline in the configured zone, the arguments redacted.
      const text = parsed.text!;
      const html = parsed.html as string;
      expect(text).toContain(`Hello ${user.name},`);
      expect(text).toMatch(/Tool: +deploy/);
      expect(text).toMatch(/Asked by: +builder<script>alert\(1\)<\/script> \(agent\)/);
      expect(text).toMatch(/Why \(policy\): +Production & "live" traffic/);
      expect(text).toMatch(/Agent’s justification \(unverified\): +Ship <the> fix/);
      const deadline = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Paris',
        dateStyle: 'medium',
        timeStyle: 'short',
        hourCycle: 'h23',
      }).format((await engine.get(preloop.accountId, ticket.id)).expiresAt);
      expect(text).toContain(`Deadline:`);
      expect(text).toContain(`${deadline} (Europe/Paris)`);
      expect(text).toContain('"api_key": "[redacted]"');
      expect(text).toContain('"note": "push with [redacted:api-key]"');
      expect(text).toContain('"replicas": 3');
      expect(text).toContain('3 values redacted or cut');
      expect(html).toContain('builder&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toContain('Production &amp; &quot;live&quot; traffic');
      expect(html).toContain('&lt;img src=\\&quot;https://tracker.example/x.png\\&quot; onerror=\\&quot;alert(1)\\&quot;&gt;');
      expect(html).not.toMatch(/<script|<img|<[^>]*\ssrc=|url\(|@import/i);
      for (const leak of [...leaks, password]) expect(mail.raw).not.toContain(leak);

      // Personal single-use links, the same in both parts.
      const approve = /^Approve: (\S+)$/m.exec(text)![1]!;
      const deny = /^Deny: (\S+)$/m.exec(text)![1]!;
      expect(approve).toMatch(
        new RegExp(`^https://preloop\\.example\\.com/api/v1/approvals/${ticket.id}/links/pla_[A-Za-z0-9_-]{43}\\?decision=approve$`),
      );
      expect(deny).toBe(approve.replace('decision=approve', 'decision=deny'));
      expect(html).toContain(`href="${approve}"`);
      expect(html).toContain(`href="${deny}"`);
      approveLinks.push(approve);
    }
    expect(approveLinks[0]).not.toBe(approveLinks[1]);

    // The outcome goes to every approver too, without decision links.
    await engine.decide({
      accountId: preloop.accountId,
      requestId: ticket.id,
      actor: { ...agent, type: 'user', id: ann.id, userId: ann.id, name: 'Ann', role: 'approver', agentId: null },
      decision: 'deny',
      comment: 'Not <today>',
      channel: 'api',
    });
    await engine.notificationsIdle();
    const resolved = receiver.mails.slice(2).map((mail) => mail.parsed);
    expect(resolved).toHaveLength(2);
    for (const parsed of resolved) {
      expect(parsed.subject).toBe(`[Preloop] Denied: deploy (${ticket.id})`);
      expect(parsed.text).toMatch(/Outcome: +Denied/);
      expect(parsed.text).toMatch(/Comment: +Not <today>/);
      expect(parsed.text).not.toMatch(/decision=/);
      expect(parsed.html as string).toContain('Not &lt;today&gt;');
      expect(parsed.references).toBe(`<${ticket.id}@example.com>`);
    }
  });

  it('keeps the Message-ID and content on a retry after a 4xx reply; the second attempt is accepted', async () => {
    receiver = await startSmtpReceiver({ users: { preloop: password }, rejectMessage: (index) => (index === 0 ? 451 : null) });
    test = await createTestPreloop(sqlite, {
      plugins: [
        approvals({
          publicUrl: 'https://preloop.example.com',
          notifierBackoffMs: 20,
          notifierMaxBackoffMs: 20,
          workflows: { one: { approvers: { roles: ['approver'] } } },
        }),
        email({ from: 'approvals@example.com', transport: smtp(), listUnsubscribe: 'https://preloop.example.com/settings/notifications' }),
      ],
    });
    const { preloop } = test;
    await preloop.identity.users.create(preloop.accountId, { email: 'ann@example.com', name: 'Ann', role: 'approver' });
    const requester: Principal = {
      type: 'user',
      id: 'usr_req',
      accountId: preloop.accountId,
      name: 'req',
      role: 'viewer',
      userId: 'usr_req',
      apiKeyId: null,
      agentId: null,
      runtimeSessionId: null,
      teamIds: [],
      scopes: [],
    };
    const engine = preloop.service('approvals');
    await engine.request({ principal: requester, tool: { name: 'deploy', definitionHash: null }, args: {}, workflow: 'one' });
    await engine.notificationsIdle();
    const [first, second] = receiver.mails;
    expect(receiver.mails.map((mail) => mail.accepted)).toEqual([false, true]);
    expect(second!.parsed.messageId).toBe(first!.parsed.messageId);
    expect(second!.parsed.text).toBe(first!.parsed.text);
    expect(second!.parsed.html).toBe(first!.parsed.html);
    expect(second!.raw).toMatch(/^List-Unsubscribe: <https:\/\/preloop\.example\.com\/settings\/notifications>\r?$/m);
  });

  it('a 5xx fails the delivery at once in the outbox: one attempt, the server’s reply as its error, no password', async () => {
    let rcpt = 0;
    receiver = await startSmtpReceiver({
      users: { preloop: password },
      rejectRecipient: (address) => {
        rcpt++;
        return address.startsWith('gone') ? 550 : null;
      },
    });
    test = await createTestPreloop(sqlite, {
      plugins: [
        approvals({
          publicUrl: 'https://preloop.example.com',
          notifierBackoffMs: 20,
          notifierMaxBackoffMs: 20,
          workflows: { one: { approvers: { roles: ['approver'] } } },
        }),
        email({ from: 'approvals@example.com', transport: smtp() }),
      ],
    });
    const { preloop } = test;
    await preloop.identity.users.create(preloop.accountId, { email: 'gone@example.com', name: 'Gone', role: 'approver' });
    const requester: Principal = {
      type: 'user',
      id: 'usr_req',
      accountId: preloop.accountId,
      name: 'req',
      role: 'viewer',
      userId: 'usr_req',
      apiKeyId: null,
      agentId: null,
      runtimeSessionId: null,
      teamIds: [],
      scopes: [],
    };
    const engine = preloop.service('approvals');
    const ticket = await engine.request({
      principal: requester,
      tool: { name: 'deploy', definitionHash: null },
      args: {},
      workflow: 'one',
    });
    await engine.notificationsIdle();
    expect(rcpt).toBe(1);
    const [delivery] = await engine.deliveries(preloop.accountId, ticket.id);
    expect(delivery).toMatchObject({ notifier: 'email', status: 'failed', attempts: 1, recipient: { name: 'Gone' } });
    expect(delivery!.lastError).toMatch(/^email: 127\.0\.0\.1:\d+ after RCPT: permanent failure \(550\): .*gone@example\.com/);
    expect(delivery!.lastError).not.toContain(password);
  });

  it('classifies failures: 4xx and connection problems are retryable, 5xx, bad credentials and missing STARTTLS are permanent', async () => {
    receiver = await startSmtpReceiver({
      users: { preloop: password },
      rejectRecipient: (address) => (address.startsWith('gone') ? 550 : address.startsWith('later') ? 450 : null),
    });
    const notifier = createEmailNotifier({ from: 'approvals@example.com', transport: smtp() });
    const to = (address: string) => notificationFor({ recipient: { userId: 'usr_x', name: 'X', email: address } });

    await expect(notifier.notify(to('gone@example.com'), attempt)).rejects.toMatchObject({
      code: 'EMAIL_REJECTED',
      retryable: false,
      responseCode: 550,
      status: 502,
    });
    await expect(notifier.notify(to('later@example.com'), attempt)).rejects.toMatchObject({
      code: 'EMAIL_DELIVERY_FAILED',
      retryable: true,
      responseCode: 450,
    });
    await expect(notifier.notify(to('ok@example.com'), attempt)).resolves.toBeUndefined();
    expect(receiver.mails.map((mail) => mail.to)).toEqual([['ok@example.com']]);

    const wrong = createEmailNotifier({
      from: 'approvals@example.com',
      transport: smtp({ auth: { user: 'preloop', password: 'wrong-password-xyz' } }),
    });
    const refused = await wrong.notify(to('ok@example.com'), attempt).catch((error: Error) => error);
    expect(refused).toMatchObject({ code: 'EMAIL_REJECTED', retryable: false, responseCode: 535 });
    expect((refused as Error).message).toMatch(/^email: 127\.0\.0\.1:\d+ after AUTH: permanent failure \(535\)/);
    expect((refused as Error).message).not.toContain('wrong-password-xyz');

    // Nothing listens: retryable.
    const closedPort = receiver.port;
    await receiver.close();
    receiver = null;
    const down = createEmailNotifier({
      from: 'approvals@example.com',
      transport: { type: 'smtp', host: '127.0.0.1', port: closedPort, tls: 'starttls' },
    });
    await expect(down.notify(to('ok@example.com'), attempt)).rejects.toMatchObject({ code: 'EMAIL_DELIVERY_FAILED', retryable: true });

    // STARTTLS required but not offered: nothing is sent, the password never leaves in clear text.
    receiver = await startSmtpReceiver({ tls: 'none', users: { preloop: password } });
    const strict = createEmailNotifier({ from: 'approvals@example.com', transport: smtp() });
    await expect(strict.notify(to('ok@example.com'), attempt)).rejects.toMatchObject({ code: 'EMAIL_REJECTED', retryable: false });
    expect(receiver.logins).toEqual([]);
    expect(receiver.mails).toEqual([]);
    // A notification without an address (a channel notification) cannot be mailed.
    await expect(strict.notify(notificationFor({ recipient: null }), attempt)).rejects.toMatchObject({
      code: 'EMAIL_REJECTED',
      retryable: false,
    });
  });

  it('speaks implicit TLS (SMTPS) and, with tls "opportunistic", plain SMTP to a server without STARTTLS', async () => {
    receiver = await startSmtpReceiver({ tls: 'implicit' });
    await createEmailNotifier({
      from: 'approvals@example.com',
      transport: { type: 'smtp', host: '127.0.0.1', port: receiver.port, tls: 'implicit', ca: receiver.ca },
    }).notify(notificationFor(), attempt);
    expect(receiver.mails[0]).toMatchObject({ secure: true, to: ['ann@example.com'] });
    await receiver.close();

    receiver = await startSmtpReceiver({ tls: 'none' });
    await createEmailNotifier({
      from: 'approvals@example.com',
      transport: { type: 'smtp', host: '127.0.0.1', port: receiver.port, tls: 'opportunistic' },
    }).notify(notificationFor(), attempt);
    expect(receiver.mails[0]).toMatchObject({ secure: false, to: ['ann@example.com'] });
    // An untrusted certificate is refused (no CA given): permanent, nothing sent.
    await receiver.close();
    receiver = await startSmtpReceiver({ tls: 'implicit' });
    await expect(
      createEmailNotifier({
        from: 'approvals@example.com',
        transport: { type: 'smtp', host: '127.0.0.1', port: receiver.port, tls: 'implicit' },
      }).notify(notificationFor(), attempt),
    ).rejects.toMatchObject({ code: 'EMAIL_REJECTED' });
    expect(receiver.mails).toEqual([]);
  });
});
