import { initialState } from '@lit/task';
import { css, html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import type { ApprovalDelivery, ApprovalDeliveryStatus } from '../../client/api-types.js';
import { formatRelative, formatTime } from '../../shared/format.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';

/** Each state's words (the badge's text: never colour alone) and tone. */
const states: Record<ApprovalDeliveryStatus, { label: string; tone: string; meaning: string }> = {
  pending: { label: 'Pending', tone: 'warning', meaning: 'waiting for its next attempt, quiet hours or its recipients' },
  sending: { label: 'Sending', tone: 'accent', meaning: 'an instance is sending it now' },
  sent: { label: 'Sent', tone: 'success', meaning: 'the channel accepted it' },
  failed: { label: 'Failed', tone: 'danger', meaning: 'the channel refused it for good' },
  given_up: { label: 'Given up', tone: 'danger', meaning: 'every attempt failed' },
  skipped: { label: 'Skipped', tone: '', meaning: 'the request was decided before it went out' },
  held: { label: 'Held for digest', tone: 'warning', meaning: 'flood control holds it for the approver’s digest' },
  digested: { label: 'Sent in a digest', tone: 'success', meaning: 'it went out listed in a digest' },
};

const inFlight = new Set<ApprovalDeliveryStatus>(['pending', 'sending', 'held']);

/** How soon to look again while a delivery is under way: at its next attempt, between 1 and 10 seconds from now. */
function nextLook(items: readonly ApprovalDelivery[], now = Date.now()): number | null {
  const open = items.filter((item) => inFlight.has(item.status));
  if (open.length === 0) return null;
  const due = Math.min(...open.map((item) => (item.nextAttemptAt ?? now) - now + 250));
  return Math.min(Math.max(due, 1000), 10_000);
}

/**
 * The notification deliveries of one approval request (`GET /approvals/:id/deliveries`):
 * per notifier and recipient, the state (as words, not colour alone), attempts,
 * the last error as the notifier wrote it, and the next attempt or the time it
 * was sent. It reloads on the request's live events, and while a delivery is
 * under way, at its next attempt (deliveries announce no event of their own).
 * The server decides what the caller may see (viewer role and up).
 *
 * @summary Where an approval request's notifications went, and what became of them.
 * @csspart deliveries - the table of deliveries.
 *
 * @example
 * ```html
 * <preloop-approval-deliveries request-id="apr_0193…"></preloop-approval-deliveries>
 * ```
 */
export class PreloopApprovalDeliveries extends PreloopElement {
  static override styles = [
    themeStyles,
    sharedStyles,
    css`
      :host { display: block; }
      h2 { font-size: 1rem; margin: 0; }
      .error-text { color: var(--preloop-color-danger); overflow-wrap: anywhere; max-width: 32ch; }
    `,
  ];

  /** The approval request whose deliveries to show. */
  @property({ attribute: 'request-id' }) requestId?: string;

  private readonly deliveriesTask = this.loadTask(
    'load notification deliveries',
    async (api, [requestId]) =>
      requestId ? (await api.route('GET /approvals/:id/deliveries', { params: { id: requestId } })).items : initialState,
    () => [this.requestId] as const,
  );
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.live.on(['approval-updated', 'reconnected'], (event, name) => {
      if (name === 'reconnected' || (event as { id?: string }).id === this.requestId) void this.load();
    });
  }

  /** Reloads the deliveries. */
  async load(): Promise<void> {
    await this.rerun(this.deliveriesTask);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  protected override updated(): void {
    clearTimeout(this.timer);
    const wait = this.isConnected ? nextLook(this.deliveriesTask.value ?? []) : null;
    if (wait !== null) this.timer = setTimeout(() => void this.load(), wait);
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    if (this.isNotInstalled(this.deliveriesTask)) return nothing;
    return html`<section class="card" part="deliveries" aria-labelledby="deliveries-title">
      <div class="card-body"><h2 id="deliveries-title">Deliveries</h2></div>
      ${this.renderLoad(this.deliveriesTask, (items) => this.renderItems(items))}
    </section>`;
  }

  private renderItems(items: ApprovalDelivery[]) {
    if (items.length === 0)
      return html`<div class="card-body muted" data-empty>No notifications were sent for this request (no notifier is installed, or none applies).</div>`;
    // Focusable, so a keyboard user can scroll the table sideways on a narrow screen.
    return html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="deliveries-title"><table>
      <thead>
        <tr><th scope="col">Channel</th><th scope="col">Recipient</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">When</th></tr>
      </thead>
      <tbody>
        ${items.map((item) => {
          const state = states[item.status] ?? { label: item.status, tone: '', meaning: '' };
          return html`<tr data-id=${item.id} data-status=${item.status}>
            <td><code>${item.notifier}</code> <span class="muted small">${item.digest ? 'digest' : item.type.replace(/^approval\./, '')}</span></td>
            <td>${item.recipient ? item.recipient.name : html`<span class="muted">${item.status === 'pending' ? 'not resolved yet' : 'the channel'}</span>`}</td>
            <td><span class="badge ${state.tone}" title=${state.meaning} aria-label="${state.label}: ${state.meaning}">${state.label}</span></td>
            <td>${item.attempts}</td>
            <td>${item.lastError ? html`<span class="error-text">${item.lastError}</span>` : html`<span class="muted">none</span>`}</td>
            <td>${this.renderWhen(item)}</td>
          </tr>`;
        })}
      </tbody>
    </table></div>`;
  }

  private renderWhen(item: ApprovalDelivery) {
    if (item.sentAt !== null) return html`<span title=${formatTime(item.sentAt)}>sent ${formatRelative(item.sentAt)}</span>`;
    if (item.nextAttemptAt !== null && inFlight.has(item.status)) {
      return item.nextAttemptAt > Date.now()
        ? html`<span title=${formatTime(item.nextAttemptAt)}>next attempt ${formatTime(item.nextAttemptAt)}</span>`
        : html`<span>due now</span>`;
    }
    return html`<span class="muted" title=${formatTime(item.updatedAt)}>${formatRelative(item.updatedAt)}</span>`;
  }
}
