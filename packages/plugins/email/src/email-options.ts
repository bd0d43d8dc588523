import { PreloopError, type ApprovalNotificationType } from '@preloop/core';
import { z } from 'zod';

/**
 * Where an SMTP password comes from: the value itself (read it from your own
 * secret manager), an environment variable read once at start-up, or a secret
 * of the request's account in Preloop's secret store, read at each delivery.
 */
export type EmailPassword = string | { env: string } | { secret: string };

/**
 * How the connection to an SMTP server is protected:
 * - `starttls`: plain connection upgraded with STARTTLS, which the server must offer (port 587);
 * - `implicit`: TLS from the first byte (SMTPS, port 465);
 * - `opportunistic`: STARTTLS when the server offers it, plain text otherwise;
 * - `none`: never TLS (a relay on the same host only).
 */
export type SmtpTls = 'starttls' | 'implicit' | 'opportunistic' | 'none';

/** Delivery through an SMTP server (a provider's submission port, or your own relay). */
export interface SmtpTransportOptions {
  type: 'smtp';
  /** Host name or IP address of the server. */
  host: string;
  /** @default 465 with `tls: 'implicit'`, 587 otherwise */
  port?: number;
  /** @default 'implicit' on port 465, 'starttls' otherwise */
  tls?: SmtpTls;
  /** Credentials for SMTP AUTH (PLAIN or LOGIN, only ever sent over TLS unless `tls` is `none`). @default no authentication */
  auth?: { user: string; password: EmailPassword };
  /** PEM certificate(s) of a private CA the server's certificate chains to. @default the system's CAs */
  ca?: string;
  /** The name sent in EHLO. @default the machine's host name */
  clientName?: string;
}

/** Delivery by piping the message to a local `sendmail`-compatible program (Postfix, Exim, msmtp…). */
export interface SendmailTransportOptions {
  type: 'sendmail';
  /** The program. @default 'sendmail' (found on PATH) */
  path?: string;
}

/** Options of the {@link email} plugin. */
export interface EmailOptions {
  /** The sender, `approvals@example.com` or `Preloop <approvals@example.com>`; its domain also names the Message-ID. */
  from: string;
  /** How messages leave the server. */
  transport: SmtpTransportOptions | SendmailTransportOptions;
  /** Where replies go. @default none (replies go to `from`) */
  replyTo?: string;
  /** Put in front of every subject. @default '[Preloop]' */
  subjectPrefix?: string;
  /**
   * A `List-Unsubscribe` target (`mailto:` or `https:` URL of your own
   * notification settings). Approval requests are personal, transactional
   * messages, so none is sent by default.
   * @default none
   */
  listUnsubscribe?: string;
  /** The time zone deadlines are written in (IANA name). @default 'UTC' */
  timeZone?: string;
  /** Which notifications to send. @default all three */
  events?: ApprovalNotificationType[];
  /** Time allowed for connecting, the greeting and each SMTP command, in ms. @default 10000 */
  timeoutMs?: number;
  /** Plugin and notifier id; set it to install several email notifiers. @default 'email' */
  id?: string;
}

const address = z
  .string()
  .max(320)
  .refine(
    (value) => /^[^\r\n<>]*<[^\s<>@]+@[^\s<>@]+>$|^[^\s<>@]+@[^\s<>@]+$/.test(value.trim()),
    'must be an email address, optionally with a name: "Preloop <approvals@example.com>"',
  );

const password = z.union([
  z.string().min(1),
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }),
  z.strictObject({ secret: z.string().min(1).max(200) }),
]);

const smtpSchema = z.strictObject({
  type: z.literal('smtp'),
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[^\s/:@]+$|^\[?[0-9a-fA-F:]+\]?$/, 'must be a host name or IP address, without a scheme or port'),
  port: z.number().int().min(1).max(65_535).optional(),
  tls: z.enum(['starttls', 'implicit', 'opportunistic', 'none']).optional(),
  auth: z.strictObject({ user: z.string().min(1).max(320), password }).optional(),
  ca: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be PEM certificates' }).optional(),
  clientName: z.string().min(1).max(253).optional(),
});

const sendmailSchema = z.strictObject({
  type: z.literal('sendmail'),
  path: z.string().min(1).optional(),
});

const eventType = z.enum(['approval.requested', 'approval.escalated', 'approval.resolved']);

const optionsSchema = z.strictObject({
  from: address,
  transport: z.discriminatedUnion('type', [smtpSchema, sendmailSchema]),
  replyTo: address.optional(),
  subjectPrefix: z
    .string()
    .max(60)
    .regex(/^[^\r\n]*$/, 'must be one line')
    .optional(),
  listUnsubscribe: z
    .string()
    .max(2000)
    .regex(/^(mailto:|https:\/\/)[^\s<>]+$/, 'must be a mailto: or https: URL')
    .optional(),
  timeZone: z
    .string()
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Paris')
    .optional(),
  events: z.array(eventType).min(1).optional(),
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, - or _')
    .optional(),
});

