import { initialState } from '@lit/task';
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { html as staticHtml } from 'lit/static-html.js';
import { defaultDeviceName, deviceClient, PairingError, pairDevice, type PairingStep } from '../../approve-app/pair-device.js';
import { forgetDevice, loadDevice, type StoredDevice } from '../../approve-app/device-key.js';
import type { ApprovalDetail, ApprovalListItem } from '../../client/api-types.js';
import { staticTag } from '../../define/element-tag.js';
import { PreloopApprovalDecidedEvent, type PreloopDecisionRequestedEvent } from '../../events/preloop-events.js';
import { formatCountdown } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { PreloopApprovalCard } from '../preloop-approval-card/preloop-approval-card.js';
import { PreloopLogin } from '../preloop-login/preloop-login.js';
import { approveAppStyles } from './preloop-approve-app.styles.js';

const stepLabels: Record<PairingStep, string> = {
  permission: 'Allow notifications',
  'service-worker': 'Install the app’s service worker',
  subscribe: 'Subscribe to push notifications',
  key: 'Make this device’s key (it never leaves the device)',
  register: 'Register the device with Preloop',
};

/**
 * The approval app for phones (and watches): the pending requests of the
 * signed-in approver, or of this paired device, each opening in full on a
 * `<preloop-approval-card>` (tool, arguments as the server redacted them, who
 * asks and why, the deadline counting down, votes so far, approve or deny with
 * a comment, or the answer to an agent's question). On a screen 200 px wide or
 * less it shows the glance view instead: the tool, one line of context and two
 * big buttons. A paired device signs every request with its own non-extractable
 * key (`Authorization: PreloopDevice <jwt>`); without one, the console session
 * is used and a sign-in form is shown when there is none. With `pair-token`
 * (or `#pair=<token>` under `hash-routing`) it pairs this browser for push
 * notifications. The page `createApproveAppHandler()` serves is this element alone.
 *
 * @summary The installable approval app: pending requests, one in full, a glance view, and pairing this device.
 * @fires preloop-approval-decided - a decision was accepted, with the updated request.
 * @csspart list - the pending requests.
 * @csspart glance - the watch-sized view (shown at 200 px wide or less).
 * @csspart pairing - the pairing steps.
 *
 * @example
 * ```html
 * <preloop-approve-app hash-routing service-worker="sw.js"></preloop-approve-app>
 * ```
 */
