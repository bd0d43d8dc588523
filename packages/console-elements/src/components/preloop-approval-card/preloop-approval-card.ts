import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';

import type { ApprovalDetail, ApprovalListItem, ApprovalViewer } from '../../client/api-types.js';
import { PreloopDecisionRequestedEvent } from '../../events/preloop-events.js';
import { formatCountdown, formatRelative, formatTime, shortId, toneOf } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { styleProperties } from '../../shared/style-properties.js';
import { renderJson } from '../../shared/render-json.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { approvalCardStyles } from './preloop-approval-card.styles.js';

/** A tool name with line-break opportunities after `.` and `_`, so long names wrap between words. */
function breakable(name: string) {
  return name.split(/(?<=[._])/).map((part, index) => (index === 0 ? part : html`<wbr />${part}`));
}

/** Why the signed-in principal may not decide, in words; null when there is nothing to say (not pending). */
function whyNot(viewer: ApprovalViewer, workflow: string): string | null {
  switch (viewer.reason) {
    case 'viewer_role':
      return 'Your role cannot decide approvals: an approver, admin or owner decides this request.';
    case 'read_only_key':
      return 'This API key can only read (no admin:write scope), so it cannot decide.';
    case 'requester':
      return 'You asked for this call. Separation of duties: someone else decides it.';
    case 'key_owner':
      return 'You own the agent or API key that asked for this call. Separation of duties: someone else decides it.';
    case 'already_voted':
      return `You voted to ${viewer.vote ?? 'decide'}; the request waits for the other approvers.`;
    case 'not_an_approver':
      return `You are not an approver of the workflow “${workflow}”.`;
    default:
      return null;
  }
}

const statusLabel: Record<string, string> = {
  pending: 'Pending',
  approved: 'Approved',
  denied: 'Denied',
  expired: 'Expired',
  cancelled: 'Cancelled',
  executed: 'Executed',
  execution_unknown: 'Outcome unknown',
};

/**
 * One approval request, mobile first: the tool and its arguments (pretty-printed,
 * as the server redacted and bounded them, with each hidden or shortened value
 * marked; the card redacts nothing itself), who asks and from which session, the policy's reason, the
 * agent's justification, a live deadline countdown, and approve / deny with a
 * comment, shown only to who may decide (the request's `viewer`, from the
 * server); anyone else reads why not. A question from an agent (`ask_user`) is answered here instead: pick
 * one of its options or, when it allows, write an answer; or decline. A leaf:
 * it takes the request as a property and asks its container to submit
 * decisions (`<preloop-approval-queue>` does).
 *
 * @summary One approval request: the exact call, its context and deadline, and approve or deny.
 * @fires preloop-decision-requested - approve or deny was chosen, with the comment (and the answer, for a question).
 * @csspart card - the card.
 * @csspart arguments - the arguments block.
 * @csspart redaction - a value the server hid (a secret name or a credential-shaped value).
 * @csspart truncation - the marker at the end of a value the server shortened.
 * @csspart arguments-note - the note under arguments with hidden or shortened values.
 * @csspart answer - the answer choices of a question.
 * @csspart comment - the comment field.
 * @csspart approve - the approve (send answer) button.
 * @csspart deny - the deny (decline) button.
 * @csspart countdown - the deadline countdown.
 * @csspart decide-note - why the signed-in principal may not decide (instead of the buttons): their role, separation of duties, a vote already cast, not an approver.
 * @csspart factors - the per-factor progress of a workflow with factors (each group's approvals and quorum).
 *
 * @example
 * ```ts
 * card.approval = await client.approvals.get(id);
 * card.addEventListener('preloop-decision-requested', (e) => client.approvals.decide(e.approvalId, { decision: e.decision, comment: e.comment }));
 * ```
 */
