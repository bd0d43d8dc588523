/**
 * `@preloop/plugin-email`: approval notifications by email (nodemailer over
 * SMTP with STARTTLS or implicit TLS and AUTH, or a local `sendmail`), with a
 * plain-text and an HTML part and each approver's personal single-use
 * decision links.
 *
 * @packageDocumentation
 */
export { email, createEmailNotifier } from './email-plugin.js';
export type { EmailNotifierContext } from './email-plugin.js';
export { resolveEmailOptions, smtpTransportFromUrl } from './email-options.js';
export type {
  EmailOptions,
  EmailPassword,
  ResolvedEmailOptions,
  SendmailTransportOptions,
  SmtpTls,
  SmtpTransportOptions,
} from './email-options.js';
export { toEmailMessage, escapeHtml } from './email-message.js';
export type { EmailMessage, EmailMessageOptions } from './email-message.js';
export { EmailDeliveryError, toEmailDeliveryError } from './delivery-error.js';