/** The options after validation, with defaults applied and an environment password read. */
export interface ResolvedEmailOptions {
  id: string;
  from: string;
  /** The domain of `from`, for Message-IDs. */
  fromDomain: string;
  transport:
    | {
        type: 'smtp';
        host: string;
        port: number;
        tls: SmtpTls;
        auth: { user: string; password: string | { secret: string } } | null;
        ca: string | null;
        clientName: string | null;
      }
    | { type: 'sendmail'; path: string };
  replyTo: string | null;
  subjectPrefix: string;
  listUnsubscribe: string | null;
  timeZone: string;
  events: Set<ApprovalNotificationType>;
  timeoutMs: number;
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function configError(option: string, message: string): PreloopError {
  return new PreloopError('CONFIGURATION_ERROR', `email: option "${option}" ${message}`, {
    details: { issues: [{ path: option, message }] },
  });
}

/**
 * Validates the email plugin's options and applies the defaults. An invalid
 * option is a `CONFIGURATION_ERROR` naming it (`email: option
 * "transport.port" …`); a password given as `{ env }` is read here and a
 * missing variable is an error too. Error messages never contain a password.
 *
 * @example
 * ```ts
 * const resolved = resolveEmailOptions({ from: 'approvals@example.com', transport: { type: 'smtp', host: 'smtp.example.com' } });
 * resolved.transport; // { type: 'smtp', host: 'smtp.example.com', port: 587, tls: 'starttls', … }
 * ```
 */
export function resolveEmailOptions(options: EmailOptions, env: Record<string, string | undefined> = process.env): ResolvedEmailOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const option = issue.path.join('.') || '(options)';
    // Zod's own messages never echo the value, so a rejected password stays out of the error.
    throw configError(option, issue.message.replace(/^Invalid input: /, ''));
  }
  const value = parsed.data;
  const from = value.from.trim();
  const fromDomain = /@([^\s<>@]+)>?$/.exec(from)![1]!.toLowerCase();
  let transport: ResolvedEmailOptions['transport'];
  if (value.transport.type === 'smtp') {
    const smtp = value.transport;
    const tls: SmtpTls = smtp.tls ?? (smtp.port === 465 ? 'implicit' : 'starttls');
    const port = smtp.port ?? (tls === 'implicit' ? 465 : 587);
    let auth: { user: string; password: string | { secret: string } } | null = null;
    if (smtp.auth && tls === 'none' && !loopbackHosts.has(smtp.host)) {
      throw configError(
        'transport.auth',
        'needs TLS: with tls "none" the password would cross the network in clear text (use starttls or implicit, or a relay on localhost)',
      );
    }
    if (smtp.auth) {
      let secret: string | { secret: string };
      if (typeof smtp.auth.password === 'string') secret = smtp.auth.password;
      else if ('env' in smtp.auth.password) {
        const name = smtp.auth.password.env;
        const read = env[name];
        if (!read) throw configError('transport.auth.password', `names the environment variable ${name}, which is not set`);
        secret = read;
      } else secret = { secret: smtp.auth.password.secret };
      auth = { user: smtp.auth.user, password: secret };
    }
    transport = {
      type: 'smtp',
      host: smtp.host.replace(/^\[(.*)\]$/, '$1'),
      port,
      tls,
      auth,
      ca: smtp.ca ?? null,
      clientName: smtp.clientName ?? null,
    };
  } else {
    transport = { type: 'sendmail', path: value.transport.path ?? 'sendmail' };
  }
  return {
    id: value.id ?? 'email',
    from,
    fromDomain,
    transport,
    replyTo: value.replyTo?.trim() ?? null,
    subjectPrefix: value.subjectPrefix ?? '[Preloop]',
    listUnsubscribe: value.listUnsubscribe ?? null,
    timeZone: value.timeZone ?? 'UTC',
    events: new Set(value.events ?? ['approval.requested', 'approval.escalated', 'approval.resolved']),
    timeoutMs: value.timeoutMs ?? 10_000,
  };
}

/**
 * Reads an SMTP URL into transport options: `smtp://user:password@host:587`
 * (STARTTLS required), `smtps://…:465` (implicit TLS), `?tls=opportunistic` or
 * `?tls=none` to relax it, and `sendmail:` or `sendmail:/usr/sbin/sendmail`
 * for a local sendmail program. User and password are percent-decoded. A
 * malformed URL is a `CONFIGURATION_ERROR` naming `option`, with the
 * password left out.
 *
 * @example
 * ```ts
 * email({ from: 'approvals@example.com', transport: smtpTransportFromUrl(process.env.PRELOOP_SMTP_URL!) });
 * ```
 */
export function smtpTransportFromUrl(url: string, option = 'url'): SmtpTransportOptions | SendmailTransportOptions {
  const shown = url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  if (/^sendmail:/i.test(url)) {
    const path = url.slice('sendmail:'.length).replace(/^\/\/(?=\/)/, '');
    return path ? { type: 'sendmail', path } : { type: 'sendmail' };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configError(option, `must be smtp://, smtps:// or sendmail: (got "${shown}")`);
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:')
    throw configError(option, `must be smtp://, smtps:// or sendmail: (got "${shown}")`);
  if (!parsed.hostname) throw configError(option, `has no host (got "${shown}")`);
  const tlsParameter = parsed.searchParams.get('tls');
  if (tlsParameter !== null && !['starttls', 'opportunistic', 'none', 'implicit'].includes(tlsParameter)) {
    throw configError(option, `has tls=${tlsParameter}; use starttls, opportunistic or none (got "${shown}")`);
  }
  const tls: SmtpTls = parsed.protocol === 'smtps:' ? 'implicit' : ((tlsParameter as SmtpTls | null) ?? 'starttls');
  const transport: SmtpTransportOptions = { type: 'smtp', host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), tls };
  if (parsed.port) transport.port = Number(parsed.port);
  if (parsed.username) transport.auth = { user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
  return transport;
}
