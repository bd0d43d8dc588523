import { css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Device, DevicePairing, Me } from '../../client/api-types.js';
import type { PreloopClient } from '../../client/preloop-client.js';
import { formatCountdown, formatRelative, formatTime } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';

const admins = new Set(['owner', 'admin']);

/**
 * The devices that receive approval notifications (`@preloop/plugin-push`):
 * "Pair a phone" shows a QR code of a single-use pairing link (valid 10
 * minutes, counting down) that the phone's camera opens in the approval app;
 * the list shows each device (name, platform, last seen) with Revoke, which
 * takes effect on every instance. Owners and admins may list and revoke every
 * user's devices. In the console: Settings → Devices.
 *
 * @summary Pair a phone by QR code; list and revoke the devices that get approval notifications.
 * @csspart qr - the pairing QR code.
 * @csspart devices - the device list.
 *
 * @example
 * ```html
 * <preloop-devices base-url="https://preloop.internal"></preloop-devices>
 * ```
 */
export class PreloopDevices extends PreloopElement {
  static override styles = [
    themeStyles,
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .pair {
        display: grid;
        gap: 10px;
        justify-items: start;
      }
      img[part='qr'] {
        width: 220px;
        height: 220px;
        background: #fff;
        border-radius: var(--_radius-small);
      }
      .link-text {
        overflow-wrap: anywhere;
      }
    `,
  ];

  /** Every user's devices (owners and admins). @default false */
  @property({ type: Boolean }) all = false;

  @state() private pairing: (DevicePairing & { qr: string }) | null = null;
  @state() private now = Date.now();
  @state() private failure: string | null = null;
  @state() private paired: string | null = null;
  @state() private me: Me | null = null;
  /** The device whose Revoke was clicked once (the next click revokes it). */
  @state() private confirming: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private knownIds = new Set<string>();

  private readonly devicesTask = this.loadTask(
    'load devices',
    async (api, [all]) => {
      const page = await api.route('GET /devices', { query: all ? { all: 'true' } : {} });
      return page.items.filter((device) => device.revokedAt === null);
    },
    () => [this.all] as const,
  );

  protected override clientChanged(client: PreloopClient): void {
    client.auth.me().then(
      (me) => (this.me = me),
      () => (this.me = null),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Asks for a pairing code and shows it; while it is shown the list refreshes, so the new phone appears (and the code hides). */
  private async pair(): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.paired = null;
    this.knownIds = new Set((this.devicesTask.value ?? []).map((device) => device.id));
    this.failure = await this.attempt('create a pairing code', async () => {
      const pairing = await api.route('POST /devices/pairings');
      // Loaded when a code is first shown (the console's first load stays small).
      const { default: QRCode } = await import('qrcode');
      const svg = await QRCode.toString(pairing.url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      this.pairing = { ...pairing, qr: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` };
    });
    if (!this.pairing) return;
    this.stopTimer();
    let ticks = 0;
    this.timer = setInterval(() => {
      this.now = Date.now();
      if (this.pairing && this.now >= this.pairing.expiresAt) this.stopTimer();
      if (++ticks % 3 === 0) void this.checkPaired();
    }, 1000);
  }

  private async checkPaired(): Promise<void> {
    await this.rerun(this.devicesTask);
    const added = (this.devicesTask.value ?? []).find((device) => !this.knownIds.has(device.id));
    if (added && this.pairing) {
      this.paired = `“${added.name}” is paired.`;
      this.pairing = null;
      this.stopTimer();
    }
  }

  private async revoke(device: Device): Promise<void> {
    const api = this.api;
    if (!api) return;
    // Two clicks: the first asks, the second revokes.
    if (this.confirming !== device.id) {
      this.confirming = device.id;
      return;
    }
    this.confirming = null;
    this.failure = await this.attempt('revoke device', () => api.route('DELETE /devices/:id', { params: { id: device.id } }));
    await this.rerun(this.devicesTask);
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    if (this.isNotInstalled(this.devicesTask))
      return html`<section class="card"><div class="empty">${icons.inbox}<strong>Push notifications are not enabled on this server</strong><span>Install <code>@preloop/plugin-push</code> to pair phones.</span></div></section>`;
    const role = this.me?.user?.role ?? this.me?.principal.role ?? null;
    return html`<section class="card" aria-labelledby="devices-title">
      <div class="card-body stack">
        <h2 id="devices-title">Devices</h2>
        <p class="muted small">Phones and browsers that get a notification when a request needs you, and can approve from it with their own key.</p>
        ${this.failure ? html`<div class="banner error" role="alert">${this.failure}</div>` : nothing}
        ${this.paired ? html`<div class="banner success" role="status">${this.paired}</div>` : nothing}
        ${this.pairing ? this.renderPairing(this.pairing) : html`<div><button class="primary" part="pair" @click=${() => void this.pair()}>${icons.plus} Pair a phone</button></div>`}
        ${
          role && admins.has(role)
            ? html`<label class="check"><input type="checkbox" name="all" .checked=${this.all} @change=${(event: Event) => (this.all = (event.target as HTMLInputElement).checked)} /> Every user’s devices</label>`
            : nothing
        }
      </div>
      ${this.renderLoad(this.devicesTask, (devices) => this.renderList(devices))}
    </section>`;
  }

  private renderPairing(pairing: DevicePairing & { qr: string }) {
    const remaining = pairing.expiresAt - this.now;
    if (remaining <= 0)
      return html`<div class="pair"><p>The pairing code expired.</p><button class="primary" @click=${() => void this.pair()}>New code</button></div>`;
    return html`<div class="pair">
      <p>Scan with the phone’s camera, or open the link on it. The code works once.</p>
      <img part="qr" src=${pairing.qr} alt="QR code of the pairing link" width="220" height="220" />
      <code class="link-text small" data-url>${pairing.url}</code>
      <span class="muted small" role="timer" data-expires>Expires in ${formatCountdown(remaining)}</span>
      <button class="small" @click=${() => {
        this.pairing = null;
        this.stopTimer();
      }}>Cancel</button>
    </div>`;
  }

  private renderList(devices: Device[]) {
    if (devices.length === 0)
      return html`<div class="empty"><strong>No device paired</strong><span>Pair a phone to approve from its notifications.</span></div>`;
    return html`<div class="table-wrap">
      <table part="devices">
        <thead>
          <tr><th>Name</th><th>Platform</th>${this.all ? html`<th>User</th>` : nothing}<th>Last seen</th><th><span class="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody>
          ${devices.map(
            (device) => html`<tr data-id=${device.id}>
              <td>${device.name}</td>
              <td>${device.platform}</td>
              ${this.all ? html`<td><code>${device.userId}</code></td>` : nothing}
              <td title=${formatTime(device.lastSeenAt ?? device.createdAt)}>${device.lastSeenAt ? formatRelative(device.lastSeenAt, this.now) : 'never'}</td>
              <td><button class="small danger-outline" aria-label=${this.confirming === device.id ? `Confirm: revoke ${device.name}` : `Revoke ${device.name}`} @click=${() => void this.revoke(device)}>${this.confirming === device.id ? 'Confirm revoke' : 'Revoke'}</button></td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}
