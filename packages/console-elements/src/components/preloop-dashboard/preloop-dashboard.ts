import { type Task, TaskStatus } from '@lit/task';
import { html, nothing, svg } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ApprovalReadiness, AuditRecord, Health, KillSwitchState, RuntimeSession } from '../../client/api-types.js';
import { isRouteMissing } from '../../client/preloop-api-error.js';
import { collectPages, type PreloopClient } from '../../client/preloop-client.js';
import { PreloopRouteRequestedEvent } from '../../events/preloop-events.js';
import { debounce, formatCount, formatMoney, formatRelative, formatTime, shortId, startOfToday, toneOf } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { livePillStyles, sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { dashboardStyles } from './preloop-dashboard.styles.js';

const hour = 3_600_000;

/** What a dashboard task loads: the number (or list) and what qualifies it. */
interface Measured<T> {
  value: T;
  /** There is more than was counted (the card shows `N+`). */
  more?: boolean;
  /** For spend: the model calls it covers. */
  calls?: number;
}

/** One number of the dashboard as its task stands: its value, or why there is none. */
interface Metric<T> extends Partial<Measured<T>> {
  /** `off`: the feature's package is not installed; `error`: the request failed. */
  state: 'loading' | 'ready' | 'off' | 'error';
}

function metricOf<T>(task: Task<readonly unknown[], Measured<T>>): Metric<T> {
  if (task.value) return { ...task.value, state: 'ready' };
  if (task.status === TaskStatus.ERROR) return { state: isRouteMissing(task.error) ? 'off' : 'error' };
  return { state: 'loading' };
}

/** A one-line, human description of an audit record for the activity feed. */
function describeRecord(record: AuditRecord): { title: unknown; detail: string } {
  const actor = (record.principal?.name as string | undefined) ?? record.actorType;
  if (record.action === 'mcp.tool.call' || record.action === 'mcp.tool.result') {
    const verb =
      record.outcome === 'denied'
        ? 'denied for'
        : record.outcome === 'pending'
          ? 'awaiting approval for'
          : record.action === 'mcp.tool.result'
            ? 'result for'
            : 'called by';
    return { title: html`<code>${record.targetId ?? 'tool'}</code>`, detail: `${verb} ${actor}` };
  }
  if (record.action === 'model.call' || record.action.startsWith('gateway.')) {
    return {
      title: html`<code>${record.targetId ?? 'model'}</code>`,
      detail: `${record.outcome === 'success' ? 'model call' : `model call (${record.outcome})`} by ${actor}`,
    };
  }
  if (record.action === 'auth.login') {
    if (record.outcome === 'success') return { title: html`<strong>${actor}</strong>`, detail: 'signed in' };
    // A failed or refused sign-in has no principal: name the email tried.
    const email = typeof record.data?.email === 'string' ? record.data.email : 'someone';
    return {
      title: html`<strong>${email}</strong>`,
      detail: record.outcome === 'refused' ? 'sign-in refused (throttled)' : 'failed to sign in',
    };
  }
  if (record.action.startsWith('approval.'))
    return { title: html`<strong>Approval ${record.action.slice('approval.'.length)}</strong>`, detail: `by ${actor}` };
  const target = record.targetType ? ` · ${record.targetType} ${shortId(record.targetId)}` : '';
  return { title: html`<code>${record.action}</code>`, detail: `by ${actor}${target}` };
}

/**
 * The live overview: active runtime sessions, tool calls over the last 24 hours
 * (with an hourly sparkline), today's model spend, pending approvals and system
 * status, plus recent activity. Everything refreshes from the live event
 * stream; each card opens its full view. When the approval workflows cannot
 * approve what agents ask (the first run: one admin, whose own agents nobody
 * else may approve under separation of duties), a notice says so, with the way out.
 *
 * @summary The live overview: sessions, tool calls, spend, pending approvals, system status, recent activity.
 * @fires preloop-route-requested - a card or link was chosen (`sessions`, `approvals`, `audit`, `usage`).
 * @csspart stats - the row of cards.
 * @csspart stat - each card.
 * @csspart activity - the recent activity list.
 * @csspart readiness - the notice that some agents' calls cannot be approved, with the way out.
 *
 * @example
 * ```html
 * <preloop-dashboard base-url="https://preloop.internal"></preloop-dashboard>
 * ```
 */
export class PreloopDashboard extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, livePillStyles, dashboardStyles];

  /** The audit action (or `prefix*`) that counts as a tool call. @default 'mcp.tool.call' */
  @property({ attribute: 'tool-call-action' }) toolCallAction = 'mcp.tool.call';

  /** Most tool-call records counted (beyond it the card shows `N+`). @default 1000 */
  @property({ type: Number, attribute: 'max-count' }) maxCount = 1000;

  /** Hide the page header. */
  @property({ type: Boolean, attribute: 'no-header' }) noHeader = false;

  private readonly sessionsTask = this.loadTask('load active sessions', async (api): Promise<Measured<RuntimeSession[]>> => {
    const page = await api.sessions.list({ state: 'active', limit: 200 });
    return { value: page.items, more: page.nextCursor !== null };
  });
  private readonly toolCallsTask = this.loadTask(
    'count tool calls',
    async (api, [action, maxCount]): Promise<Measured<number[]>> => {
      const now = Date.now();
      const from = now - 24 * hour;
      const { items, truncated } = await collectPages((cursor) => api.audit.list({ action, from, cursor, limit: 200 }), maxCount);
      const buckets = new Array<number>(24).fill(0);
      for (const record of items) buckets[Math.min(23, Math.max(0, 23 - Math.floor((now - record.time) / hour)))]! += 1;
      this.liveToolCalls = 0;
      return { value: buckets, more: truncated };
    },
    () => [this.toolCallAction, this.maxCount] as const,
  );
  private readonly spendTask = this.loadTask('load spend', async (api): Promise<Measured<number>> => {
    const summary = await api.models.usage({ groupBy: 'day', from: startOfToday() });
    return { value: summary.totals.costMicros, calls: summary.totals.calls };
  });
  private readonly approvalsTask = this.loadTask('count pending approvals', async (api): Promise<Measured<number>> => {
    const page = await api.approvals.list({ status: 'pending', limit: 100 });
    return { value: page.items.length, more: page.nextCursor !== null };
  });
  private readonly systemTask = this.loadTask(
    'load system status',
    async (api): Promise<Measured<{ health: Health; killSwitch: KillSwitchState | null }>> => {
      const [health, killSwitch] = await Promise.all([api.system.health(), api.system.killSwitch().catch(() => null)]);
      return { value: { health, killSwitch } };
    },
  );
  private readonly recentTask = this.loadTask(
    'load recent activity',
    async (api): Promise<Measured<AuditRecord[]>> => ({ value: (await api.audit.list({ limit: 8 })).items }),
  );
  /** Tool calls recorded live since the last count (added to the current hour). */
  @state() private liveToolCalls = 0;
  @state() private readiness: ApprovalReadiness | null = null;

  private recentTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super();
    this.live.on(['session-started', 'session-ended'], () => void this.sessionsTask.run());
    this.live.on(['approval-created', 'approval-updated'], () => void this.approvalsTask.run());
    this.live.on(
      ['gateway-usage-recorded'],
      debounce(() => void this.spendTask.run(), 1000),
    );
    this.live.on(['audit-recorded'], (event) => this.onAudit(event));
    this.live.on(['reconnected'], () => this.loadAll());
    this.live.on(['user-changed', 'team-changed'], () => void this.loadReadiness());
  }

  protected override clientChanged(_client: PreloopClient): void {
    void this.loadReadiness();
  }

  /** Reloads every card. */
  loadAll(): void {
    for (const task of [this.sessionsTask, this.toolCallsTask, this.spendTask, this.approvalsTask, this.systemTask, this.recentTask])
      void task.run();
    void this.loadReadiness();
  }

  private get sessions(): Metric<RuntimeSession[]> {
    return metricOf(this.sessionsTask);
  }

  private get toolCalls(): Metric<number[]> {
    const metric = metricOf(this.toolCallsTask);
    if (!metric.value || this.liveToolCalls === 0) return metric;
    const buckets = [...metric.value];
    buckets[23] = (buckets[23] ?? 0) + this.liveToolCalls;
    return { ...metric, value: buckets };
  }

  private get spend(): Metric<number> {
    return metricOf(this.spendTask);
  }

  private get approvals(): Metric<number> {
    return metricOf(this.approvalsTask);
  }

  private get system(): Metric<{ health: Health; killSwitch: KillSwitchState | null }> {
    return metricOf(this.systemTask);
  }

  private get recent(): Metric<AuditRecord[]> {
    return metricOf(this.recentTask);
  }

  /** Whether the approval workflows can approve what agents ask; quiet when the approvals plugin is absent or the read fails. */
  private async loadReadiness(): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.readiness = await api.approvals.readiness().catch(() => null);
  }

  private onAudit(event: { action: string; time: number }): void {
    const prefix = this.toolCallAction.endsWith('*') ? this.toolCallAction.slice(0, -1) : null;
    const matches = prefix !== null ? event.action.startsWith(prefix) : event.action === this.toolCallAction;
    if (matches && this.toolCallsTask.value) this.liveToolCalls += 1;
    // The kill switch and policy announce their changes as audit records only.
    if (event.action.startsWith('kill-switch.')) void this.systemTask.run();
    if (event.action === 'policy.apply') void this.loadReadiness();
    if (this.recentTimer) return;
    this.recentTimer = setTimeout(() => {
      this.recentTimer = null;
      void this.recentTask.run();
    }, 300);
  }

  private go(route: string): void {
    this.dispatchEvent(new PreloopRouteRequestedEvent(route));
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    return html`
      ${
        this.noHeader
          ? nothing
          : html`<div class="page-header">
            <div>
              <h1>Overview</h1>
              <p>What your agents are doing right now.</p>
            </div>
            ${this.live.renderStatus()}
          </div>`
      }
      ${this.renderReadiness()}
      <div class="stats" part="stats">${this.renderSessionsStat()} ${this.renderToolCallsStat()} ${this.renderSpendStat()} ${this.renderApprovalsStat()} ${this.renderSystemStat()}</div>
      <div class="columns">
        <section class="card" aria-labelledby="recent-title">
          <div class="card-header"><h2 id="recent-title">Recent activity</h2><button class="link" @click=${() => this.go('audit')}>Open audit log</button></div>
          ${this.renderRecent()}
        </section>
        <section class="card" aria-labelledby="sessions-title">
          <div class="card-header"><h2 id="sessions-title">Active sessions</h2><button class="link" @click=${() => this.go('sessions')}>All sessions</button></div>
          ${this.renderSessions()}
        </section>
      </div>
    `;
  }

  /** The first-run notice: whose agents' calls nobody can approve, and the way out. */
  private renderReadiness() {
    const blocked = this.readiness?.workflows.filter((workflow) => workflow.status !== 'ready') ?? [];
    if (blocked.length === 0) return nothing;
    return html`<div class="banner warning" part="readiness" role="status">
      <div>
        <strong>Some agent calls cannot be approved.</strong>
        ${blocked.map((workflow) => html`<p>${workflow.message}</p>`)}
        <ul>
          ${this.readiness!.remedies.map((remedy) => html`<li>${remedy}</li>`)}
        </ul>
        <button class="link" @click=${() => this.go('settings/users')}>Add a user</button>
      </div>
    </div>`;
  }

  private stat(options: {
    id: string;
    label: string;
    icon: unknown;
    tone?: string;
    value: unknown;
    foot: unknown;
    route: string;
    smallValue?: boolean;
  }) {
    return html`<button class="stat" part="stat" data-stat=${options.id} @click=${() => this.go(options.route)}>
      <span class="label"><span class="chip ${options.tone ?? ''}">${options.icon}</span>${options.label}</span>
      <span class="value ${options.smallValue ? 'small-value' : ''}" data-value>${options.value}</span>
      <span class="foot">${options.foot}</span>
    </button>`;
  }

  private placeholder(metric: Metric<unknown>) {
    if (metric.state === 'loading') return html`<span class="skeleton value-skeleton"></span>`;
    return '—';
  }

  private renderSessionsStat() {
    const sessions = this.sessions.value;
    const agents = sessions ? new Set(sessions.map((session) => session.agentId).filter(Boolean)).size : 0;
    return this.stat({
      id: 'sessions',
      label: 'Active sessions',
      icon: icons.sessions,
      value: sessions ? `${formatCount(sessions.length)}${this.sessions.more ? '+' : ''}` : this.placeholder(this.sessions),
      foot: sessions ? `${agents} agent${agents === 1 ? '' : 's'} running` : this.sessions.state === 'error' ? 'Could not load' : '',
      route: 'sessions',
    });
  }

  private renderToolCallsStat() {
    const buckets = this.toolCalls.value;
    const total = buckets?.reduce((sum, count) => sum + count, 0) ?? 0;
    return this.stat({
      id: 'tool-calls',
      label: 'Tool calls · 24 h',
      icon: icons.tool,
      value: buckets ? `${formatCount(total)}${this.toolCalls.more ? '+' : ''}` : this.placeholder(this.toolCalls),
      foot: buckets ? this.sparkline(buckets) : '',
      route: 'audit',
    });
  }

  private renderSpendStat() {
    const off = this.spend.state === 'off';
    return this.stat({
      id: 'spend',
      label: 'Spend today',
      icon: icons.coins,
      tone: 'success',
      value:
        this.spend.value !== undefined
          ? formatMoney(this.spend.value)
          : off
            ? html`<span class="off">Not enabled</span>`
            : this.placeholder(this.spend),
      smallValue: off,
      foot: off
        ? 'Model gateway not installed'
        : this.spend.state === 'ready'
          ? `${formatCount(this.spend.calls ?? 0)} model call${this.spend.calls === 1 ? '' : 's'} today`
          : '',
      route: 'usage',
    });
  }

  private renderApprovalsStat() {
    const count = this.approvals.value;
    const off = this.approvals.state === 'off';
    return this.stat({
      id: 'approvals',
      label: 'Pending approvals',
      icon: icons.approvals,
      tone: count ? 'warning' : '',
      value:
        count !== undefined
          ? `${count}${this.approvals.more ? '+' : ''}`
          : off
            ? html`<span class="off">Not enabled</span>`
            : this.placeholder(this.approvals),
      smallValue: off,
      foot: off ? 'Approvals plugin not installed' : count ? 'Waiting for a decision' : count === 0 ? 'Queue is clear' : '',
      route: 'approvals',
    });
  }

  private renderSystemStat() {
    const system = this.system.value;
    const stopped = system?.killSwitch?.active.length ? system.killSwitch : null;
    const tone = this.system.state === 'error' ? 'danger' : stopped ? 'danger' : 'success';
    const value = system
      ? stopped
        ? 'Kill switch on'
        : 'Operational'
      : this.system.state === 'error'
        ? 'Unreachable'
        : this.placeholder(this.system);
    return this.stat({
      id: 'system',
      label: 'System status',
      icon: icons.pulse,
      tone,
      value,
      smallValue: true,
      foot: system
        ? html`<span class="dot ${stopped ? 'danger' : ''}"></span>${stopped ? `Stopped: ${stopped.active.join(', ')}` : `${system.health.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'} · live ${this.live.status === 'open' ? 'connected' : this.live.status}`}`
        : '',
      route: 'settings',
    });
  }

  private sparkline(buckets: number[]) {
    const max = Math.max(1, ...buckets);
    const width = 168;
    const height = 28;
    const slot = width / buckets.length;
    return html`<svg class="spark" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="Tool calls per hour over the last 24 hours">
      ${buckets.map((count, index) => {
        const barHeight = count === 0 ? 2 : Math.max(3, (count / max) * height);
        return svg`<rect x=${(index * slot + 1).toFixed(1)} y=${(height - barHeight).toFixed(1)} width=${(slot - 2).toFixed(1)} height=${barHeight.toFixed(1)} rx="1.5" fill="currentColor" fill-opacity=${count === 0 ? '0.18' : index === buckets.length - 1 ? '1' : '0.7'}/>`;
      })}
    </svg>`;
  }

  private renderRecent() {
    const records = this.recent.value;
    if (!records)
      return html`<div class="card-body">${this.recent.state === 'loading' ? html`<span class="skeleton"></span>` : html`<span class="muted">Could not load the audit log.</span>`}</div>`;
    if (records.length === 0) return html`<div class="empty">${icons.audit}<strong>No activity yet</strong></div>`;
    return html`<ul class="feed" part="activity">
      ${records.map((record) => {
        const tone = toneOf(record.outcome);
        const { title, detail } = describeRecord(record);
        return html`<li>
          <span class="dot ${tone === 'danger' ? 'danger' : tone === 'warning' ? 'warning' : ''}" title=${record.outcome}></span>
          <span class="what">${title} <span class="muted">${detail}</span></span>
          <time title=${formatTime(record.time)}>${formatRelative(record.time)}</time>
        </li>`;
      })}
    </ul>`;
  }

  private renderSessions() {
    const sessions = this.sessions.value;
    if (!sessions)
      return html`<div class="card-body">${this.sessions.state === 'loading' ? html`<span class="skeleton"></span>` : html`<span class="muted">Could not load sessions.</span>`}</div>`;
    if (sessions.length === 0)
      return html`<div class="empty">${icons.sessions}<strong>No agent is running</strong><span>Sessions appear when an agent connects.</span></div>`;
    return html`<ul class="feed">
      ${sessions.slice(0, 6).map(
        (session) => html`<li>
          <span class="dot"></span>
          <span class="what"><button class="link session-name" @click=${() => this.go(`sessions/${encodeURIComponent(session.id)}`)}>${session.name}</button> <span class="muted">· ${session.source}</span></span>
          <time title=${formatTime(session.startedAt)}>${formatRelative(session.startedAt)}</time>
        </li>`,
      )}
    </ul>`;
  }
}
