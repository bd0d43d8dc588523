import type { ApprovalNotification, ApprovalRequestView } from '@preloop/core';

/** A Block Kit block, as sent to Slack (kept loose: Slack validates it). */
export type SlackBlock = Record<string, unknown>;

/** A Slack message: the notification text (shown in notifications and where blocks cannot be) and its Block Kit blocks. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** The `action_id`s of the buttons the plugin puts on a message. */
export const slackActionIds = { approve: 'preloop.approve', deny: 'preloop.deny', answer: 'preloop.answer', view: 'preloop.view' } as const;

/** What a button's `value` carries: the request, the decision and, for an `ask_user` option, its index. */
export interface SlackActionValue {
  /** The approval request id. */
  r: string;
  /** The decision. */
  d: 'approve' | 'deny';
  /** The index of the chosen option of a question. */
  o?: number;
}

/** How a message is drawn. */
export interface SlackMessageOptions {
  /** Interactive Approve / Deny (and option) buttons, answered on the interactivity endpoint; false draws links only (incoming webhooks). */
  interactive: boolean;
  /** The name of the user who resolved the request, when known (else the user id is shown). */
  decidedByName?: string | null;
}

/** The most option buttons shown for a question; the rest are answered in Preloop. */
export const maxOptionButtons = 20;

const argumentsLimit = 2500;

/**
 * Escapes text for Slack `mrkdwn`: `&`, `<` and `>` become entities, so text
 * from an agent (a justification, an argument) cannot mention `@channel`,
 * forge a link or a user mention.
 *
 * @example
 * ```ts
 * escapeSlackText('<!channel> & co'); // '&lt;!channel&gt; &amp; co'
 * ```
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const outcomeWords: Record<string, string> = {
  approved: 'approved',
  denied: 'denied',
  expired: 'expired',
  cancelled: 'cancelled',
  executed: 'approved and executed',
  execution_unknown: 'approved (execution outcome unknown)',
  pending: 'pending',
};

/** A date Slack shows in each reader's time zone, with an ISO fallback. */
function slackDate(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${new Date(epochMs).toISOString()}>`;
}

/**
 * One line for the outcome of a resolved request: what happened, who decided and when.
 *
 * @example
 * ```ts
 * describeOutcome(request, 'Ann'); // '*Outcome:* approved by Ann, <!date^…>'
 * ```
 */
export function describeOutcome(request: ApprovalRequestView, decidedByName?: string | null): string {
  const word = `*Outcome:* ${outcomeWords[request.status] ?? request.status}`;
  const who = request.decidedBy ? ` by ${escapeSlackText(decidedByName ?? request.decidedBy)}` : '';
  const when = request.decidedAt ?? request.executedAt;
  const reason = request.outcomeReason ? ` (${escapeSlackText(clip(request.outcomeReason, 200))})` : '';
  const answer = request.answer !== null ? `; answer: *${escapeSlackText(clip(request.answer, 500))}*` : '';
  const comment = request.comment ? `; comment: ${escapeSlackText(clip(request.comment, 500))}` : '';
  return `${word}${who}${when ? `, ${slackDate(when)}` : ''}${reason}${answer}${comment}`;
}

function summary(notification: ApprovalNotification): string {
  const { request } = notification;
  const subject = request.subject.name;
  if (notification.type === 'approval.resolved')
    return `${request.tool.name}: ${outcomeWords[request.status] ?? request.status} (asked by ${subject})`;
  if (request.question) return `${subject} asks: ${clip(request.question.text, 200)}`;
  const escalated = notification.type === 'approval.escalated' ? 'Escalated: ' : '';
  return `${escalated}${subject} asks to run ${request.tool.name}`;
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } };
}

function button(text: string, actionId: string, extra: Record<string, unknown>): SlackBlock {
  return { type: 'button', text: { type: 'plain_text', text: clip(text, 75), emoji: false }, action_id: actionId, ...extra };
}

function value(entry: SlackActionValue): string {
  return JSON.stringify(entry);
}

/**
 * Draws an approval notification as a Slack message (Block Kit): the tool,
 * who asks, the reason and the agent's justification, the arguments as
 * redacted, a question's text, then Approve / Deny (or one button per option
 * of a question) and View. A resolved notification draws the outcome (who,
 * when) without buttons, for `chat.update` to put in place of the request.
 * Everything from the request is escaped.
 *
 * @example
 * ```ts
 * const { text, blocks } = toSlackMessage(notification, { interactive: true });
 * await client.chat.postMessage({ channel, text, blocks });
 * ```
 */
export function toSlackMessage(notification: ApprovalNotification, options: SlackMessageOptions): SlackMessage {
  const { request, links } = notification;
  const resolved = notification.type === 'approval.resolved' || request.status !== 'pending';
  const blocks: SlackBlock[] = [];
  const title = request.question ? `Question from ${request.subject.name}` : `Approval: ${request.tool.name}`;
  blocks.push({ type: 'header', text: { type: 'plain_text', text: clip(title, 150), emoji: false } });
  const facts = [
    `*Tool:* \`${escapeSlackText(clip(request.tool.name, 200))}\``,
    `*Asked by:* ${escapeSlackText(clip(request.subject.name, 200))}`,
    `*Workflow:* ${escapeSlackText(request.workflow.name)} (${request.workflow.quorum} approval${request.workflow.quorum === 1 ? '' : 's'})`,
  ];
  blocks.push(section(facts.join('\n')));
  if (request.question) blocks.push(section(`*Question:* ${escapeSlackText(clip(request.question.text, 2500))}`));
  if (
    request.question &&
    request.question.options.length > 0 &&
    (!options.interactive || request.question.options.length > maxOptionButtons)
  ) {
    blocks.push(section(`*Options:* ${request.question.options.map((option) => escapeSlackText(clip(option, 200))).join(' · ')}`));
  }
  if (request.reason) blocks.push(section(`*Why approval:* ${escapeSlackText(clip(request.reason, 1000))}`));
  if (request.justification)
    blocks.push(section(`*Agent's justification (unverified):* ${escapeSlackText(clip(request.justification, 1500))}`));
  if (!request.question) {
    const args = JSON.stringify(request.args, null, 2) ?? '{}';
    blocks.push(
      section(
        `*Arguments${request.argsRedactions.length > 0 ? ' (redacted)' : ''}:*\n\`\`\`${escapeSlackText(clip(args, argumentsLimit))}\`\`\``,
      ),
    );
  }
  if (resolved) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(describeOutcome(request, options.decidedByName), 3000) }] });
  } else if (notification.type === 'approval.escalated') {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Escalated: nobody decided in time. Deadline ${slackDate(request.expiresAt)}.` }],
    });
  } else {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Decide by ${slackDate(request.expiresAt)}. Votes so far: ${request.votes.approve} approve, ${request.votes.deny} deny.`,
        },
      ],
    });
  }
  const elements: SlackBlock[] = [];
  if (!resolved && options.interactive) {
    if (request.question && request.question.options.length > 0) {
      request.question.options.slice(0, maxOptionButtons).forEach((option, index) => {
        elements.push(button(option, `${slackActionIds.answer}.${index}`, { value: value({ r: request.id, d: 'approve', o: index }) }));
      });
      elements.push(button('Decline', slackActionIds.deny, { style: 'danger', value: value({ r: request.id, d: 'deny' }) }));
    } else if (request.question) {
      // A free-text question is answered in Preloop (View); Slack offers only Decline.
      elements.push(button('Decline', slackActionIds.deny, { style: 'danger', value: value({ r: request.id, d: 'deny' }) }));
    } else {
      elements.push(button('Approve', slackActionIds.approve, { style: 'primary', value: value({ r: request.id, d: 'approve' }) }));
      elements.push(button('Deny', slackActionIds.deny, { style: 'danger', value: value({ r: request.id, d: 'deny' }) }));
    }
    if (links.approve || links.deny) {
      // The approver's personal single-use links, for a client that cannot use the buttons.
      const fallback = [
        links.approve ? `<${links.approve}|Approve in the browser>` : null,
        links.deny ? `<${links.deny}|Deny in the browser>` : null,
      ]
        .filter(Boolean)
        .join(' · ');
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fallback }] });
    }
  } else if (!resolved) {
    if (links.approve) elements.push(button('Approve', slackActionIds.approve, { style: 'primary', url: links.approve }));
    if (links.deny) elements.push(button('Deny', slackActionIds.deny, { style: 'danger', url: links.deny }));
  }
  if (links.view)
    elements.push(
      button(request.question?.allowFreeText && !resolved ? 'Answer in Preloop' : 'View', slackActionIds.view, { url: links.view }),
    );
  if (elements.length > 0) blocks.push({ type: 'actions', block_id: 'preloop.decision', elements });
  return { text: clip(summary(notification), 3000), blocks };
}

