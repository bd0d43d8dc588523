import { redactArguments, type ApprovalNotification, type ApprovalRequestView } from '@preloop/core';
import type { ResolvedEmailOptions } from './email-options.js';

/** One email, ready for the transport. */
export interface EmailMessage {
  /** One line, control characters removed, at most 200 characters before the prefix. */
  subject: string;
  /** The plain-text part. */
  text: string;
  /** The HTML part: everything from the request escaped, inline styles, no images or remote content. */
  html: string;
  /** `<notification id@from domain>`: the same on every retry of the delivery, so a duplicate is recognizable. */
  messageId: string;
  /** Further headers: `References`, `Auto-Submitted`, `X-Auto-Response-Suppress`, `X-Preloop-*` and `List-Unsubscribe` when set. */
  headers: Record<string, string>;
}

/** What a message needs of the plugin's options. */
export type EmailMessageOptions = Pick<ResolvedEmailOptions, 'fromDomain' | 'subjectPrefix' | 'timeZone' | 'listUnsubscribe'>;

/** Arguments longer than this (UTF-8 bytes of their JSON) are cut in the message; the console shows the rest. */
const maxArgumentBytes = 8192;

const subjectTypes: Record<string, string> = { user: 'user', api_key: 'API key', agent: 'agent', runtime_session: 'agent session' };

const outcomes: Record<ApprovalRequestView['status'], string> = {
  pending: 'Pending',
  approved: 'Approved',
  denied: 'Denied',
  expired: 'Expired',
  cancelled: 'Cancelled',
  executed: 'Approved and run',
  execution_unknown: 'Approved, outcome unknown',
};

/** How a resolved notice says what happened. */
const closings: Record<ApprovalRequestView['status'], string> = {
  pending: 'is still pending',
  approved: 'was approved',
  denied: 'was denied',
  expired: 'expired before anyone decided',
  cancelled: 'was cancelled',
  executed: 'was approved and has run',
  execution_unknown: 'was approved; whether it ran is unknown',
};

/**
 * Escapes text for HTML content and attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<b>"x"</b>'); // '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);
}

/** One line of at most `max` characters: control and bidi-override characters removed, whitespace collapsed. */
function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const line = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function formatTime(epochMs: number, timeZone: string): string {
  return (
    new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(epochMs) +
    ` (${timeZone})`
  );
}

/** The message's facts, as label and plain-text value pairs, in display order. */
function facts(notification: ApprovalNotification, options: EmailMessageOptions): Array<[string, string]> {
  const { request } = notification;
  const rows: Array<[string, string]> = [];
  rows.push(['Tool', request.tool.name]);
  rows.push(['Asked by', `${request.subject.name} (${subjectTypes[request.subject.type] ?? request.subject.type})`]);
  if (request.reason) rows.push(['Why (policy)', request.reason]);
  if (request.justification) rows.push(['Agent’s justification (unverified)', request.justification]);
  if (request.question) {
    rows.push(['Question', request.question.text]);
    if (request.question.options.length) rows.push(['Options', request.question.options.join(' | ')]);
  }
  const quorum = request.workflow.quorum;
  rows.push(['Workflow', `${request.workflow.name}: ${quorum} approval${quorum === 1 ? '' : 's'} needed, ${request.votes.approve} so far`]);
  if (notification.type === 'approval.resolved') {
    rows.push(['Outcome', outcomes[request.status] ?? request.status]);
    if (request.comment) rows.push(['Comment', request.comment]);
    if (request.answer) rows.push(['Answer', request.answer]);
    if (request.outcomeReason) rows.push(['Why it ended', request.outcomeReason]);
  } else {
    rows.push(['Deadline', formatTime(request.expiresAt, options.timeZone)]);
  }
  rows.push(['Request', request.id]);
  return rows;
}

/** The arguments as shown: the view's redacted arguments, redacted again and cut to fit an email. */
function shownArguments(request: ApprovalRequestView): { json: string; redacted: number } {
  const again = redactArguments(request.args, { maxStringBytes: 1024, maxTotalBytes: maxArgumentBytes });
  const paths = new Set([...request.argsRedactions, ...again.redactions].map((entry) => JSON.stringify(entry.path)));
  return { json: JSON.stringify(again.args, null, 2), redacted: paths.size };
}

function headline(notification: ApprovalNotification): string {
  const { request } = notification;
  const who = oneLine(request.subject.name, 80);
  if (notification.type === 'approval.resolved')
    return `The request to run ${oneLine(request.tool.name, 80)} ${closings[request.status] ?? `is ${request.status}`}.`;
  const escalated = notification.type === 'approval.escalated' ? 'Escalated to you: ' : '';
  if (request.kind === 'question') return `${escalated}${who} asks you a question.`;
  return `${escalated}${who} asks for your approval to run ${oneLine(request.tool.name, 80)}.`;
}

function subjectLine(notification: ApprovalNotification, options: EmailMessageOptions): string {
  const { request } = notification;
  const tool = oneLine(request.tool.name, 80);
  const who = oneLine(request.subject.name, 60);
  let subject: string;
  if (notification.type === 'approval.resolved') subject = `${outcomes[request.status] ?? request.status}: ${tool} (${request.id})`;
  else if (request.kind === 'question') subject = `Question from ${who}`;
  else subject = `Approval needed: ${tool} for ${who}`;
  if (notification.type === 'approval.escalated') subject = `Escalated: ${subject}`;
  return oneLine(`${options.subjectPrefix} ${oneLine(subject, 200)}`, 270);
}

