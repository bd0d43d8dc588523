import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmailNotifier, resolveEmailOptions, smtpTransportFromUrl, type EmailOptions } from './index.js';

const smtp = { type: 'smtp', host: 'smtp.example.com' } as const;
const base: EmailOptions = { from: 'approvals@example.com', transport: smtp };
const problem = (options: unknown, env: Record<string, string> = {}) => {
  try {
    resolveEmailOptions(options as EmailOptions, env);
    return null;
  } catch (error) {
    return error as Error & { code: string };
  }
};

describe('email options', () => {
  it('applies defaults: STARTTLS on 587, implicit TLS on 465, [Preloop], UTC, every event', () => {
    const resolved = resolveEmailOptions({ from: 'Preloop <Approvals@Example.COM>', transport: smtp });
    expect(resolved).toMatchObject({
      id: 'email',
      fromDomain: 'example.com',
      subjectPrefix: '[Preloop]',
      timeZone: 'UTC',
      timeoutMs: 10_000,
      replyTo: null,
      listUnsubscribe: null,
    });
    expect(resolved.transport).toEqual({
      type: 'smtp',
      host: 'smtp.example.com',
      port: 587,
      tls: 'starttls',
      auth: null,
      ca: null,
      clientName: null,
    });
    expect([...resolved.events]).toEqual(['approval.requested', 'approval.escalated', 'approval.resolved']);
    expect(resolveEmailOptions({ ...base, transport: { ...smtp, port: 465 } }).transport).toMatchObject({ port: 465, tls: 'implicit' });
    expect(resolveEmailOptions({ ...base, transport: { ...smtp, tls: 'implicit' } }).transport).toMatchObject({ port: 465 });
    expect(resolveEmailOptions({ ...base, transport: { type: 'sendmail' } }).transport).toEqual({ type: 'sendmail', path: 'sendmail' });
  });

  it('reads an { env } password at start-up and keeps a { secret } reference for delivery time', () => {
    const fromEnv = resolveEmailOptions(
      { ...base, transport: { ...smtp, auth: { user: 'u', password: { env: 'SMTP_PASSWORD' } } } },
      { SMTP_PASSWORD: 'from-env-123' },
    );
    expect(fromEnv.transport).toMatchObject({ auth: { user: 'u', password: 'from-env-123' } });
    const fromStore = resolveEmailOptions({ ...base, transport: { ...smtp, auth: { user: 'u', password: { secret: 'smtp' } } } });
    expect(fromStore.transport).toMatchObject({ auth: { user: 'u', password: { secret: 'smtp' } } });
  });

  it('refuses bad options with a CONFIGURATION_ERROR naming the option, never echoing a password', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ transport: smtp }, /option "from"/],
      [{ ...base, from: 'not an address' }, /option "from" must be an email address/],
      [{ ...base, transport: { ...smtp, port: 70000 } }, /option "transport\.port"/],
      [{ ...base, transport: { ...smtp, host: 'smtp://smtp.example.com' } }, /option "transport\.host" must be a host name/],
      [{ ...base, transport: { ...smtp, tls: 'sometimes' } }, /option "transport\.tls"/],
      [{ ...base, transport: { type: 'pigeon' } }, /option "transport\.type"/],
      [
        { ...base, transport: { ...smtp, auth: { user: 'u', password: { env: 'UNSET_SMTP_PASSWORD' } } } },
        /option "transport\.auth\.password" names the environment variable UNSET_SMTP_PASSWORD, which is not set/,
      ],
      [
        { ...base, transport: { ...smtp, tls: 'none', auth: { user: 'u', password: 'secret-pw-1' } } },
        /option "transport\.auth" needs TLS/,
      ],
      [{ ...base, transport: { ...smtp, ca: 'not pem' } }, /option "transport\.ca" must be PEM/],
      [{ ...base, timeZone: 'Mars/Olympus' }, /option "timeZone" must be an IANA time zone/],
      [{ ...base, listUnsubscribe: 'http://example.com/u' }, /option "listUnsubscribe" must be a mailto: or https: URL/],
      [{ ...base, events: ['approval.sent'] }, /option "events\.0"/],
      [{ ...base, subjectPrefix: 'a\r\nBcc: x@example.com' }, /option "subjectPrefix" must be one line/],
      [{ ...base, extra: true }, /email: option/],
    ];
    for (const [options, message] of cases) {
      const error = problem(options);
      expect(error, JSON.stringify(options)).toMatchObject({ code: 'CONFIGURATION_ERROR', message: expect.stringMatching(message) });
      expect(error!.message).not.toContain('secret-pw-1');
    }
    // A relay on the same host may take a password without TLS.
    expect(
      problem({ ...base, transport: { type: 'smtp', host: '127.0.0.1', tls: 'none', auth: { user: 'u', password: 'p' } } }),
    ).toBeNull();
  });

  it('reads smtp://, smtps:// and sendmail: URLs; a bad URL is named without its password', () => {
    expect(smtpTransportFromUrl('smtp://preloop:p%40ss%3Aword@smtp.example.com:2525')).toEqual({
      type: 'smtp',
      host: 'smtp.example.com',
      port: 2525,
      tls: 'starttls',
      auth: { user: 'preloop', password: 'p@ss:word' },
    });
    expect(smtpTransportFromUrl('smtps://smtp.example.com')).toEqual({ type: 'smtp', host: 'smtp.example.com', tls: 'implicit' });
    expect(smtpTransportFromUrl('smtp://relay.internal:25?tls=opportunistic')).toEqual({
      type: 'smtp',
      host: 'relay.internal',
      port: 25,
      tls: 'opportunistic',
    });
    expect(smtpTransportFromUrl('smtp://[::1]:25?tls=none')).toEqual({ type: 'smtp', host: '::1', port: 25, tls: 'none' });
    expect(smtpTransportFromUrl('sendmail:')).toEqual({ type: 'sendmail' });
    expect(smtpTransportFromUrl('sendmail:/usr/sbin/sendmail')).toEqual({ type: 'sendmail', path: '/usr/sbin/sendmail' });
    expect(() => smtpTransportFromUrl('http://user:hunter22@smtp.example.com', 'PRELOOP_SMTP_URL')).toThrow(
      /option "PRELOOP_SMTP_URL" must be smtp:\/\/, smtps:\/\/ or sendmail: \(got "http:\/\/user:\*\*\*@smtp\.example\.com"\)/,
    );
    expect(() => smtpTransportFromUrl('smtp://u:hunter22@smtp.example.com?tls=maybe')).toThrow(
      expect.objectContaining({ code: 'CONFIGURATION_ERROR', message: expect.not.stringContaining('hunter22') }),
    );
  });
});