/**
 * Draws an approval notification as Markdown with plain links, for
 * Mattermost's incoming webhooks (which take `text` in Markdown, not Block Kit).
 *
 * @example
 * ```ts
 * await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: toMarkdownMessage(notification) }) });
 * ```
 */
export function toMarkdownMessage(notification: ApprovalNotification, decidedByName?: string | null): string {
  const { request, links } = notification;
  const plain = (text: string) => text.replace(/([\\`*_[\]<>|#])/g, '\\$1');
  const lines: string[] = [`#### ${plain(summary(notification))}`];
  lines.push(
    `**Tool:** \`${request.tool.name.replace(/`/g, "'")}\` · **Asked by:** ${plain(request.subject.name)} · **Workflow:** ${plain(request.workflow.name)}`,
  );
  if (request.question) lines.push(`**Question:** ${plain(clip(request.question.text, 2500))}`);
  if (request.question && request.question.options.length > 0)
    lines.push(`**Options:** ${request.question.options.map((option) => plain(clip(option, 200))).join(' · ')}`);
  if (request.reason) lines.push(`**Why approval:** ${plain(clip(request.reason, 1000))}`);
  if (request.justification) lines.push(`**Agent's justification (unverified):** ${plain(clip(request.justification, 1500))}`);
  if (!request.question)
    lines.push(
      `**Arguments${request.argsRedactions.length > 0 ? ' (redacted)' : ''}:**\n\`\`\`json\n${clip(JSON.stringify(request.args, null, 2) ?? '{}', argumentsLimit).replace(/```/g, "'''")}\n\`\`\``,
    );
  if (notification.type === 'approval.resolved' || request.status !== 'pending') {
    const when = request.decidedAt ?? request.executedAt;
    lines.push(
      `**Outcome:** ${outcomeWords[request.status] ?? request.status}${request.decidedBy ? ` by ${plain(decidedByName ?? request.decidedBy)}` : ''}${when ? ` at ${new Date(when).toISOString()}` : ''}${request.outcomeReason ? ` (${plain(request.outcomeReason)})` : ''}`,
    );
  } else {
    lines.push(`Decide by ${new Date(request.expiresAt).toISOString()}.`);
  }
  const linkLine = [
    links.approve ? `[Approve](${links.approve})` : null,
    links.deny ? `[Deny](${links.deny})` : null,
    links.view ? `[View](${links.view})` : null,
  ].filter(Boolean);
  if (linkLine.length > 0) lines.push(linkLine.join(' · '));
  return lines.join('\n');
}
