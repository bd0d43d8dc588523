import { initialState, TaskStatus } from '@lit/task';
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { GatewayEvent, RuntimeSession, SessionActivity } from '../../client/api-types.js';
import { PreloopRouteRequestedEvent, PreloopSessionEndedEvent } from '../../events/preloop-events.js';
import { formatRelative, formatTime, shortId, toneOf } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { redactForDisplay } from '../../shared/redact.js';
import { renderJson } from '../../shared/render-json.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { sessionsStyles } from './preloop-sessions.styles.js';

/** Which sessions `<preloop-sessions>` lists: running ones, ended ones, or all. */
export type SessionFilter = 'active' | 'ended' | 'all';

/**
 * Runtime sessions (one agent run each): a live list, and for the selected
 * session its details, its activity timeline (tool calls, model calls,
 * approvals), the model calls the gateway captured, and an end-session action
 * that revokes its credential at once.
 *
 * @summary Runtime sessions: the list, and one session's activity and model calls.
 * @fires preloop-session-ended - a session was ended here.
 * @fires preloop-route-requested - a session was selected (`sessions/<id>`).
 * @csspart list - the sessions table.
 * @csspart detail - the selected session's panel.
 * @csspart timeline - the activity timeline.
 *
 * @example
 * ```html
 * <preloop-sessions base-url="https://preloop.internal" selected="rs_0193…"></preloop-sessions>
 * ```
 */
