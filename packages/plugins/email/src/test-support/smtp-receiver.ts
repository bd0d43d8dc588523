/**
 * Test support (not published): a real SMTP server in-process (`smtp-server`)
 * with STARTTLS or implicit TLS under a self-signed certificate made for the
 * test, AUTH PLAIN/LOGIN, and every received message parsed by `mailparser`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A self-signed certificate for localhost and 127.0.0.1 (PEM). */
export interface TestCertificate {
  key: string;
  cert: string;
}

let certificate: TestCertificate | null = null;

/**
 * Makes (once per process) a P-256 self-signed certificate for `localhost`
 * and `127.0.0.1` with the system's `openssl`, valid for a day.
 *
 * @example
 * ```ts
 * const { key, cert } = testCertificate();
 * ```
 */
export function testCertificate(): TestCertificate {
  if (certificate) return certificate;
  const dir = mkdtempSync(path.join(tmpdir(), 'preloop-smtp-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'pipe' },
    );
    certificate = { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One received message. */
export interface ReceivedMail {
  /** SMTP envelope: MAIL FROM and RCPT TO. */
  from: string;
  to: string[];
  /** The logged-in user, if any. */
  user: string | null;
  /** True when the session was encrypted (STARTTLS or implicit TLS). */
  secure: boolean;
  /** False when `rejectMessage` refused it after DATA. */
  accepted: boolean;
  /** The message as sent. */
  raw: string;
  parsed: ParsedMail;
}

/** Options of {@link startSmtpReceiver}. */
export interface SmtpReceiverOptions {
  /** `starttls` (offered, AUTH only after it), `implicit` (TLS from the first byte) or `none` (STARTTLS disabled). @default 'starttls' */
  tls?: 'starttls' | 'implicit' | 'none';
  /** Accepted logins; without it, no AUTH is required. @default none */
  users?: Record<string, string>;
  /** Picks an SMTP reply code for a RCPT TO (`null` accepts); `index` counts RCPT commands from 0. @default accept */
  rejectRecipient?: (address: string, index: number) => number | null;
  /** Picks an SMTP reply code at the end of DATA (`null` accepts, `hang` never answers); `index` counts messages from 0. The message is recorded either way. @default accept */
  rejectMessage?: (index: number) => number | null | 'hang';
}

/** A running receiver. */
export interface SmtpReceiver {
  port: number;
  /** The certificate the server presents (trust it with the transport's `ca`). */
  ca: string;
  mails: ReceivedMail[];
  /** Every login attempt, accepted or not: user and whether the session was encrypted at that point. */
  logins: Array<{ user: string; secure: boolean; accepted: boolean }>;
  close(): Promise<void>;
}

/**
 * Starts an SMTP server on a free loopback port.
 *
 * @example
 * ```ts
 * const receiver = await startSmtpReceiver({ users: { preloop: 'smtp-password' } });
 * ```
 */
export async function startSmtpReceiver(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const tls = options.tls ?? 'starttls';
  const { key, cert } = testCertificate();
  const mails: ReceivedMail[] = [];
  const logins: SmtpReceiver['logins'] = [];
  let recipients = 0;
  const server = new SMTPServer({
    secure: tls === 'implicit',
    key,
    cert,
    logger: false,
    disabledCommands: tls === 'none' ? ['STARTTLS'] : [],
    authOptional: !options.users,
    authMethods: ['PLAIN', 'LOGIN'],
    size: 1024 * 1024,
    // Connections left hanging (a test of the client's abort) are cut when the server closes.
    closeTimeout: 100,
    onAuth(auth, session, callback) {
      const accepted = options.users?.[auth.username ?? ''] === auth.password;
      logins.push({ user: auth.username ?? '', secure: Boolean(session.secure), accepted });
      if (!accepted) return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      const code = options.rejectRecipient?.(address.address, recipients++) ?? null;
      if (code === null) return callback();
      callback(
        Object.assign(new Error(code >= 500 ? `Mailbox ${address.address} unknown` : 'Greylisted, try again later'), {
          responseCode: code,
        }),
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            const code = options.rejectMessage?.(mails.length) ?? null;
            if (code === 'hang') return;
            mails.push({
              accepted: code === null,
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              user: (session.user as string | undefined) ?? null,
              secure: Boolean(session.secure),
              raw,
              parsed,
            });
            callback(
              code === null ? null : Object.assign(new Error(code >= 500 ? 'Message rejected' : 'Try again later'), { responseCode: code }),
            );
          })
          .catch(callback);
      });
    },
  });
  // A client that gives up mid-handshake (an untrusted certificate) is an error event here, not a failure of the test.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, ca: cert, mails, logins, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
