import { isIP } from 'node:net';
import { definePlugin, type Notifier, type SecretStore } from '@preloop/core';
import { createTransport } from 'nodemailer';
import { EmailDeliveryError, toEmailDeliveryError } from './delivery-error.js';
import { toEmailMessage } from './email-message.js';
import { resolveEmailOptions, type EmailOptions, type ResolvedEmailOptions } from './email-options.js';

/** What {@link createEmailNotifier} needs besides its options. */
export interface EmailNotifierContext {
  /** Reads a password given as `{ secret }` (the `email` plugin passes the kernel's secret store). @default none: such a password is a delivery error */
  secrets?: () => Pick<SecretStore, 'get'> | null;
  /** Where `{ env }` passwords are read. @default process.env */
  env?: Record<string, string | undefined>;
}

function serverLabel(transport: ResolvedEmailOptions['transport']): string {
  return transport.type === 'smtp' ? `${transport.host}:${transport.port}` : `sendmail (${transport.path})`;
}

async function passwordOf(resolved: ResolvedEmailOptions, accountId: string, context: EmailNotifierContext): Promise<string | null> {
  if (resolved.transport.type !== 'smtp' || !resolved.transport.auth) return null;
  const { password } = resolved.transport.auth;
  if (typeof password === 'string') return password;
  const store = context.secrets?.() ?? null;
  const problem = `email: option "transport.auth.password" names the secret "${password.secret}"`;
  if (!store)
    throw new EmailDeliveryError(`${problem}, but no secret store is available (install the notifier with the email() plugin)`, {
      retryable: false,
    });
  try {
    return await store.get(accountId, password.secret);
  } catch (error) {
    const missing = (error as { code?: string }).code === 'NOT_FOUND';
    throw new EmailDeliveryError(`${problem}, which ${missing ? 'is not stored' : 'cannot be read'} in account ${accountId}`, {
      retryable: !missing,
      cause: error,
    });
  }
}

function transportOf(resolved: ResolvedEmailOptions, password: string | null) {
  const { transport, timeoutMs } = resolved;
  if (transport.type === 'sendmail')
    return createTransport({
      sendmail: true,
      path: transport.path,
      newline: 'unix',
      logger: false,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  return createTransport({
    host: transport.host,
    port: transport.port,
    secure: transport.tls === 'implicit',
    requireTLS: transport.tls === 'starttls',
    ignoreTLS: transport.tls === 'none',
    ...(transport.auth && password !== null ? { auth: { user: transport.auth.user, pass: password } } : {}),
    tls: {
      minVersion: 'TLSv1.2',
      ...(transport.ca ? { ca: transport.ca } : {}),
      ...(isIP(transport.host) ? {} : { servername: transport.host }),
    },
    ...(transport.clientName ? { name: transport.clientName } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}

/**
 * Creates the email notifier (contract version 1, audience `approvers`): one
 * message per eligible approver, to the address of their Preloop user, with
 * a plain-text and an HTML part and that approver's personal single-use
 * decision links (see `toEmailMessage`). The Message-ID is derived from the
 * notification id, which stays the same on every retry. Failures are
 * classified (`EmailDeliveryError`): 4xx replies and connection problems are
 * retried by the engine, 5xx replies and configuration problems fail at once.
 * Invalid options are a `CONFIGURATION_ERROR` naming the option.
 *
 * @example
 * ```ts
 * const notifier = createEmailNotifier({
 *   from: 'Preloop <approvals@example.com>',
 *   transport: { type: 'smtp', host: 'smtp.example.com', auth: { user: 'preloop', password: { env: 'SMTP_PASSWORD' } } },
 * });
 * ```
 */
export function createEmailNotifier(options: EmailOptions, context: EmailNotifierContext = {}): Notifier {
  const resolved = resolveEmailOptions(options, context.env);
  const server = serverLabel(resolved.transport);
  return {
    id: resolved.id,
    version: 1,
    audience: 'approvers',
    async notify(notification, attempt) {
      if (!resolved.events.has(notification.type)) return;
      const recipient = notification.recipient;
      if (!recipient?.email)
        throw new EmailDeliveryError(`email: notification ${notification.id} names no recipient address`, { retryable: false });
      const message = toEmailMessage(notification, resolved);
      const password = await passwordOf(resolved, notification.request.accountId, context);
      const transporter = transportOf(resolved, password);
      // nodemailer cannot cancel a send: an aborted attempt gives up at once, and the connection is dropped within `timeoutMs`.
      let abort: (error: Error) => void = () => {};
      const aborted = new Promise<never>((_, reject) => (abort = reject));
      const onAbort = () =>
        abort(
          new EmailDeliveryError(
            `email: ${server}: the attempt was aborted (${(attempt.signal.reason as Error | undefined)?.message ?? 'timeout'})`,
            { retryable: true },
          ),
        );
      if (attempt.signal.aborted) onAbort();
      else attempt.signal.addEventListener('abort', onAbort, { once: true });
      const sending = transporter.sendMail({
        from: resolved.from,
        to: { name: recipient.name.replace(/[\r\n]+/g, ' '), address: recipient.email },
        ...(resolved.replyTo ? { replyTo: resolved.replyTo } : {}),
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
        headers: message.headers,
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      try {
        await Promise.race([sending, aborted]);
      } catch (error) {
        if (error instanceof EmailDeliveryError) throw error;
        throw toEmailDeliveryError(error, server, password ? [password] : []);
      } finally {
        sending.catch(() => {});
        aborted.catch(() => {});
        attempt.signal.removeEventListener('abort', onAbort);
        transporter.close();
      }
    },
  };
}

/**
 * The email notifier plugin (id `email`, needs `approvals`): approval
 * requests, escalations and outcomes mailed to each eligible approver with
 * personal single-use decision links, over SMTP (STARTTLS or implicit TLS,
 * AUTH) or a local `sendmail`. A password given as `{ secret: name }` is read
 * from the kernel's secret store, in the request's account, at each delivery.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({
 *   database: 'sqlite:./preloop.db',
 *   secretKey: process.env.PRELOOP_SECRET_KEY,
 *   plugins: [
 *     approvals({ publicUrl: 'https://preloop.example.com' }),
 *     email({ from: 'Preloop <approvals@example.com>', transport: { type: 'smtp', host: 'smtp.example.com', auth: { user: 'preloop', password: { env: 'SMTP_PASSWORD' } } } }),
 *   ],
 * });
 * ```
 */
export function email(options: EmailOptions) {
  let secrets: SecretStore | null = null;
  const notifier = createEmailNotifier(options, { secrets: () => secrets });
  return definePlugin({
    id: notifier.id,
    dependencies: ['approvals'],
    contributions: { notifiers: [notifier] },
    init(preloop) {
      secrets = preloop.secrets;
    },
  });
}