function linkList(notification: ApprovalNotification): Array<{ label: string; url: string; tone: 'approve' | 'deny' | 'view' }> {
  const { links, request } = notification;
  const question = request.kind === 'question';
  const list: Array<{ label: string; url: string; tone: 'approve' | 'deny' | 'view' }> = [];
  if (links.approve) list.push({ label: question ? 'Answer' : 'Approve…', url: links.approve, tone: 'approve' });
  if (links.deny) list.push({ label: question ? 'Decline…' : 'Deny…', url: links.deny, tone: 'deny' });
  if (links.view) list.push({ label: links.approve ? 'Open the request' : 'Open in the console', url: links.view, tone: 'view' });
  return list;
}

const linkNote =
  'Each link opens a confirmation page: nothing is decided until you press a button there. The links are yours alone, work once, and expire; do not forward this email.';

/**
 * Builds the email for one notification: subject, plain-text and HTML parts
 * (tool, who asks, the reason, the agent's justification marked unverified,
 * the deadline, the arguments redacted and cut to 8 KB, and the recipient's
 * personal decision links) and headers. It depends only on the notification,
 * so a retry sends the same message with the same Message-ID.
 *
 * @example
 * ```ts
 * const message = toEmailMessage(notification, { fromDomain: 'example.com', subjectPrefix: '[Preloop]', timeZone: 'UTC', listUnsubscribe: null });
 * message.subject; // '[Preloop] Approval needed: deploy for builder'
 * ```
 */
export function toEmailMessage(notification: ApprovalNotification, options: EmailMessageOptions): EmailMessage {
  const { request } = notification;
  const rows = facts(notification, options);
  const args = notification.type === 'approval.resolved' ? null : shownArguments(request);
  const links = linkList(notification);
  const greeting = notification.recipient ? `Hello ${oneLine(notification.recipient.name, 80)},` : 'Hello,';
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;

  const textLines = [greeting, '', headline(notification), ''];
  for (const [label, value] of rows) textLines.push(`${`${label}:`.padEnd(width)}${value.replace(/\r?\n/g, `\n${' '.repeat(width)}`)}`);
  if (args) {
    textLines.push(
      '',
      `Arguments${args.redacted ? ` (${args.redacted} value${args.redacted === 1 ? '' : 's'} redacted or cut; the exact arguments are in the console)` : ''}:`,
      args.json,
    );
  }
  if (links.length) {
    textLines.push('');
    for (const link of links) textLines.push(`${link.label.replace('…', '')}: ${link.url}`);
    if (links.some((link) => link.tone !== 'view')) textLines.push('', linkNote);
  } else if (notification.type !== 'approval.resolved') {
    textLines.push('', 'Decide in the Preloop console.');
  }
  textLines.push('', '-- ', `Sent by Preloop for request ${request.id}.`);

  const cell = 'padding:4px 12px 4px 0;vertical-align:top';
  const button = (tone: string) =>
    `display:inline-block;padding:10px 18px;margin:0 8px 8px 0;border-radius:6px;text-decoration:none;font-weight:600;${
      tone === 'approve'
        ? 'background:#1a7f37;color:#ffffff'
        : tone === 'deny'
          ? 'background:#cf222e;color:#ffffff'
          : 'background:#f2f4f7;color:#1b1f24;border:1px solid #8c959f'
    }`;
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subjectLine(notification, options))}</title></head>
<body style="margin:0;padding:24px;font:15px/1.5 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#1b1f24;background:#ffffff">
<div style="max-width:640px">
<p>${escapeHtml(greeting)}</p>
<p style="font-size:17px;font-weight:600">${escapeHtml(headline(notification))}</p>
<table role="presentation" style="border-collapse:collapse">${rows
    .map(
      ([label, value]) =>
        `<tr><th scope="row" style="${cell};text-align:left;white-space:nowrap">${escapeHtml(label)}</th><td style="${cell};white-space:pre-wrap;word-break:break-word">${escapeHtml(value)}</td></tr>`,
    )
    .join('')}</table>
${
  args
    ? `<p style="margin-bottom:4px"><strong>Arguments</strong>${args.redacted ? ` (${args.redacted} value${args.redacted === 1 ? '' : 's'} redacted or cut; the exact arguments are in the console)` : ''}</p>
<pre style="background:#f2f4f7;padding:12px;border-radius:6px;white-space:pre-wrap;word-break:break-word;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace">${escapeHtml(args.json)}</pre>`
    : ''
}
${links.length ? `<p>${links.map((link) => `<a href="${escapeHtml(link.url)}" style="${button(link.tone)}">${escapeHtml(link.label)}</a>`).join('')}</p>` : notification.type !== 'approval.resolved' ? '<p>Decide in the Preloop console.</p>' : ''}
${links.some((link) => link.tone !== 'view') ? `<p style="color:#57606a;font-size:13px">${escapeHtml(linkNote)}</p>` : ''}
<p style="color:#57606a;font-size:12px">Sent by Preloop for request ${escapeHtml(request.id)}.</p>
</div></body></html>
`;

  const thread = `<${request.id}@${options.fromDomain}>`;
  const headers: Record<string, string> = {
    References: thread,
    'In-Reply-To': thread,
    'Auto-Submitted': 'auto-generated',
    'X-Auto-Response-Suppress': 'All',
    'X-Preloop-Event': notification.type,
    'X-Preloop-Request': request.id,
  };
  if (options.listUnsubscribe) headers['List-Unsubscribe'] = `<${options.listUnsubscribe}>`;
  return {
    subject: subjectLine(notification, options),
    text: `${textLines.join('\n')}\n`,
    html,
    messageId: `<${notification.id}@${options.fromDomain}>`,
    headers,
  };
}