export class PreloopApproveApp extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, approveAppStyles];

  /** Open this request in full. */
  @property({ attribute: 'request-id' }) requestId?: string;
  /** A pairing token (from the console's QR code): pair this browser with it. */
  @property({ attribute: 'pair-token' }) pairToken?: string;
  /** Follow the URL hash (`#request=<id>`, `#pair=<token>`), as the app's page does. @default false */
  @property({ type: Boolean, attribute: 'hash-routing' }) hashRouting = false;
  /** The service worker script to register when pairing (its folder is the scope). @default 'sw.js' */
  @property({ attribute: 'service-worker' }) serviceWorker = 'sw.js';

  /** This browser's paired device; undefined until looked up. */
  @state() private device: StoredDevice | null | undefined = undefined;
  @state() private now = Date.now();
  @state() private busy = false;
  @state() private error: string | null = null;
  @state() private notice: string | null = null;
  @state() private pairing: { step: PairingStep; error: string | null; done: boolean } | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  private readonly pendingTask = this.loadTask(
    'load approvals',
    async (api, [ready]) =>
      ready ? ((await api.approvals.list({ status: 'pending', limit: 50 })).items as ApprovalListItem[]) : initialState,
    () => [this.device !== undefined] as const,
  );
  private readonly detailTask = this.loadTask(
    'load the approval request',
    async (api, [id, ready]) => (id && ready ? api.approvals.get(id) : initialState),
    () => [this.requestId, this.device !== undefined] as const,
  );

  constructor() {
    super();
    this.live.on(['approval-created', 'approval-updated', 'reconnected'], () => void this.refresh());
    this.addEventListener('preloop-decision-requested', (event) => void this.onDecision(event));
  }

  private readonly onHashChange = () => this.readHash();
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible' && this.device) void this.refresh();
  };
  private readonly onWorkerMessage = (event: MessageEvent) => {
    if ((event.data as { type?: string } | null)?.type === 'preloop-approval-changed') void this.refresh();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hashRouting) {
      this.readHash();
      addEventListener('hashchange', this.onHashChange);
    }
    navigator.serviceWorker?.addEventListener('message', this.onWorkerMessage);
    // A device may not open the live stream (its credential covers the approval routes only): it refreshes when a push
    // arrives (the worker's message), when the app comes back to the foreground, and every 15 s while it is shown.
    let ticks = 0;
    this.timer = setInterval(() => {
      this.now = Date.now();
      if (this.device && ++ticks % 15 === 0 && document.visibilityState === 'visible') void this.refresh();
    }, 1000);
    document.addEventListener('visibilitychange', this.onVisible);
    loadDevice().then(
      (device) => this.useDevice(device),
      () => this.useDevice(null),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.onHashChange);
    document.removeEventListener('visibilitychange', this.onVisible);
    navigator.serviceWorker?.removeEventListener('message', this.onWorkerMessage);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A paired device signs its own requests, unless the page gave a client. */
  private useDevice(device: StoredDevice | null): void {
    if (device && !this.client) this.client = deviceClient(device);
    this.device = device;
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('pairToken') && this.pairToken && !this.pairing) this.pairing = { step: 'permission', error: null, done: false };
  }

  private readHash(): void {
    const params = new URLSearchParams(location.hash.slice(1));
    this.requestId = params.get('request') ?? undefined;
    this.pairToken = params.get('pair') ?? undefined;
  }

  /** Reloads the list and the open request. */
  async refresh(): Promise<void> {
    await Promise.all([this.rerun(this.pendingTask), this.requestId ? this.rerun(this.detailTask) : null]);
  }

  private open(id: string | undefined): void {
    this.notice = null;
    this.error = null;
    if (this.hashRouting) location.hash = id ? `request=${encodeURIComponent(id)}` : '';
    this.requestId = id;
  }

  private async decide(id: string, decision: 'approve' | 'deny', comment = '', answer: string | null = null): Promise<void> {
    const api = this.api;
    if (!api || this.busy) return;
    this.busy = true;
    this.error = null;
    try {
      const { request } = await api.approvals.decide(id, {
        decision,
        ...(comment ? { comment } : {}),
        ...(answer !== null ? { answer } : {}),
      });
      this.notice =
        request.status === 'pending'
          ? 'Your vote is in; the request waits for the other approvers.'
          : `${request.status === 'approved' ? 'Approved' : 'Denied'}.`;
      this.dispatchEvent(new PreloopApprovalDecidedEvent(request));
      await this.refresh();
    } catch (error) {
      this.error = this.reportError('decide approval', error);
    } finally {
      this.busy = false;
    }
  }

  private async onDecision(event: PreloopDecisionRequestedEvent): Promise<void> {
    if (event.defaultPrevented) return;
    event.preventDefault();
    await this.decide(event.approvalId, event.decision, event.comment, event.answer);
  }

  private async pair(): Promise<void> {
    const api = this.api;
    if (!api) return;
    const name =
      this.renderRoot.querySelector<HTMLInputElement>('input[name="device-name"]')?.value.trim() || defaultDeviceName(navigator.userAgent);
    this.pairing = { step: 'permission', error: null, done: false };
    this.busy = true;
    try {
      const device = await pairDevice({
        client: api,
        pairingToken: this.pairToken,
        name,
        serviceWorkerUrl: this.serviceWorker,
        onStep: (step) => (this.pairing = { step, error: null, done: false }),
      });
      this.pairing = { step: 'register', error: null, done: true };
      // The token is spent: drop it from the address bar so a reload does not try it again.
      if (this.hashRouting) history.replaceState(null, '', `${location.pathname}${location.search}`);
      this.pairToken = undefined;
      this.client = deviceClient(device);
      this.device = device;
    } catch (error) {
      const step = error instanceof PairingError ? error.step : (this.pairing?.step ?? 'register');
      this.pairing = { step, error: error instanceof Error ? error.message : String(error), done: false };
    } finally {
      this.busy = false;
    }
  }

  private async unpair(): Promise<void> {
    await forgetDevice();
    this.client = undefined;
    this.device = null;
  }

  override render() {
    if (this.device === undefined) return html`<div class="card card-body"><span class="skeleton"></span></div>`;
    if (this.signedOut) return this.renderSignedOutState();
    const current = this.requestId ? (this.detailTask.value ?? null) : (this.pendingTask.value?.[0] ?? null);
    return html`<div class="full">
        <header class="bar">
          <strong>${icons.logo} Approvals</strong>
          ${this.device ? html`<span class="muted small" part="device">${this.device.name}</span>` : this.live.renderStatus()}
        </header>
        ${this.pairToken || this.pairing ? this.renderPairing() : nothing}
        ${this.notice ? html`<div class="banner success" role="status">${this.notice}</div>` : nothing}
        ${this.error ? html`<div class="banner error" role="alert">${this.error}</div>` : nothing}
        ${this.requestId ? this.renderDetail() : this.renderList()}
        ${!this.device && !this.pairing ? this.renderOffer() : nothing}
      </div>
      ${this.renderGlance(current)}`;
  }

  private renderSignedOutState() {
    if (this.device) {
      return html`<div class="card card-body" role="alert">
        <strong>This device is no longer paired</strong>
        <p class="muted">Preloop refused its key: it was revoked, or removed. Pair it again from the console (Settings → Devices).</p>
        <button class="primary" @click=${() => void this.unpair()}>Forget this device</button>
      </div>`;
    }
    const login = staticTag(PreloopLogin, 'preloop-login');
    return staticHtml`<${login} .client=${this.api} lead="Sign in to review the requests waiting for you." @preloop-user-logged-in=${() => {
      this.signedOut = false;
      void this.refresh();
    }}></${login}>`;
  }

  private renderList() {
    return this.renderLoad(this.pendingTask, (items) =>
      items.length === 0
        ? html`<div class="card"><div class="empty">${icons.inbox}<strong>Nothing waiting</strong><span>Requests appear here, and as notifications, the moment an agent asks.</span></div></div>`
        : html`<ul class="list" part="list" aria-label="Pending requests">
            ${items.map(
              (item) => html`<li>
                <button class="row" data-id=${item.id} @click=${() => this.open(item.id)}>
                  <span class="tool">${item.kind === 'question' ? 'Question from agent' : item.tool.name}</span>
                  <span class="muted small">${item.subject?.name ?? item.subject?.id ?? 'unknown'} · ${this.left(item)}</span>
                </button>
              </li>`,
            )}
          </ul>`,
    );
  }

  private renderDetail() {
    const card = staticTag(PreloopApprovalCard, 'preloop-approval-card');
    return html`<button class="link back" @click=${() => this.open(undefined)}>← All requests</button>
      ${this.renderLoad(this.detailTask, (item) => staticHtml`<${card} .approval=${item} show-timeline ?busy=${this.busy}></${card}>`)}`;
  }

  private left(item: ApprovalListItem | ApprovalDetail): string {
    const remaining = item.expiresAt - this.now;
    return remaining <= 0 ? 'expired' : `${formatCountdown(remaining)} left`;
  }

  /** The watch-sized view: the tool, one line of context, and two big buttons (or where to answer, when it needs more than a tap). */
  private renderGlance(item: ApprovalListItem | ApprovalDetail | null) {
    if (!item || item.status !== 'pending')
      return html`<div class="glance" part="glance"><p class="line">${this.notice ?? 'Nothing waiting'}</p></div>`;
    const needsMore = item.kind === 'question' || item.workflow?.requireReason === true;
    const mayDecide = item.viewer?.canDecide !== false;
    return html`<div class="glance" part="glance" data-id=${item.id}>
      <strong class="tool">${item.kind === 'question' ? 'Question' : item.tool.name}</strong>
      <p class="line">${item.kind === 'question' ? item.question?.text : `${item.subject?.name ?? 'An agent'} · ${this.left(item)}`}</p>
      ${
        needsMore || !mayDecide
          ? html`<p class="line muted">${needsMore ? 'Answer on your phone.' : 'You cannot decide this one.'}</p>`
          : html`<div class="big">
              <button class="danger" part="glance-deny" aria-label="Deny ${item.tool.name}" ?disabled=${this.busy} @click=${() => void this.decide(item.id, 'deny')}>${icons.x}</button>
              <button class="primary" part="glance-approve" aria-label="Approve ${item.tool.name}" ?disabled=${this.busy} @click=${() => void this.decide(item.id, 'approve')}>${icons.check}</button>
            </div>`
      }
    </div>`;
  }

  private renderOffer() {
    if (!('serviceWorker' in navigator)) return nothing;
    return html`<div class="card card-body offer">
      <strong>Get notified on this device</strong>
      <p class="muted small">Pair it to receive a notification when a request needs you, and approve from the notification.</p>
      <button @click=${() => (this.pairing = { step: 'permission', error: null, done: false })}>Pair this device</button>
    </div>`;
  }

  private renderPairing() {
    const pairing = this.pairing ?? { step: 'permission' as PairingStep, error: null, done: false };
    const steps = Object.keys(stepLabels) as PairingStep[];
    const at = steps.indexOf(pairing.step);
    return html`<section class="card card-body pairing" part="pairing" aria-label="Pair this device">
      <strong>${pairing.done ? 'This device is paired' : 'Pair this device'}</strong>
      <ol>
        ${steps.map(
          (step, index) =>
            html`<li data-step=${step} data-state=${pairing.done || index < at ? 'done' : index === at ? (pairing.error ? 'failed' : 'current') : 'todo'}>${stepLabels[step]}</li>`,
        )}
      </ol>
      ${pairing.error ? html`<div class="banner error" role="alert">${pairing.error}</div>` : nothing}
      ${
        pairing.done
          ? html`<p class="muted small">You will get a notification when a request needs you.</p>`
          : html`<label class="field">Device name <input name="device-name" .value=${defaultDeviceName(navigator.userAgent)} /></label>
            <button class="primary" part="pair" ?disabled=${this.busy} @click=${() => void this.pair()}>${pairing.error ? 'Try again' : 'Allow notifications and pair'}</button>`
      }
    </section>`;
  }
}
