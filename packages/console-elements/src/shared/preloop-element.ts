import { consume } from '@lit/context';
import { initialState, Task, TaskStatus } from '@lit/task';
import { html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { isRouteMissing, PreloopApiError } from '../client/preloop-api-error.js';
import { PreloopClient } from '../client/preloop-client.js';
import { preloopClientContext } from '../context/preloop-context.js';
import { PreloopRequestFailedEvent } from '../events/preloop-events.js';
import { LiveController } from './live-controller.js';

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

/** What {@link PreloopElement.renderLoad} shows besides the loaded value. */
export interface RenderLoadOptions {
  /** Shown until the first value arrives. @default a skeleton line */
  pending?: () => unknown;
  /** Shown when the server does not have the route (the plugin is not installed). @default the error banner */
  notInstalled?: () => unknown;
}

/**
 * The base of every Preloop element. It finds its {@link PreloopClient} (the
 * `client` property, else a `base-url` attribute, else the nearest provider
 * through `@lit/context`), calls {@link PreloopElement.clientChanged} when that
 * changes, loads its data with `@lit/task` tasks ({@link PreloopElement.loadTask}),
 * listens to live events through one {@link LiveController} (`live`), and reports
 * failed requests as `preloop-request-failed` events. Every element takes the
 * theme's custom properties below (unset, each follows the `color-scheme`).
 *
 * @fires preloop-request-failed - a request of the element failed (it shows the failure too), with the error and what it was doing.
 * @csspart signed-out - the signed-out state a container shows after a 401.
 * @cssproperty --preloop-font-family - the text font.
 * @cssproperty --preloop-font-family-mono - the code font.
 * @cssproperty --preloop-font-size - the base font size. @default 14px
 * @cssproperty --preloop-color-background - the page background (an element with `theme` paints it).
 * @cssproperty --preloop-color-surface - cards and panels.
 * @cssproperty --preloop-color-surface-muted - muted surfaces (table headers, code).
 * @cssproperty --preloop-color-border - borders.
 * @cssproperty --preloop-color-border-strong - strong borders (inputs).
 * @cssproperty --preloop-color-text - text.
 * @cssproperty --preloop-color-text-muted - secondary text.
 * @cssproperty --preloop-color-accent - the accent (primary buttons, links, focus).
 * @cssproperty --preloop-color-accent-hover - the accent under the pointer.
 * @cssproperty --preloop-color-on-accent - text on the accent.
 * @cssproperty --preloop-color-accent-soft - soft accent backgrounds.
 * @cssproperty --preloop-color-success - success.
 * @cssproperty --preloop-color-success-soft - soft success backgrounds.
 * @cssproperty --preloop-color-warning - warnings.
 * @cssproperty --preloop-color-warning-soft - soft warning backgrounds.
 * @cssproperty --preloop-color-danger - errors and destructive actions.
 * @cssproperty --preloop-color-danger-soft - soft danger backgrounds.
 * @cssproperty --preloop-radius - corner radius of cards. @default 10px
 * @cssproperty --preloop-radius-small - corner radius of controls. @default 6px
 * @cssproperty --preloop-shadow - the shadow of cards.
 * @cssproperty --preloop-focus-ring - the focus ring (a box-shadow).
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

  /** The element's live-event subscriptions and the stream's status, on its client. */
  protected readonly live: LiveController = new LiveController(this, () => this.api);

  private currentClient: PreloopClient | undefined;

  /** The client in use: `client`, else one for `base-url`, else the context's. */
  get api(): PreloopClient | undefined {
    return this.client ?? (this.baseUrl !== undefined ? clientForBaseUrl(this.baseUrl) : undefined) ?? this.contextClient;
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    const next = this.api;
    if (next !== this.currentClient) {
      this.currentClient = next;
      this.signedOut = false;
      if (next) this.clientChanged(next);
    }
  }

  /** Called when the element gets a client (or another one): containers load their data here. */
  protected clientChanged(_client: PreloopClient): void {}

  /**
   * A `@lit/task` task that loads the element's data with its client. It runs
   * when the element gets a client (or another one) and whenever a value
   * returned by `args` changes; without a client it stays in its initial
   * state. A failure is reported (a `preloop-request-failed` event; a 401 shows
   * the signed-out state) unless the server lacks the route (a plugin that is
   * not installed). While a run is pending the last value stays, so live
   * refreshes do not flash. `load` may answer `initialState` (from `@lit/task`) to leave the
   * task as it is. Render it with {@link PreloopElement.renderLoad}.
   *
   * @example
   * ```ts
   * private readonly agentsTask = this.loadTask('load agents', (api, [state]) => api.agents.list({ state }), () => [this.state] as const);
   * ```
   */
  protected loadTask<T, const A extends readonly unknown[] = readonly []>(
    action: string,
    load: (api: PreloopClient, args: A, signal: AbortSignal) => Promise<T | typeof initialState>,
    args?: () => A,
  ): Task<readonly unknown[], T> {
    return new Task<readonly unknown[], T>(this, {
      args: () => [this.api, ...(args?.() ?? [])],
      task: async ([api, ...rest], { signal }) => {
        if (!api) return initialState;
        try {
          return await load(api as PreloopClient, rest as unknown as A, signal);
        } catch (error) {
          if (!signal.aborted && !isRouteMissing(error)) this.reportError(action, error);
          throw error;
        }
      },
    });
  }

  /**
   * Runs a {@link PreloopElement.loadTask} task again and resolves once its
   * value is current: when a live event starts a newer run meanwhile, it waits for that one too.
   * A failure is already shown and reported, so it does not reject.
   *
   * @example
   * ```ts
   * await api.models.delete(alias);
   * await this.rerun(this.modelsTask);
   * ```
   */
  protected async rerun(task: Task<readonly unknown[], unknown>): Promise<void> {
    await task.run();
    await task.taskComplete.catch(() => {});
  }

  /** Whether a task failed because the server lacks its route (the plugin that serves it is not installed). */
  protected isNotInstalled(task: Task<readonly unknown[], unknown>): boolean {
    return task.status === TaskStatus.ERROR && isRouteMissing(task.error);
  }

  /**
   * Renders a {@link PreloopElement.loadTask} task: its value once there is one
   * (kept while a refresh runs), else a skeleton, the not-installed state, or
   * the load error as a banner.
   *
   * @example
   * ```ts
   * return this.renderLoad(this.agentsTask, (page) => this.renderTable(page.items));
   * ```
   */
  protected renderLoad<T>(task: Task<readonly unknown[], T>, complete: (value: T) => unknown, options: RenderLoadOptions = {}): unknown {
    if (task.value !== undefined) return complete(task.value);
    if (task.status === TaskStatus.ERROR) {
      if (isRouteMissing(task.error) && options.notInstalled) return options.notInstalled();
      return html`<div class="banner error" role="alert">${task.error instanceof Error ? task.error.message : String(task.error)}</div>`;
    }
    return options.pending ? options.pending() : html`<div class="card-body"><span class="skeleton"></span></div>`;
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
}