describe('sendmail transport', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'preloop-sendmail-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A stand-in for sendmail(8): records its arguments and the message from stdin, exits with the code in ./exit-code.
  const program = path.join(dir, 'sendmail');
  writeFileSync(
    program,
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args"\ncat > "${dir}/message"\nexit "$(cat "${dir}/exit-code" 2>/dev/null || echo 0)"\n`,
  );
  chmodSync(program, 0o755);
  const notification = {
    id: 'ntf_sendmail1',
    type: 'approval.requested' as const,
    recipient: { userId: 'usr_ann', name: 'Ann', email: 'ann@example.com' },
    links: {
      approve: 'https://preloop.example.com/l?decision=approve',
      deny: 'https://preloop.example.com/l?decision=deny',
      view: 'https://preloop.example.com/l',
    },
    request: {
      id: 'apr_sendmail1',
      accountId: 'acc_1',
      status: 'pending' as const,
      kind: 'tool_call' as const,
      tool: { name: 'deploy', definitionHash: null },
      args: { token: 'xoxb-123456789012-abcdefghijkl' },
      argsRedactions: [],
      argsHash: 'h',
      subject: { type: 'agent' as const, id: 'agt_1', name: 'builder', userId: null, apiKeyId: null, agentId: 'agt_1' },
      runtimeSessionId: null,
      workflow: { name: 'one', quorum: 1, requireReason: false, escalates: false },
      reason: 'prod',
      justification: null,
      question: null,
      votes: { approve: 0, deny: 0 },
      createdAt: 0,
      expiresAt: Date.UTC(2026, 11, 3, 15, 30),
      escalatedAt: null,
      decidedAt: null,
      decidedBy: null,
      comment: null,
      answer: null,
      outcomeReason: null,
      executedAt: null,
    },
  };
  const context = { attempt: 1, signal: new AbortController().signal };

  it('pipes the message to the program with the envelope as arguments', async () => {
    writeFileSync(path.join(dir, 'exit-code'), '0');
    await createEmailNotifier({ from: 'approvals@example.com', transport: { type: 'sendmail', path: program } }).notify(
      notification,
      context,
    );
    expect(readFileSync(path.join(dir, 'args'), 'utf8').split('\n')).toEqual(['-i', '-f', 'approvals@example.com', 'ann@example.com', '']);
    const parsed = await simpleParser(readFileSync(path.join(dir, 'message')));
    expect(parsed.messageId).toBe('<ntf_sendmail1@example.com>');
    expect(parsed.subject).toBe('[Preloop] Approval needed: deploy for builder');
    expect(parsed.text).toContain('Approve: https://preloop.example.com/l?decision=approve');
    expect(parsed.html).toContain('href="https://preloop.example.com/l?decision=deny"');
    // The arguments are redacted again before they are mailed.
    expect(readFileSync(path.join(dir, 'message'), 'utf8')).not.toContain('xoxb-123456789012');
    expect(parsed.text).toContain('"token": "[redacted]"');
  });

  it('reads the exit code: 75 (EX_TEMPFAIL) is retried, 67 (EX_NOUSER) and a missing program are permanent', async () => {
    const notifier = createEmailNotifier({ from: 'approvals@example.com', transport: { type: 'sendmail', path: program } });
    writeFileSync(path.join(dir, 'exit-code'), '75');
    await expect(notifier.notify(notification, context)).rejects.toMatchObject({ code: 'EMAIL_DELIVERY_FAILED', retryable: true });
    writeFileSync(path.join(dir, 'exit-code'), '67');
    await expect(notifier.notify(notification, context)).rejects.toMatchObject({ code: 'EMAIL_REJECTED', retryable: false });
    const missing = createEmailNotifier({
      from: 'approvals@example.com',
      transport: { type: 'sendmail', path: path.join(dir, 'no-such-sendmail') },
    });
    await expect(missing.notify(notification, context)).rejects.toMatchObject({ code: 'EMAIL_REJECTED', retryable: false });
  });
});