export class PreloopApprovalCard extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, approvalCardStyles];

  /** The approval request to show. */
  @property({ attribute: false }) approval: ApprovalListItem | ApprovalDetail | null = null;

  /** True while a decision is being submitted (buttons disabled). */
  @property({ type: Boolean }) busy = false;

  /** An error to show above the actions (for example the server refusing a decision). */
  @property() error: string | null = null;

  /**
   * Whether the viewer may decide, for servers that do not say it: when the
   * request carries `viewer` (what the server computed for the signed-in
   * principal), that decides, and a refusal is explained instead of buttons.
   * @default false
   */
  @property({ type: Boolean, attribute: 'can-decide' }) canDecide = false;

  /** Denser layout for lists. */
  @property({ type: Boolean, reflect: true }) compact = false;

  /** Show votes and the timeline when the request carries them. */
  @property({ type: Boolean, attribute: 'show-timeline' }) showTimeline = false;

  @state() private now = Date.now();
  @state() private validation: string | null = null;
  /** The option picked for a question; null when none is, or when a free-text answer is written. */
  @state() private chosenOption: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.syncTimer();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopTimer();
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('approval')) {
      this.now = Date.now();
      this.syncTimer();
      if (changed.get('approval')?.id !== this.approval?.id) {
        this.validation = null;
        this.chosenOption = null;
      }
    }
  }

  private syncTimer(): void {
    const live = this.isConnected && this.approval?.status === 'pending';
    if (live && !this.timer) this.timer = setInterval(() => (this.now = Date.now()), 1000);
    if (!live) this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  override render() {
    const approval = this.approval;
    if (!approval) return html`<article class="card" part="card"><div class="body"><span class="skeleton tall"></span></div></article>`;
    const pending = approval.status === 'pending';
    const remaining = approval.expiresAt - this.now;
    const total = Math.max(1, approval.expiresAt - approval.createdAt);
    const fraction = Math.max(0, Math.min(1, remaining / total));
    const urgent = remaining < 60_000;
    const requester = approval.subject;
    const approvals = approval.votes?.approve ?? 0;
    const quorum = approval.workflow?.quorum ?? 1;
    return html`
      <article class="card" part="card" aria-labelledby="title">
        ${pending ? html`<div class="deadline-bar ${urgent ? 'urgent' : ''}" aria-hidden="true"><span ${styleProperties({ width: `${(fraction * 100).toFixed(1)}%` })}></span></div>` : nothing}
        <header>
          <div class="tool-icon" aria-hidden="true">${approval.kind === 'question' ? icons.user : icons.tool}</div>
          <div class="title">
            <h2 id="title" class=${approval.kind === 'question' ? 'plain' : ''}>${approval.kind === 'question' ? 'Question from agent' : breakable(approval.tool.name)}</h2>
            <div class="meta">
              <span>by <strong>${requester?.name ?? requester?.id ?? 'unknown'}</strong>${requester?.type ? html` <span class="muted">(${requester.type.replace('_', ' ')})</span>` : nothing}</span>
              ${approval.runtimeSessionId ? html`<span>session <code title=${approval.runtimeSessionId}>${shortId(approval.runtimeSessionId)}</code></span>` : nothing}
              <span title=${formatTime(approval.createdAt)}>${formatRelative(approval.createdAt, this.now)}</span>
            </div>
          </div>
          ${
            pending
              ? html`<span class="countdown ${remaining <= 0 ? 'over' : urgent ? 'urgent' : ''}" role="timer" part="countdown" title="Deadline ${formatTime(approval.expiresAt)}"
                >${icons.clock}<span class="visually-hidden">Time left: </span>${remaining <= 0 ? 'Expired' : formatCountdown(remaining)}</span
              >`
              : html`<span class="badge ${toneOf(approval.status)}">${statusLabel[approval.status] ?? approval.status}</span>`
          }
        </header>
        <div class="body">
          ${
            approval.reason || (approval.workflow && approval.kind !== 'question')
              ? html`<div class="reason">
                <span class="label">Why approval is needed</span>
                <span>${approval.reason ?? 'Policy requires approval for this call.'}</span>
                <span class="quorum">
                  <span>Workflow <strong>${approval.workflow.name}</strong></span>
                  ${
                    quorum > 1 || approvals > 0
                      ? html`<span class="pips" aria-label="${approvals} of ${quorum} approvals">${Array.from({ length: quorum }, (_, index) => html`<i class=${index < approvals ? 'on' : ''}></i>`)}</span><span>${approvals}/${quorum}</span>`
                      : nothing
                  }
                </span>
                ${approval.workflow.factors ? this.renderFactors(approval) : nothing}
              </div>`
              : nothing
          }
          ${approval.question ? html`<div><div class="section-label">Question</div><p class="question-text">${approval.question.text}</p></div>` : nothing}
          ${approval.justification ? html`<div><div class="section-label">Agent’s justification (unverified)</div><blockquote>${approval.justification}</blockquote></div>` : nothing}
          ${this.renderAiReview(approval)}
          ${
            approval.kind !== 'question'
              ? html`<div>
                <div class="section-label">Arguments</div>
                <pre class="json" part="arguments" tabindex="0" aria-label="Arguments">${renderJson(approval.args ?? {}, approval.argsRedactions ?? [])}</pre>
                ${
                  (approval.argsRedactions?.length ?? 0) > 0
                    ? html`<p class="muted small" part="arguments-note">
                      ${approval.argsRedactions.length} ${approval.argsRedactions.length === 1 ? 'value is' : 'values are'} hidden or shortened by the server. The
                      exact arguments (SHA-256 <code>${approval.argsHash.slice(0, 16)}…</code>) are available to approvers of this request and admins.
                    </p>`
                    : nothing
                }
              </div>`
              : nothing
          }
          ${this.renderOutcome(approval)} ${this.showTimeline ? this.renderTimeline(approval) : nothing} ${pending ? this.renderDecideOrWhyNot(approval, remaining) : nothing}
        </div>
      </article>
    `;
  }

  private renderFactors(approval: ApprovalListItem | ApprovalDetail) {
    const tallies = 'factorTallies' in approval ? (approval.factorTallies ?? null) : null;
    return html`<ul class="factors" part="factors" aria-label="Approvals needed from each group">
      ${approval.workflow.factors!.map((factor) => {
        const counted = tallies?.find((tally) => tally.name === factor.name)?.approvers.length;
        return html`<li><strong>${factor.name}</strong> ${counted === undefined ? `needs ${factor.quorum}` : `${counted}/${factor.quorum}`}</li>`;
      })}
    </ul>`;
  }

  private renderOutcome(approval: ApprovalListItem | ApprovalDetail) {
    if (approval.status === 'pending') return nothing;
    return html`<div class="outcome">
      <span class="badge ${toneOf(approval.status)}">${statusLabel[approval.status] ?? approval.status}</span>
      ${approval.decidedAt ? html`<span class="muted small">${formatTime(approval.decidedAt)}</span>` : nothing}
      ${approval.answer !== null ? html`<span class="answer-given">Answer: <strong>${approval.answer}</strong></span>` : nothing}
      ${approval.comment ? html`<span>“${approval.comment}”</span>` : nothing}
      ${approval.outcomeReason ? html`<span class="muted">${approval.outcomeReason}</span>` : nothing}
    </div>`;
  }

  /** The AI reviewer's latest opinion (the detail's last `ai_review` timeline entry): advice not counted, or the decision it made. */
  private renderAiReview(approval: ApprovalListItem | ApprovalDetail) {
    const entries = 'timeline' in approval ? approval.timeline : [];
    const review = [...entries].reverse().find((entry) => entry.type === 'ai_review');
    if (!review) return nothing;
    const data = review.data as {
      model?: string;
      decision?: string | null;
      confidence?: number | null;
      reasoning?: string | null;
      problem?: string | null;
      counted?: boolean;
    };
    const opinion = data.decision
      ? `${data.decision === 'approve' ? 'Approve' : 'Deny'} · confidence ${Math.round((data.confidence ?? 0) * 100)}%`
      : 'No opinion';
    return html`<div part="ai-review">
      <div class="section-label">AI reviewer${data.model ? ` (${data.model})` : ''}${data.counted ? ' · decided' : ' · advice, not counted'}</div>
      <p><strong>${opinion}</strong>${data.reasoning ? html` — ${data.reasoning}` : nothing}</p>
      ${data.problem ? html`<p class="muted small">${data.problem}</p>` : nothing}
    </div>`;
  }

  private renderTimeline(approval: ApprovalListItem | ApprovalDetail) {
    const entries = 'timeline' in approval ? approval.timeline : [];
    if (entries.length === 0) return nothing;
    return html`<div>
      <div class="section-label">Timeline</div>
      <ol class="timeline">
        ${entries.map(
          (entry) => html`<li>
            <span>${entry.type.replace(/_/g, ' ')}${entry.actorId ? html` · <span class="muted">${shortId(entry.actorId)}</span>` : nothing}</span>
            <time>${formatTime(entry.time)}</time>
          </li>`,
        )}
      </ol>
    </div>`;
  }

  /** The decide form when the viewer may decide; otherwise why not (from the server's `viewer`), before any click. */
  private renderDecideOrWhyNot(approval: ApprovalListItem | ApprovalDetail, remaining: number) {
    const viewer = approval.viewer;
    if (viewer ? viewer.canDecide : this.canDecide) return this.renderDecide(approval, remaining);
    const why = viewer ? whyNot(viewer, approval.workflow?.name ?? '') : null;
    return why ? html`<p class="banner" role="note" part="decide-note">${why}</p>` : nothing;
  }

  private renderDecide(approval: ApprovalListItem | ApprovalDetail, remaining: number) {
    const required = approval.workflow?.requireReason === true;
    const disabled = this.busy || remaining <= 0;
    const question = approval.kind === 'question' ? approval.question : null;
    return html`<form class="decide" @submit=${(event: Event) => event.preventDefault()}>
      ${question ? this.renderAnswer(question, disabled) : nothing}
      <label class="field"
        ><span>${question ? 'Note' : 'Comment'} <span class="hint">${required ? '(required)' : '(optional, kept in the audit trail)'}</span></span>
        <textarea name="comment" rows="2" part="comment" placeholder=${question ? 'Context for the audit trail' : 'Why approve or deny?'} ?required=${required} ?disabled=${disabled}></textarea>
      </label>
      ${this.error || this.validation ? html`<div class="banner error" role="alert">${this.error ?? this.validation}</div>` : nothing}
      <div class="actions">
        <button type="button" class="danger-outline" part="deny" ?disabled=${disabled} @click=${() => this.decide('deny')}>${icons.x} ${question ? 'Decline to answer' : 'Deny'}</button>
        <button type="button" class="primary" part="approve" ?disabled=${disabled} @click=${() => this.decide('approve')}>${icons.check} ${question ? 'Send answer' : 'Approve'}</button>
      </div>
    </form>`;
  }

  /** The answer to a question: its options as a radio group, and a free-text field when the question allows one. */
  private renderAnswer(question: NonNullable<ApprovalListItem['question']>, disabled: boolean) {
    const hasOptions = question.options.length > 0;
    return html`<fieldset class="answer" part="answer">
      <legend class="section-label">Your answer</legend>
      ${
        hasOptions
          ? html`<div class="options">
            ${question.options.map(
              (option) => html`<label class="option">
                <input type="radio" name="answer-option" .value=${option} .checked=${this.chosenOption === option} ?disabled=${disabled} @change=${() => this.chooseOption(option)} />
                <span>${option}</span>
              </label>`,
            )}
          </div>`
          : nothing
      }
      ${
        question.allowFreeText
          ? html`<label class="field free-text"
            ><span>${hasOptions ? 'Or write your own answer' : 'Answer'}</span>
            <textarea name="answer" rows="2" placeholder="The answer the agent will receive" ?disabled=${disabled} @input=${this.onAnswerInput}></textarea>
          </label>`
          : nothing
      }
    </fieldset>`;
  }

  private chooseOption(option: string): void {
    this.chosenOption = option;
    this.validation = null;
    const text = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea[name="answer"]');
    if (text) text.value = '';
  }

  private onAnswerInput(event: Event): void {
    if ((event.target as HTMLTextAreaElement).value.trim() !== '') {
      this.chosenOption = null;
      // Directly too: the option may have been picked since the last render, so the binding alone would not see a change.
      for (const option of this.renderRoot.querySelectorAll<HTMLInputElement>('input[name="answer-option"]')) option.checked = false;
    }
    this.validation = null;
  }

  /** The answer given: the written text when there is some, else the option picked; null when neither. */
  private currentAnswer(): string | null {
    const written = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea[name="answer"]')?.value.trim() ?? '';
    return written !== '' ? written : this.chosenOption;
  }

  private decide(decision: 'approve' | 'deny'): void {
    const approval = this.approval;
    if (!approval) return;
    const field = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea[name="comment"]');
    const comment = field?.value.trim() ?? '';
    if (approval.workflow?.requireReason && !comment) {
      this.validation = 'This workflow requires a comment with the decision.';
      field?.focus();
      return;
    }
    const answer = approval.kind === 'question' && decision === 'approve' ? this.currentAnswer() : null;
    if (approval.kind === 'question' && decision === 'approve' && answer === null) {
      this.validation = approval.question?.options.length
        ? 'Choose an answer (or write one) before sending.'
        : 'Write the answer before sending.';
      this.renderRoot.querySelector<HTMLElement>('input[name="answer-option"], textarea[name="answer"]')?.focus();
      return;
    }
    this.validation = null;
    this.dispatchEvent(new PreloopDecisionRequestedEvent(approval.id, decision, comment, answer));
  }
}
