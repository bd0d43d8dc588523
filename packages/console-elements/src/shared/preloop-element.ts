import { consume } from '@lit/context';
import { html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { LiveEventName, LiveEventPayload } from '../client/live-events.js';
import { PreloopApiError } from '../client/preloop-api-error.js';
import { PreloopClient } from '../client/preloop-client.js';
import { preloopClientContext } from '../context/preloop-context.js';
import { PreloopRequestFailedEvent } from '../events/preloop-events.js';

const clientsByBaseUrl = new Map<string, PreloopClient>();

/**
 * The shared client of a `base-url` attribute: elements naming the same server share one client (and one live stream).
 *
 * @example
 * ```ts
 * const client = clientForBaseUrl('https://preloop.internal');
 * ```
 */
export function clientForBaseUrl(baseUrl: string): PreloopClient {
  let client = clientsByBaseUrl.get(baseUrl);
  if (!client) clientsByBaseUrl.set(baseUrl, (client = new PreloopClient({ baseUrl, credentials: 'include' })));
  return client;
}

type Subscription = { names: LiveEventName[] | '*'; listener: (payload: any, name: string) => void };

/**
 * The base of every Preloop element. It finds its {@link PreloopClient} (the
 * `client` property, else a `base-url` attribute, else the nearest provider
 * through `@lit/context`), calls {@link PreloopElement.clientChanged} when that
 * changes, keeps live-event subscriptions tied to being connected, and reports
 * failed requests as `preloop-request-failed` events.
 */
export class PreloopElement extends LitElement {
  /** The client to use; takes precedence over `base-url` and the context. */
  @property({ attribute: false }) client?: PreloopClient;

  /** The Preloop server's base URL, for an element used alone (cookie authentication). */
  @property({ attribute: 'base-url' }) baseUrl?: string;

  /** `light`, `dark` or `auto` (follow the OS); unset inherits the page's `color-scheme`. */
  @property({ reflect: true }) theme?: 'light' | 'dark' | 'auto';

  /** The client provided by an ancestor through `@lit/context`. */
  @consume({ context: preloopClientContext, subscribe: true })
  @state()
  protected contextClient?: PreloopClient;

  /** True once a request was refused for want of a session or key (401), until the element gets another client. */
  @state() protected signedOut = false;

  /** Whether a 401 puts this element in its signed-out state; false for elements that sign people in. */
  protected showsSignedOut = true;

  private currentClient: PreloopClient | undefined;
  private readonly subscriptions: Subscription[] = [];
  private unsubscribers: Array<() => void> = [];

  /** The client in use: `client`, else one for `base-url`, else the context's. */
  get api(): PreloopClient | undefined {
    return this.client ?? (this.baseUrl !== undefined ? clientForBaseUrl(this.baseUrl) : undefined) ?? this.contextClient;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.attachLive();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.detachLive();
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    const next = this.api;
    if (next !== this.currentClient) {
      this.currentClient = next;
      this.signedOut = false;
      this.detachLive();
      this.attachLive();
      if (next) this.clientChanged(next);
    }
  }

  /** Called when the element gets a client (or another one): containers load their data here. */
  protected clientChanged(_client: PreloopClient): void {}

  /**
   * Listens to live events while the element is connected and has a client; call it from the constructor.
   *
   * @example
   * ```ts
   * constructor() { super(); this.listen(['agent-changed', 'reconnected'], () => this.load()); }
   * ```
   */
  protected listen<K extends LiveEventName>(names: K[] | '*', listener: (payload: LiveEventPayload<K>, name: K) => void): void {
    this.subscriptions.push({ names, listener: listener as Subscription['listener'] });
  }

  /**
   * Runs a request, reporting a failure as a `preloop-request-failed` event; returns the error message or null.
   *
   * @example
   * ```ts
   * this.error = await this.attempt('suspend agent', () => api.agents.suspend(id));
   * ```
   */
  protected async attempt(action: string, run: () => Promise<unknown>): Promise<string | null> {
    try {
      await run();
      return null;
    } catch (error) {
      return this.reportError(action, error);
    }
  }

  /**
   * Reports a failure as a `preloop-request-failed` event and returns its
   * message. A 401 puts the element in its signed-out state instead of showing
   * the API's message (see {@link PreloopElement.renderSignedOut}).
   */
  protected reportError(action: string, error: unknown): string {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.dispatchEvent(new PreloopRequestFailedEvent(failure, action));
    if (this.showsSignedOut && failure instanceof PreloopApiError && failure.status === 401) {
      this.signedOut = true;
      return 'You are signed out.';
    }
    return failure.message;
  }

  /**
   * The one signed-out state every container shows when the server refused it
   * for want of a session (no cookie, an expired one, no key): containers
   * render it instead of their empty state and the raw error.
   */
  protected renderSignedOut(): TemplateResult {
    return html`<div class="card" part="signed-out" role="status">
      <div class="empty"><strong>You are signed out</strong><span>Sign in to Preloop to see this. Your portal's sign-in, or the Preloop console, starts a session.</span></div>
    </div>`;
  }

  private attachLive(): void {
    const client = this.currentClient;
    if (!client || !this.isConnected || this.unsubscribers.length > 0) return;
    this.unsubscribers = this.subscriptions.map(({ names, listener }) => client.live.on(names as LiveEventName[], listener));
  }

  private detachLive(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
  }
}