export class PreloopSessions extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, sessionsStyles];

  /** The id of the session shown in detail. */
  @property({ reflect: true }) selected?: string;

  /** Which sessions to list. @default 'active' */
  @property() filter: SessionFilter = 'active';

  /** Hide the page header. */
  @property({ type: Boolean, attribute: 'no-header' }) noHeader = false;

  private readonly listTask = this.loadTask(
    'load sessions',
    async (api, [filter]) => (await api.sessions.list({ limit: 100, ...(filter === 'all' ? {} : { state: filter }) })).items,
    () => [this.filter] as const,
  );
  /** The selected session and its activity; reruns when `selected` changes and on live events. */
  private readonly detailTask = this.loadTask(
    'load the session',
    async (api, [id], signal) => {
      if (!id) return initialState;
      const [session, activity] = await Promise.all([
        api.route('GET /runtime-sessions/:id', { params: { id }, signal }),
        api.route('GET /runtime-sessions/:id/activity', { params: { id }, query: { limit: 200 }, signal }),
      ]);
      return { session, activity: activity.items };
    },
    () => [this.selected] as const,
  );
  /** The model calls the gateway captured in the selected session; not installed without `@preloop/gateway`. */
  private readonly gatewayTask = this.loadTask(
    'load gateway events',
    async (api, [id], signal) => {
      if (!id) return initialState;
      const page = await api.route('GET /runtime-sessions/:id/gateway-events', { params: { id }, query: { limit: 100 }, signal });
      return { id, items: page.items };
    },
    () => [this.selected] as const,
  );
  @state() private failure: string | null = null;
  @state() private confirmEnd = false;
  @state() private ending = false;
  @state() private openEvent: string | null = null;

  constructor() {
    super();
    this.live.on(['session-started', 'session-ended', 'reconnected'], () => {
      void this.loadList();
      if (this.selected) this.loadDetail();
    });
    this.live.on(['session-activity'], (event) => {
      if (event.sessionId === this.selected) this.loadDetail();
    });
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    if (this.hasUpdated && changed.has('selected')) {
      this.confirmEnd = false;
      this.openEvent = null;
    }
  }

  /** Reloads the list. */
  async loadList(): Promise<void> {
    await this.rerun(this.listTask);
  }

  /** Reloads the selected session's detail (its value stays shown meanwhile). */
  private loadDetail(): void {
    void this.detailTask.run();
    void this.gatewayTask.run();
  }

  /** The selected session: as loaded, else its list row while it loads. */
  private get session(): RuntimeSession | undefined {
    const detail = this.detailTask.value;
    if (detail && detail.session.id === this.selected) return detail.session;
    return this.listTask.value?.find((session) => session.id === this.selected);
  }

  /** The selected session's activity, once loaded (not another session's). */
  private get activity(): SessionActivity[] | null {
    const detail = this.detailTask.value;
    return detail && detail.session.id === this.selected ? detail.activity : null;
  }

  /** The selected session's gateway events, once loaded; none when they failed to load. */
  private get gateway(): GatewayEvent[] | null {
    const value = this.gatewayTask.value;
    if (value && value.id === this.selected) return value.items;
    return this.gatewayTask.status === TaskStatus.ERROR ? [] : null;
  }

  private setFilter(filter: SessionFilter): void {
    this.filter = filter;
  }

  private choose(id: string): void {
    const event = new PreloopRouteRequestedEvent(`sessions/${encodeURIComponent(id)}`);
    this.dispatchEvent(event);
    if (!event.defaultPrevented) this.selected = id;
  }

  private async end(): Promise<void> {
    const api = this.api;
    const session = this.session;
    if (!api || !session) return;
    if (!this.confirmEnd) {
      this.confirmEnd = true;
      return;
    }
    this.ending = true;
    try {
      const ended = await api.sessions.end(session.id, 'ended from the console');
      void this.loadList();
      void this.detailTask.run();
      this.dispatchEvent(new PreloopSessionEndedEvent(ended));
    } catch (error) {
      this.failure = this.reportError('end the session', error);
    } finally {
      this.ending = false;
      this.confirmEnd = false;
    }
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    return html`
      ${
        this.noHeader
          ? nothing
          : html`<div class="page-header">
            <div>
              <h1>Sessions</h1>
              <p>Each agent run, what it did, and the model calls it made.</p>
            </div>
          </div>`
      }
      ${this.failure ? html`<div class="banner error" role="alert">${this.failure}</div>` : nothing}
      <div class="layout">
        <section class="card" part="list">
          <div class="card-header">
            <div class="tabs" role="tablist" aria-label="Filter sessions">
              ${(['active', 'ended', 'all'] as SessionFilter[]).map(
                (filter) =>
                  html`<button role="tab" aria-selected=${this.filter === filter ? 'true' : 'false'} @click=${() => this.setFilter(filter)}>${filter[0]!.toUpperCase()}${filter.slice(1)}</button>`,
              )}
            </div>
          </div>
          ${this.renderLoad(this.listTask, (sessions) => this.renderList(sessions))}
        </section>
        ${this.selected ? this.renderDetail() : nothing}
      </div>
    `;
  }

  private renderList(sessions: RuntimeSession[]) {
    if (sessions.length === 0)
      return html`<div class="empty">${icons.sessions}<strong>No sessions</strong><span>Sessions appear when an agent starts a run.</span></div>`;
    return html`<div class="table-wrap">
      <table>
        <thead><tr><th>Session</th><th>State</th><th>Started</th></tr></thead>
        <tbody>
          ${sessions.map(
            (session) => html`<tr
              data-id=${session.id}
              tabindex="0"
              aria-selected=${session.id === this.selected ? 'true' : 'false'}
              @click=${() => this.choose(session.id)}
              @keydown=${(event: KeyboardEvent) => event.key === 'Enter' && this.choose(session.id)}
            >
              <td><div class="primary-text">${session.name}</div><div class="secondary-text">${session.source} · <code>${shortId(session.id)}</code></div></td>
              <td><span class="badge ${toneOf(session.state)}">${session.state}</span></td>
              <td title=${formatTime(session.startedAt)}>${formatRelative(session.startedAt)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private renderDetail() {
    const session = this.session;
    if (this.activity === null && this.detailTask.status === TaskStatus.ERROR) {
      const error = this.detailTask.error;
      return html`<section class="card card-body" part="detail"><div class="banner error" role="alert">${error instanceof Error ? error.message : String(error)}</div></section>`;
    }
    if (!session) return html`<section class="card card-body" part="detail"><span class="skeleton"></span></section>`;
    return html`<section class="card" part="detail" aria-label="Session ${session.name}">
      <div class="detail-head">
        <div>
          <h2>${session.name}</h2>
          <div class="muted small"><code>${session.id}</code></div>
        </div>
        <span class="spacer"></span>
        <span class="badge ${toneOf(session.state)}">${session.state}</span>
        ${
          session.state === 'active'
            ? html`<button class=${this.confirmEnd ? 'danger small' : 'danger-outline small'} ?disabled=${this.ending} @click=${this.end} part="end">${this.confirmEnd ? 'Confirm: end now' : 'End session'}</button>`
            : nothing
        }
      </div>
      <dl class="meta-grid">
        <div><dt>Source</dt><dd>${session.source}</dd></div>
        <div><dt>Agent</dt><dd>${session.agentId ? html`<code>${shortId(session.agentId)}</code>` : '—'}</dd></div>
        <div><dt>API key</dt><dd>${session.apiKeyId ? html`<code>${shortId(session.apiKeyId)}</code>` : '—'}</dd></div>
        <div><dt>Started</dt><dd>${formatTime(session.startedAt)}</dd></div>
        <div><dt>Last heartbeat</dt><dd>${formatRelative(session.lastHeartbeatAt)}</dd></div>
        <div><dt>${session.state === 'ended' ? 'Ended' : 'Audience'}</dt><dd>${session.state === 'ended' ? `${formatTime(session.endedAt)} (${session.endReason ?? 'ended'})` : session.audience.join(', ')}</dd></div>
        ${session.externalId ? html`<div><dt>External id</dt><dd>${session.externalId}</dd></div>` : nothing}
      </dl>
      <div class="section">
        <h3>Activity</h3>
        ${this.renderTimeline()}
      </div>
      <div class="section">
        <h3>Gateway interactions</h3>
        ${this.renderGateway()}
      </div>
    </section>`;
  }

  private renderTimeline() {
    const activity = this.activity;
    if (!activity) return html`<span class="skeleton"></span>`;
    if (activity.length === 0) return html`<p class="muted">Nothing recorded yet.</p>`;
    return html`<ol class="timeline" part="timeline">
      ${activity.map((entry) => {
        const tone = toneOf(entry.status);
        const icon = entry.kind === 'model_call' ? icons.models : entry.kind === 'approval' ? icons.approvals : icons.tool;
        return html`<li data-kind=${entry.kind}>
          <span class="node ${tone === 'neutral' ? '' : tone}">${icon}</span>
          <div class="entry">
            <div class="summary">${entry.summary}</div>
            <div class="kind">${entry.kind.replace(/_/g, ' ')} · <span class="badge plain ${tone}">${entry.status}</span></div>
          </div>
          <time title=${formatTime(entry.time)}>${formatTime(entry.time)}</time>
        </li>`;
      })}
    </ol>`;
  }

  private renderGateway() {
    if (this.isNotInstalled(this.gatewayTask))
      return html`<p class="muted">The model gateway is not installed on this server, so no model calls are captured.</p>`;
    const events = this.gateway;
    if (!events) return html`<span class="skeleton"></span>`;
    if (events.length === 0) return html`<p class="muted">No model calls in this session.</p>`;
    return html`<div class="table-wrap gateway">
      <table>
        <thead><tr><th>Time</th><th>Model</th><th>Status</th><th>Call</th></tr></thead>
        <tbody>
          ${events.map(
            (event) => html`<tr
                data-id=${event.id}
                tabindex="0"
                aria-expanded=${this.openEvent === event.id ? 'true' : 'false'}
                @click=${() => (this.openEvent = this.openEvent === event.id ? null : event.id)}
                @keydown=${(keyboard: KeyboardEvent) => keyboard.key === 'Enter' && ((this.openEvent = this.openEvent === event.id ? null : event.id))}
              >
                <td>${formatTime(event.time)}</td>
                <td><code>${event.alias}</code></td>
                <td><span class="badge ${toneOf(event.status)}">${event.status}</span></td>
                <td class="muted">${event.summary}</td>
              </tr>
              ${
                this.openEvent === event.id
                  ? html`<tr>
                    <td colspan="4">
                      ${
                        event.requestBody === null && event.responseBody === null
                          ? html`<span class="muted">Bodies are not captured on this server.</span>`
                          : html`<pre class="json">${renderJson(redactForDisplay({ request: event.requestBody, response: event.responseBody }))}</pre>`
                      }
                    </td>
                  </tr>`
                  : nothing
              }`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}
