import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { LiveEventName, LiveEventPayload, LiveStatus } from '../client/live-events.js';
import type { PreloopClient } from '../client/preloop-client.js';

type Subscription = { names: LiveEventName[] | '*'; listener: (payload: any, name: string) => void };

const statusText: Record<LiveStatus, string> = {
  idle: 'Connecting…',
  connecting: 'Connecting…',
  reconnecting: 'Connecting…',
  open: 'Live',
  unauthorized: 'Signed out',
  closed: 'Connecting…',
};

/**
 * The one live connection of an element: a Lit reactive controller that keeps
 * the element's live-event subscriptions on its client's shared stream while
 * the element is connected (and moves them when the client changes), and
 * tracks the stream's status, re-rendering the element when it changes.
 * Every {@link PreloopElement} has one as `live`; other Lit elements may add their own.
 *
 * @example
 * ```ts
 * class MyPanel extends LitElement {
 *   client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 *   live = new LiveController(this, () => this.client);
 *   constructor() { super(); this.live.on(['approval-created'], () => this.requestUpdate()); }
 *   render() { return this.live.renderStatus(); }
 * }
 * ```
 */
export class LiveController implements ReactiveController {
  private readonly subscriptions: Subscription[] = [];
  private unsubscribers: Array<() => void> = [];
  private attached: PreloopClient | undefined;
  private currentStatus: LiveStatus = 'idle';
  private connected = false;

  /**
   * @param host The element.
   * @param client The element's current client (read when it connects and before each update).
   */
  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: () => PreloopClient | undefined,
  ) {
    host.addController(this);
  }

  /** The status of the stream the element listens on (`idle` without a client). */
  get status(): LiveStatus {
    return this.currentStatus;
  }

  /**
   * Listens to live events while the element is connected and has a client; call it from the constructor.
   *
   * @example
   * ```ts
   * constructor() { super(); this.live.on(['agent-changed', 'reconnected'], () => void this.agentsTask.run()); }
   * ```
   */
  on<K extends LiveEventName>(names: K[] | '*', listener: (payload: LiveEventPayload<K>, name: K) => void): void {
    const subscription: Subscription = { names, listener: listener as Subscription['listener'] };
    this.subscriptions.push(subscription);
    if (this.attached) this.unsubscribers.push(this.attached.live.on(names as LiveEventName[], subscription.listener));
  }

  /**
   * The live pill: a status dot and `Live`, `Connecting…` or `Signed out`, with `role="status"`
   * (styled by `livePillStyles`).
   */
  renderStatus(): TemplateResult {
    const status = this.currentStatus;
    const tone = status === 'open' ? '' : status === 'unauthorized' ? 'danger' : 'warning';
    return html`<span class="live" role="status" title="Live updates: ${status}"><span class="dot ${tone}"></span>${statusText[status]}</span>`;
  }

  /** @internal */
  hostConnected(): void {
    this.connected = true;
    this.attach(this.client());
  }

  /** @internal */
  hostDisconnected(): void {
    this.connected = false;
    this.detach();
  }

  /** @internal */
  hostUpdate(): void {
    const client = this.client();
    if (client !== this.attached) this.attach(client);
  }

  private attach(client: PreloopClient | undefined): void {
    this.detach();
    if (!client || !this.connected) return;
    this.attached = client;
    this.currentStatus = client.live.status;
    this.unsubscribers = [
      client.live.onStatus((status) => {
        this.currentStatus = status;
        this.host.requestUpdate();
      }),
      ...this.subscriptions.map(({ names, listener }) => client.live.on(names as LiveEventName[], listener)),
    ];
  }

  private detach(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    this.attached = undefined;
    this.currentStatus = 'idle';
  }
}
