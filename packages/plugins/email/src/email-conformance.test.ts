import {
  notifierConformance,
  type NotifierConformanceFailure,
  type NotifierTestChannel,
  type ReceivedNotifierMessage,
} from '@preloop/core/testing';
import { expect, it } from 'vitest';
import { createEmailNotifier } from './index.js';
import { startSmtpReceiver, type SmtpReceiver } from './test-support/smtp-receiver.js';

const password = 'smtp-conformance-pa55word';

/** The in-process SMTP server (STARTTLS, AUTH) as the conformance suite's channel: 451, 550 or no answer at the end of DATA on demand. */
async function startSmtpChannel(): Promise<NotifierTestChannel & { receiver: SmtpReceiver }> {
  const failures: NotifierConformanceFailure[] = [];
  const codes: Record<NotifierConformanceFailure, number | 'hang'> = { retryable: 451, permanent: 550, 'rate-limited': 451, hang: 'hang' };
  const receiver = await startSmtpReceiver({
    users: { preloop: password },
    rejectMessage: () => {
      const failure = failures.shift();
      return failure ? codes[failure] : null;
    },
  });
  return {
    receiver,
    received: () =>
      receiver.mails
        .filter((mail) => mail.accepted)
        .map(
          (mail): ReceivedNotifierMessage => ({
            kind: 'create',
            // The notification id travels as the Message-ID's local part: <ntf_…@example.com>.
            idempotencyKey: /^<([^@>]+)@/.exec(mail.parsed.messageId ?? '')?.[1] ?? null,
            messageRef: null,
            content: [mail.parsed.subject ?? '', mail.parsed.text ?? '', typeof mail.parsed.html === 'string' ? mail.parsed.html : ''].join(
              '\n',
            ),
          }),
        ),
    failNext: (failure) => void failures.push(failure),
    close: () => receiver.close(),
  };
}

notifierConformance({
  name: 'email over SMTP (STARTTLS, AUTH)',
  channel: startSmtpChannel,
  notifier: (channel) =>
    createEmailNotifier({
      from: 'Preloop <approvals@example.com>',
      transport: {
        type: 'smtp',
        host: '127.0.0.1',
        port: channel.receiver.port,
        ca: channel.receiver.ca,
        auth: { user: 'preloop', password },
      },
    }),
  secrets: [password],
  // SMTP has no "retry after" reply: a 4xx is retried with the engine's backoff.
  rateLimits: false,
  additionalTests: (context) => {
    it('sends over TLS and logs in before each message', () => {
      const { receiver } = context.channel as Awaited<ReturnType<typeof startSmtpChannel>>;
      expect(receiver.mails.length).toBeGreaterThan(0);
      expect(receiver.mails.every((mail) => mail.secure && mail.user === 'preloop')).toBe(true);
    });
  },
});
