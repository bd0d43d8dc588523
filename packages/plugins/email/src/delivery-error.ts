import { PreloopError } from '@preloop/core';

/** Connection-level failures worth another attempt: the server or the network may be back soon. */
const transientCodes = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPROXY',
]);

/** sendmail exit codes (sysexits.h) that say "try again later": EX_OSERR, EX_IOERR, EX_TEMPFAIL. */
const transientExitCodes = new Set([71, 74, 75]);

/**
 * A failed email delivery, classified for the approval engine: `retryable`
 * (`EMAIL_DELIVERY_FAILED`: a 4xx reply, a lost or refused connection, a
 * sendmail temporary failure), or permanent (`EMAIL_REJECTED`: a 5xx reply
 * such as an unknown mailbox or rejected credentials, TLS the server cannot
 * provide, no recipient address, sendmail missing). The engine retries the
 * former with backoff and fails the latter at once. The message names the
 * server's reply and never a credential.
 */
export class EmailDeliveryError extends PreloopError {
  /** Whether sending again may succeed (the notifier contract's failure classification). */
  readonly retryable: boolean;
  /** The engine's backoff applies; SMTP has no standard "retry after". */
  readonly retryAfterMs: null = null;
  /** The SMTP reply code, when the server answered. */
  readonly responseCode: number | null;

  constructor(message: string, options: { retryable: boolean; responseCode?: number | null; cause?: unknown }) {
    super(options.retryable ? 'EMAIL_DELIVERY_FAILED' : 'EMAIL_REJECTED', message, { status: 502, cause: options.cause });
    this.name = 'EmailDeliveryError';
    this.retryable = options.retryable;
    this.responseCode = options.responseCode ?? null;
  }
}

/** TLS verification failures (Node's codes): the server's certificate is not trusted, and retrying will not change that. */
const certificateFailure = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL/;

interface MailerError {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  message?: unknown;
}

/**
 * Classifies what nodemailer threw: an SMTP reply code 4xx is retryable and
 * 5xx permanent; connection, timeout and DNS failures are retryable; a
 * failed login (`EAUTH`), a missing STARTTLS (`ETLS`), a certificate that
 * does not verify and other configuration problems are permanent; sendmail's exit codes 71, 74 and 75 are retryable,
 * the others (127: not found) permanent. `secrets` are cut out of the
 * message, which keeps at most 300 characters of the server's reply.
 *
 * @example
 * ```ts
 * try { await transporter.sendMail(mail); } catch (error) { throw toEmailDeliveryError(error, 'smtp.example.com:587', [password]); }
 * ```
 */
export function toEmailDeliveryError(error: unknown, server: string, secrets: readonly string[] = []): EmailDeliveryError {
  const failure = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as MailerError;
  const code = typeof failure.code === 'string' ? failure.code : null;
  const responseCode = typeof failure.responseCode === 'number' ? failure.responseCode : null;
  const raw = typeof failure.response === 'string' && failure.response ? failure.response : String(failure.message ?? 'unknown error');
  let reply = raw.replace(/\s+/g, ' ').trim().slice(0, 300);
  for (const secret of secrets) if (secret) reply = reply.split(secret).join('[redacted]');
  const command = typeof failure.command === 'string' ? ` after ${failure.command.split(' ')[0]}` : '';
  const exit = /exited with code (\d+)/.exec(String(failure.message ?? ''));

  let retryable: boolean;
  if (responseCode !== null && responseCode >= 400 && responseCode < 600) retryable = responseCode < 500;
  else if (exit) retryable = transientExitCodes.has(Number(exit[1]));
  else if (code === 'ESENDMAIL') retryable = /terminated by/.test(reply);
  else if (typeof failure.originalCode === 'string' && certificateFailure.test(failure.originalCode)) retryable = false;
  else retryable = code !== null && transientCodes.has(code);
  const kind = retryable ? 'temporary failure' : 'permanent failure';
  return new EmailDeliveryError(
    `email: ${server}${command}: ${kind}${responseCode ? ` (${responseCode})` : code ? ` (${code})` : ''}: ${reply}`,
    { retryable, responseCode, cause: error },
  );
}
