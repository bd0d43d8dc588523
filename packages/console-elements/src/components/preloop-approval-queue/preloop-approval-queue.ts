import { initialState } from '@lit/task';
import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { html as staticHtml } from 'lit/static-html.js';
import type { ApprovalDetail, ApprovalRequest, Me } from '../../client/api-types.js';
import type { PreloopClient } from '../../client/preloop-client.js';
import { staticTag } from '../../define/element-tag.js';
import {
  PreloopApprovalDecidedEvent,
  PreloopRouteRequestedEvent,
  type PreloopDecisionRequestedEvent,
} from '../../events/preloop-events.js';
import { formatRelative, formatTime, toneOf } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { livePillStyles, sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { PreloopApprovalCard } from '../preloop-approval-card/preloop-approval-card.js';
import { PreloopApprovalDeliveries } from '../preloop-approval-deliveries/preloop-approval-deliveries.js';
import { approvalQueueStyles } from './preloop-approval-queue.styles.js';

const deciders = new Set(['owner', 'admin', 'approver']);
const resolvers = new Set(['owner', 'admin']);

/**
 * The approval queue: pending requests as `<preloop-approval-card>`s that
 * update live (new requests appear, decided ones leave, without a reload), and
 * a history view. Deciding on a card submits `POST /approvals/:id/decide`.
 * With `request-id` it shows that one request with its votes and timeline:
 * the page a notification link opens. Approved calls whose outcome is unknown
 * (the instance running them died: `execution_unknown`) are listed above the
 * pending cards, and their page lets an admin record whether the call ran
 * (`POST /approvals/:id/resolve-execution`).
 *
 * @summary Pending approvals as live cards, their history, or one request with its timeline.
 * @fires preloop-approval-decided - a decision was accepted, with the updated request.
 * @fires preloop-route-requested - a history row was opened.
 * @csspart list - the list of pending cards.
 * @csspart history - the history table.
 *
 * @example
 * ```html
 * <preloop-approval-queue base-url="https://preloop.internal"></preloop-approval-queue>
 * <preloop-approval-queue request-id="apr_0193…"></preloop-approval-queue>
 * ```
 */
export class PreloopApprovalQueue extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, livePillStyles, approvalQueueStyles];

  /** Show only this request (with its votes and timeline). */
  @property({ attribute: 'request-id' }) requestId?: string;

  /** `pending` or `history`. @default 'pending' */
  @property() view: 'pending' | 'history' = 'pending';

  /** Hide the page header (when embedding the queue in a small panel). */
  @property({ type: Boolean, attribute: 'no-header' }) noHeader = false;

  /** The pending requests, and approved calls whose outcome is unknown. */
  private readonly pendingTask = this.loadTask(
    'load approvals',
    async (api, [requestId, view]) => {
      if (requestId || view !== 'pending') return initialState;
      const [page, unknown] = await Promise.all([
        api.approvals.list({ status: 'pending', limit: 100 }),
        // A server without execution leases refuses this filter: nothing to show then.
        api.approvals.list({ status: 'execution_unknown', limit: 50 }).catch(() => ({ items: [] as ApprovalRequest[] })),
      ]);
      return { pending: page.items as ApprovalRequest[], unknown: unknown.items as ApprovalRequest[] };
    },
    () => [this.requestId, this.view] as const,
  );
  /** The first page of decided requests (older pages are added by `Load more`). */
  private readonly historyTask = this.loadTask(
    'load approval history',
    async (api, [requestId, view]) => {
      if (requestId || view !== 'history') return initialState;
      const page = await api.approvals.list({ limit: 50 });
      this.olderHistory = [];
      this.olderCursor = undefined;
      return { items: page.items.filter((item) => item.status !== 'pending') as ApprovalRequest[], nextCursor: page.nextCursor };
    },
    () => [this.requestId, this.view] as const,
  );
  /** The one request of `request-id`, with its votes and timeline. */
  private readonly singleTask = this.loadTask(
    'load the approval request',
    async (api, [requestId]) => (requestId ? api.approvals.get(requestId) : initialState),
    () => [this.requestId] as const,
  );
  /** Pages of history loaded after the first, and the cursor after them. */
  @state() private olderHistory: ApprovalRequest[] = [];
  @state() private olderCursor: string | null | undefined = undefined;
  @state() private resolveError: string | null = null;
  @state() private failure: string | null = null;
  @state() private busy = new Set<string>();
  @state() private errors = new Map<string, string>();
  @state() private me: Me | null = null;

  constructor() {
    super();
    this.live.on(['approval-created', 'approval-updated', 'reconnected'], () => void this.load());
    this.addEventListener('preloop-decision-requested', (event) => void this.onDecision(event));
  }

  protected override clientChanged(client: PreloopClient): void {
    client.auth.me().then(
      (me) => (this.me = me),
      () => (this.me = null),
    );
  }

  /** Reloads the current view. */
  async load(): Promise<void> {
    await this.rerun(this.requestId ? this.singleTask : this.view === 'history' ? this.historyTask : this.pendingTask);
  }

  private get pending(): ApprovalRequest[] {
    return this.pendingTask.value?.pending ?? [];
  }

  private get unknown(): ApprovalRequest[] {
    return this.pendingTask.value?.unknown ?? [];
  }

  private get single(): ApprovalDetail | null {
    return this.singleTask.value ?? null;
  }

  private get history(): ApprovalRequest[] {
    return [...(this.historyTask.value?.items ?? []), ...this.olderHistory];
  }

  private get historyCursor(): string | null {
    return this.olderCursor !== undefined ? this.olderCursor : (this.historyTask.value?.nextCursor ?? null);
  }

  private async loadMoreHistory(): Promise<void> {
    const api = this.api;
    if (!api || !this.historyCursor) return;
    const cursor = this.historyCursor;
    const failure = await this.attempt('load approval history', async () => {
      const page = await api.approvals.list({ limit: 50, cursor });
      this.olderHistory = [...this.olderHistory, ...(page.items.filter((item) => item.status !== 'pending') as ApprovalRequest[])];
      this.olderCursor = page.nextCursor;
    });
    if (failure) this.failure = failure;
  }

  private get canResolve(): boolean {
    const role = this.me?.user?.role ?? this.me?.principal.role ?? null;
    return role !== null && resolvers.has(role);
  }

  private async resolveExecution(outcome: 'executed' | 'not_executed'): Promise<void> {
    const api = this.api;
    const item = this.single;
    if (!api || !item) return;
    const note = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea[name="resolution-note"]')?.value.trim() ?? '';
    if (!note) {
      this.resolveError = 'Say what you checked (for example the deploy log), so others can follow the decision.';
      return;
    }
    this.busy = new Set(this.busy).add(item.id);
    try {
      await api.approvals.resolveExecution(item.id, { outcome, note });
      await this.rerun(this.singleTask);
      this.resolveError = null;
    } catch (error) {
      this.resolveError = this.reportError('resolve the execution', error);
    } finally {
      const busy = new Set(this.busy);
      busy.delete(item.id);
      this.busy = busy;
    }
  }

  private get canDecide(): boolean {
    const role = this.me?.user?.role ?? this.me?.principal.role ?? null;
    return this.me === null || (role !== null && deciders.has(role));
  }

  private async onDecision(event: PreloopDecisionRequestedEvent): Promise<void> {
    if (event.defaultPrevented) return;
    event.preventDefault();
    const api = this.api;
    if (!api) return;
    const { approvalId, decision, comment, answer } = event;
    const position = this.pending.findIndex((item) => item.id === approvalId);
    this.busy = new Set(this.busy).add(approvalId);
    const errors = new Map(this.errors);
    errors.delete(approvalId);
    this.errors = errors;
    try {
      const { request: updated } = await api.approvals.decide(approvalId, {
        decision,
        ...(comment ? { comment } : {}),
        ...(answer !== null ? { answer } : {}),
      });
      await this.load();
      this.dispatchEvent(new PreloopApprovalDecidedEvent(updated));
    } catch (error) {
      this.errors = new Map(this.errors).set(approvalId, this.reportError('decide approval', error));
    } finally {
      const busy = new Set(this.busy);
      busy.delete(approvalId);
      this.busy = busy;
    }
    await this.keepFocus(position);
  }

  /**
   * After a decision removed (or re-rendered) the card that had focus, moves
   * focus to the card now in its place, else to the page's heading or empty
   * state, so a keyboard user is not sent back to the top of the page.
   * Never onto a decision button: a second Enter must not decide another request.
   */
  private async keepFocus(position: number): Promise<void> {
    await this.updateComplete;
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    const cards = [...this.renderRoot.querySelectorAll<HTMLElement>('.list > [data-id], .single > [data-id]')];
    const target = cards[Math.min(Math.max(position, 0), cards.length - 1)] ?? this.renderRoot.querySelector<HTMLElement>('h1, .empty');
    if (!target) return;
    if (!target.hasAttribute('tabindex')) target.tabIndex = -1;
    target.focus();
  }

  private setView(view: 'pending' | 'history'): void {
    this.view = view;
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    return html`
      ${
        this.noHeader
          ? nothing
          : html`<div class="page-header">
            <div>
              <h1>${this.requestId ? 'Approval request' : 'Approvals'}</h1>
              <p>${this.requestId ? 'Review the exact call before it runs.' : 'Tool calls waiting for a human decision, live.'}</p>
            </div>
            ${this.live.renderStatus()}
          </div>`
      }
      ${this.failure ? html`<div class="banner error" role="alert">${this.failure}</div>` : nothing} ${this.renderBody()}
    `;
  }

  private renderNotInstalled() {
    return html`<div class="card"><div class="empty">${icons.approvals}<strong>Approvals are not enabled on this server</strong><span>Install the <code>@preloop/approvals</code> plugin to review tool calls here.</span></div></div>`;
  }

  private renderBody() {
    if ([this.pendingTask, this.historyTask, this.singleTask].some((task) => this.isNotInstalled(task))) return this.renderNotInstalled();
    if (this.requestId) {
      return this.renderLoad(this.singleTask, (item) => this.renderSingle(item), {
        pending: () => html`<div class="single card card-body"><span class="skeleton"></span></div>`,
      });
    }
    return html`
      <div class="tabs" role="tablist" aria-label="Approval views">
        <button role="tab" aria-selected=${this.view === 'pending' ? 'true' : 'false'} @click=${() => this.setView('pending')}>
          Pending${this.pending.length ? html`<span class="tab-count">${this.pending.length}</span>` : nothing}
        </button>
        <button role="tab" aria-selected=${this.view === 'history' ? 'true' : 'false'} @click=${() => this.setView('history')}>History</button>
      </div>
      ${
        this.view === 'history'
          ? this.renderLoad(this.historyTask, () => this.renderHistory(), {
              pending: () => html`<div class="card card-body"><span class="skeleton"></span></div>`,
            })
          : this.renderLoad(this.pendingTask, () => this.renderPending(), {
              pending: () => html`<div class="list"><div class="card card-body"><span class="skeleton"></span></div></div>`,
            })
      }
    `;
  }

  private renderPending() {
    if (this.pending.length === 0) {
      return html`${this.renderUnknown()}<div class="card"><div class="empty">${icons.inbox}<strong>Nothing waiting</strong><span>New requests appear here the moment an agent asks.</span></div></div>`;
    }
    const card = staticTag(PreloopApprovalCard, 'preloop-approval-card');
    return html`${this.renderUnknown()}<div class="list" part="list" aria-live="polite">
      ${repeat(
        this.pending,
        (item) => item.id,
        (item) =>
          staticHtml`<${card} data-id=${item.id} .approval=${item} ?busy=${this.busy.has(item.id)} .error=${this.errors.get(item.id) ?? null} ?can-decide=${this.canDecide}></${card}>`,
      )}
    </div>`;
  }

  private renderUnknown() {
    if (this.unknown.length === 0) return nothing;
    return html`<div class="card table-wrap unknown" part="unknown">
      <div class="card-body">
        <strong>Approved calls with an unknown outcome</strong>
        <p class="muted">The server running them stopped before they finished. They will not run again on their own; open one to record whether it ran.</p>
      </div>
      <table>
        <tbody>
          ${this.unknown.map(
            (
              item,
            ) => html`<tr data-id=${item.id} tabindex="0" @click=${() => this.open(item.id)} @keydown=${(event: KeyboardEvent) => event.key === 'Enter' && this.open(item.id)}>
              <td><code>${item.tool.name}</code></td>
              <td>${item.subject?.name ?? item.subject?.id}</td>
              <td title=${formatTime(item.execution?.claimedAt ?? item.createdAt)}>started ${formatRelative(item.execution?.claimedAt ?? item.createdAt)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private renderResolve(item: ApprovalDetail) {
    if (item.status !== 'execution_unknown') return nothing;
    const busy = this.busy.has(item.id);
    return html`<div class="card card-body resolve" part="resolve">
      <strong>Did this call run?</strong>
      <p class="muted">
        It was approved and started, but the server running it stopped before it finished, so Preloop cannot tell whether it took effect. It will not run again on its
        own. Check the target system, then record what you found.
      </p>
      ${
        this.canResolve
          ? html`<label class="field">What did you check?<textarea name="resolution-note" rows="2" maxlength="2000" placeholder="For example: no deploy of 1.4.2 in the CD log"></textarea></label>
            ${this.resolveError ? html`<div class="banner error" role="alert">${this.resolveError}</div>` : nothing}
            <div class="actions">
              <button part="resolve-executed" ?disabled=${busy} @click=${() => void this.resolveExecution('executed')}>It ran</button>
              <button part="resolve-not-executed" class="primary" ?disabled=${busy} @click=${() => void this.resolveExecution('not_executed')}>
                It did not run: let the agent's next identical call run it once
              </button>
            </div>`
          : html`<p class="muted">An owner or admin can record the outcome.</p>`
      }
    </div>`;
  }

  private renderSingle(item: ApprovalDetail) {
    const card = staticTag(PreloopApprovalCard, 'preloop-approval-card');
    return html`<div class="single">
      ${staticHtml`<${card} data-id=${item.id} .approval=${item} show-timeline ?busy=${this.busy.has(item.id)} .error=${this.errors.get(item.id) ?? null} ?can-decide=${this.canDecide}></${card}>`}
      ${this.renderResolve(item)} ${this.renderDeliveries(item)}
    </div>`;
  }

  private renderDeliveries(item: ApprovalDetail) {
    const deliveries = staticTag(PreloopApprovalDeliveries, 'preloop-approval-deliveries');
    return staticHtml`<${deliveries} request-id=${item.id} .client=${this.api}></${deliveries}>`;
  }

  private renderHistory() {
    if (this.history.length === 0)
      return html`<div class="card"><div class="empty">${icons.inbox}<strong>No decisions yet</strong></div></div>`;
    return html`<div class="card table-wrap" part="history">
      <table>
        <thead>
          <tr><th>Tool</th><th>Requested by</th><th>Outcome</th><th>Requested</th><th>Comment or answer</th></tr>
        </thead>
        <tbody>
          ${this.history.map(
            (
              item,
            ) => html`<tr data-id=${item.id} tabindex="0" @click=${() => this.open(item.id)} @keydown=${(event: KeyboardEvent) => event.key === 'Enter' && this.open(item.id)}>
              <td><code>${item.tool.name}</code></td>
              <td>${item.subject?.name ?? item.subject?.id}</td>
              <td><span class="badge ${toneOf(item.status)}">${item.status}</span></td>
              <td title=${formatTime(item.createdAt)}>${formatRelative(item.createdAt)}</td>
              <td class="muted">${item.answer !== null ? `Answer: “${item.answer}”` : (item.comment ?? item.outcomeReason ?? '')}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${this.historyCursor ? html`<div class="more"><button @click=${this.loadMoreHistory}>Load more</button></div>` : nothing}
    </div>`;
  }

  private open(id: string): void {
    const event = new PreloopRouteRequestedEvent(`approvals/${encodeURIComponent(id)}`);
    this.dispatchEvent(event);
    if (!event.defaultPrevented) this.requestId = id;
  }
}
