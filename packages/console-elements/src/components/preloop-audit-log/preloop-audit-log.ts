import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { AuditQuery, AuditRecord, AuditVerifyReport } from '../../client/api-types.js';
import type { PreloopClient } from '../../client/preloop-client.js';
import { PreloopAuditVerifiedEvent } from '../../events/preloop-events.js';
import { formatCount, formatTime, shortId, toneOf } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { redactForDisplay } from '../../shared/redact.js';
import { renderJson } from '../../shared/render-json.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { auditLogStyles } from './preloop-audit-log.styles.js';

/** The parts of `@lit-labs/virtualizer` the long list uses. */
interface Virtualizer {
  virtualize: typeof import('@lit-labs/virtualizer/virtualize.js').virtualize;
  flow: typeof import('@lit-labs/virtualizer/layouts/flow.js').flow;
}

/** The virtualizer, fetched the first time a list is long enough to need it: short lists and other pages never load it. */
let virtualizerModule: Promise<Virtualizer> | null = null;
const loadVirtualizer = () =>
  (virtualizerModule ??= Promise.all([import('@lit-labs/virtualizer/virtualize.js'), import('@lit-labs/virtualizer/layouts/flow.js')]).then(
    ([{ virtualize }, { flow }]) => ({ virtualize, flow }),
  ));

/** The filters of the audit log, as the form holds them. */
export interface AuditFilters {
  action?: string;
  actorId?: string;
  outcome?: string;
  runtimeSessionId?: string;
  targetId?: string;
  from?: number;
  to?: number;
}

function actorName(record: AuditRecord): string {
  const name = record.principal?.name;
  return typeof name === 'string' && name ? name : (record.actorId ?? record.actorType);
}

function toDateInput(time: number | undefined): string {
  if (time === undefined) return '';
  const date = new Date(time - new Date(time).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 16);
}

/**
 * The tamper-evident audit trail: filter by action (exact or `prefix*`), actor,
 * outcome, session, target and time; page through it with cursors (more loads as
 * you scroll); past a few hundred records the list is virtualized (only the rows
 * in view exist), so tens of thousands of records stay smooth. "Verify chain" checks the hash chain on the
 * server and names the first broken record. New records arrive live.
 *
 * Set `records` to show a list you already have (no fetching).
 *
 * @summary The tamper-evident audit trail: filter, browse, inspect a record, verify the chain.
 * @fires preloop-audit-verified - after a verification, with its report.
 * @csspart filters - the filter form.
 * @csspart rows - the scrolling list.
 * @csspart detail - the selected record's panel.
 * @cssproperty --preloop-audit-log-height - height of the scrolling list. @default 560px
 *
 * @example
 * ```html
 * <preloop-audit-log base-url="https://preloop.internal" action="tool.*"></preloop-audit-log>
 * ```
 */
export class PreloopAuditLog extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, auditLogStyles];

  /** Records to show instead of fetching (the element then never calls the API for the list). */
  @property({ attribute: false }) records?: AuditRecord[];

  /** The initial action filter (exact, or a prefix ending in `*`). */
  @property() action?: string;

  /** The initial runtime-session filter. */
  @property({ attribute: 'session-id' }) sessionId?: string;

  /** Hide the page header. */
  @property({ type: Boolean, attribute: 'no-header' }) noHeader = false;

  /**
   * Above this many records the list is virtualized (only the rows in view exist); below it every
   * row is rendered, so short logs print, search and screenshot like any page. @default 300
   */
  @property({ type: Number, attribute: 'virtualize-above' }) virtualizeAbove = 300;

  /** Records per page (1–200). @default 200 */
  @property({ type: Number, attribute: 'page-size' }) pageSize = 200;

  /** Hide the filter form (for a fixed view in a portal, with `action` or `session-id`). */
  @property({ type: Boolean, attribute: 'no-filters' }) noFilters = false;

  /** Hide the verify-chain action. */
  @property({ type: Boolean, attribute: 'no-verify' }) noVerify = false;

  @state() private filters: AuditFilters = {};
  // Not a `loadTask`, on purpose: the list is one value built by three writers (the first page,
  // appended cursor pages, live records merged at the head) while a task holds the value of its
  // last run only. A task for the first page would still need this array for the appends and the
  // merges, and the `generation` guard against a page of an older filter landing late: the state
  // would not shrink, it would be split in two.
  @state() private items: AuditRecord[] = [];
  @state() private cursor: string | null = null;
  @state() private loading = false;
  @state() private failure: string | null = null;
  @state() private selected: AuditRecord | null = null;
  @state() private verifying = false;
  @state() private report: AuditVerifyReport | null = null;
  @state() private verifyError: string | null = null;
  @state() private newCount = 0;

  private generation = 0;
  /** The loaded virtualizer and its layout (one per element), once a list needed them. */
  @state() private virtualizer: { virtualize: Virtualizer['virtualize']; layout: ReturnType<Virtualizer['flow']> } | null = null;
  private liveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super();
    this.live.on(['audit-recorded'], () => this.onRecorded());
    this.live.on(['reconnected'], () => void this.reload());
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('action') || changed.has('sessionId')) {
      this.filters = { ...this.filters, action: this.action || undefined, runtimeSessionId: this.sessionId || undefined };
      if (this.hasUpdated) void this.reload();
    }
    super.willUpdate(changed);
    if (changed.has('selected')) this.toggleAttribute('has-selection', this.selected !== null);
    if (!this.virtualizer && this.shown.length > this.virtualizeAbove) {
      void loadVirtualizer().then(({ virtualize, flow }) => (this.virtualizer ??= { virtualize, layout: flow() }));
    }
  }

  protected override clientChanged(_client: PreloopClient): void {
    if (!this.records) void this.reload();
  }

  /** The records shown. */
  get shown(): AuditRecord[] {
    return this.records ?? this.items;
  }

  /** Fetches the first page again with the current filters. */
  async reload(): Promise<void> {
    const api = this.api;
    if (!api || this.records) return;
    const generation = ++this.generation;
    this.loading = true;
    this.newCount = 0;
    try {
      const page = await api.audit.list({ ...this.query(), limit: this.pageSize });
      if (generation !== this.generation) return;
      this.items = page.items;
      this.cursor = page.nextCursor;
      this.failure = null;
    } catch (error) {
      if (generation === this.generation) this.failure = this.reportError('load the audit log', error);
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  private query(): AuditQuery {
    const query: AuditQuery = {};
    for (const [key, value] of Object.entries(this.filters))
      if (value !== undefined && value !== '') (query as Record<string, unknown>)[key] = value;
    return query;
  }

  private async loadMore(): Promise<void> {
    const api = this.api;
    if (!api || !this.cursor || this.loading || this.records) return;
    const generation = this.generation;
    this.loading = true;
    try {
      const page = await api.audit.list({ ...this.query(), limit: this.pageSize, cursor: this.cursor });
      if (generation !== this.generation) return;
      this.items = [...this.items, ...page.items];
      this.cursor = page.nextCursor;
    } catch (error) {
      this.failure = this.reportError('load more audit records', error);
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  private onRecorded(): void {
    if (this.records || this.liveTimer) return;
    this.liveTimer = setTimeout(() => {
      this.liveTimer = null;
      void this.mergeNewest();
    }, 250);
  }

  private async mergeNewest(): Promise<void> {
    const api = this.api;
    if (!api || this.loading) return;
    try {
      const page = await api.audit.list({ ...this.query(), limit: 50 });
      const head = this.items[0]?.seq ?? 0;
      const fresh = page.items.filter((record) => record.seq > head);
      if (fresh.length === 0) return;
      const rows = this.renderRoot.querySelector('.rows');
      if (rows && rows.scrollTop > 40) this.newCount += fresh.length;
      this.items = [...fresh, ...this.items];
    } catch {
      // the next event or a reconnect retries
    }
  }

  private async verify(): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.verifying = true;
    this.verifyError = null;
    this.report = null;
    try {
      this.report = await api.audit.verify();
      this.dispatchEvent(new PreloopAuditVerifiedEvent(this.report));
    } catch (error) {
      this.verifyError = this.reportError('verify the audit chain', error);
    } finally {
      this.verifying = false;
    }
  }

  private applyFilters(event: Event): void {
    event.preventDefault();
    const form = this.renderRoot.querySelector<HTMLFormElement>('form.filters');
    if (!form) return;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '').trim() || undefined;
    const time = (name: string) => {
      const value = text(name);
      return value ? new Date(value).getTime() : undefined;
    };
    this.filters = {
      action: text('action'),
      actorId: text('actorId'),
      outcome: text('outcome'),
      runtimeSessionId: text('runtimeSessionId'),
      targetId: text('targetId'),
      from: time('from'),
      to: time('to'),
    };
    this.selected = null;
    void this.reload();
  }

  private clearFilters(): void {
    this.filters = {};
    this.renderRoot.querySelector<HTMLFormElement>('form.filters')?.reset();
    this.selected = null;
    void this.reload();
  }

  private onRange(event: Event & { last?: number }): void {
    const last = event.last ?? 0;
    if (last >= this.shown.length - 30) void this.loadMore();
  }

  /** Unvirtualized list: load the next page near the end of the scroll. */
  private onScroll(event: Event): void {
    if (this.shown.length > this.virtualizeAbove) return;
    const rows = event.currentTarget as HTMLElement;
    if (rows.scrollTop + rows.clientHeight > rows.scrollHeight - 240) void this.loadMore();
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    // Keep loading pages until the list fills its view (or the log ends).
    const rows = this.renderRoot.querySelector<HTMLElement>('.rows');
    if (rows && this.cursor && !this.loading && !this.records && rows.scrollHeight <= rows.clientHeight + 40) void this.loadMore();
  }

  private select(record: AuditRecord): void {
    this.selected = this.selected?.id === record.id ? null : record;
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    const records = this.shown;
    return html`
      ${
        this.noHeader
          ? nothing
          : html`<div class="page-header">
            <div>
              <h1>Audit log</h1>
              <p>Every tool call, model call, approval and change, hash-chained.</p>
            </div>
            ${
              this.noVerify
                ? nothing
                : html`<button class="primary" @click=${this.verify} ?disabled=${this.verifying || !this.api} part="verify">${icons.shield} ${this.verifying ? 'Verifying…' : 'Verify chain'}</button>`
            }
          </div>`
      }
      <div class="card">
        ${this.records || this.noFilters ? nothing : this.renderFilters()}
        ${
          this.report
            ? html`<div class="verify-result banner ${this.report.ok ? 'success' : 'error'}" role="status" data-verify=${this.report.ok ? 'ok' : 'broken'}>
              ${
                this.report.ok
                  ? html`<span><strong>Chain intact.</strong> ${formatCount(this.report.records)} records and ${formatCount(this.report.checkpoints)} signed checkpoints verified in ${Math.round(this.report.durationMs)} ms.</span>`
                  : html`<span><strong>Chain broken at #${this.report.firstBroken?.seq}.</strong> ${this.report.firstBroken?.message}</span>`
              }
            </div>`
            : nothing
        }
        ${this.verifyError ? html`<div class="verify-result banner error" role="alert">${this.verifyError}</div>` : nothing}
        ${this.failure ? html`<div class="verify-result banner error" role="alert">${this.failure}</div>` : nothing}
        <div class="layout">
          <div class="list">
            <!-- One grid owns the header row and the records (each in its rowgroup), so every row has its grid. -->
            <div class="grid" role="grid" aria-label="Audit records" aria-rowcount=${records.length + 1}>
              <div role="rowgroup">
                <div class="grid-row head" role="row" aria-rowindex="1">
                  <span role="columnheader">Seq</span><span role="columnheader">Time</span><span role="columnheader">Actor</span><span role="columnheader">Action</span><span role="columnheader">Target</span><span role="columnheader">Outcome</span>
                </div>
              </div>
              ${
                records.length === 0 && !this.loading
                  ? nothing
                  : html`<div class="rows" part="rows" role="rowgroup" @rangeChanged=${this.onRange} @scroll=${this.onScroll}>
                    ${
                      records.length > this.virtualizeAbove
                        ? // Until the virtualizer is loaded (a moment, once per page) the long list shows no rows rather than thousands.
                          (this.virtualizer?.virtualize({
                            items: records,
                            keyFunction: (record: AuditRecord) => record.id,
                            layout: this.virtualizer.layout,
                            scroller: true,
                            renderItem: (record: AuditRecord, index: number) => this.renderRow(record, index),
                          }) ?? nothing)
                        : repeat(
                            records,
                            (record) => record.id,
                            (record, index) => this.renderRow(record, index),
                          )
                    }
                  </div>`
              }
            </div>
            ${records.length === 0 && !this.loading ? html`<div class="empty">${icons.audit}<strong>No records match</strong><span>Change the filters, or wait for activity.</span></div>` : nothing}
            <div class="status-bar">
              <span>${formatCount(records.length)} record${records.length === 1 ? '' : 's'}${this.cursor ? ' loaded' : ''}</span>
              ${this.newCount > 0 ? html`<button class="new-pill" @click=${() => this.scrollToTop()}>${this.newCount} new</button>` : nothing}
              <span class="spacer"></span>
              ${this.loading ? html`<span role="status">Loading…</span>` : this.cursor ? html`<button class="small" @click=${this.loadMore}>Load more</button>` : nothing}
            </div>
          </div>
          ${this.selected ? this.renderDetail(this.selected) : nothing}
        </div>
      </div>
    `;
  }

  private scrollToTop(): void {
    this.newCount = 0;
    this.renderRoot.querySelector('.rows')?.scrollTo({ top: 0 });
  }

  private renderFilters() {
    const filters = this.filters;
    return html`<form class="filters" part="filters" @submit=${this.applyFilters} aria-label="Filter the audit log">
      <label class="field">Action <input name="action" placeholder="tool.* or api-key.create" .value=${filters.action ?? ''} /></label>
      <label class="field">Actor id <input name="actorId" .value=${filters.actorId ?? ''} /></label>
      <label class="field"
        >Outcome
        <select name="outcome" .value=${filters.outcome ?? ''}>
          <option value="">Any</option>
          <option value="success">success</option>
          <option value="failure">failure</option>
          <option value="denied">denied</option>
          <option value="pending">pending</option>
        </select>
      </label>
      <label class="field">Session id <input name="runtimeSessionId" .value=${filters.runtimeSessionId ?? ''} /></label>
      <label class="field">Target id <input name="targetId" .value=${filters.targetId ?? ''} /></label>
      <label class="field">From <input name="from" type="datetime-local" .value=${toDateInput(filters.from)} /></label>
      <label class="field">To <input name="to" type="datetime-local" .value=${toDateInput(filters.to)} /></label>
      <div class="buttons">
        <button type="submit" class="primary">Apply</button>
        <button type="button" class="ghost" @click=${this.clearFilters}>Clear</button>
      </div>
    </form>`;
  }

  private renderRow(record: AuditRecord, index: number) {
    return html`<div
      class="grid-row row"
      role="row"
      aria-rowindex=${index + 2}
      tabindex="0"
      data-seq=${record.seq}
      aria-selected=${this.selected?.id === record.id ? 'true' : 'false'}
      @click=${() => this.select(record)}
      @keydown=${(event: KeyboardEvent) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          this.select(record);
        }
      }}
    >
      <span class="cell seq" role="gridcell">#${record.seq}</span>
      <span class="cell time" role="gridcell">${formatTime(record.time)}</span>
      <span class="cell" role="gridcell">${actorName(record)}</span>
      <span class="cell action" role="gridcell">${record.action}</span>
      <span class="cell muted" role="gridcell" title=${record.targetId ?? ''}>${record.targetType ? `${record.targetType} ${record.targetType === 'tool' ? (record.targetId ?? '') : shortId(record.targetId)}` : '—'}</span>
      <span class="cell" role="gridcell"><span class="badge ${toneOf(record.outcome)}">${record.outcome}</span></span>
    </div>`;
  }

  private renderDetail(record: AuditRecord) {
    return html`<aside class="detail" part="detail" aria-label="Record #${record.seq}">
      <div class="toolbar"><h2>Record #${record.seq}</h2><span class="spacer"></span><button class="ghost icon small" aria-label="Close" @click=${() => (this.selected = null)}>${icons.x}</button></div>
      <dl>
        <dt>Time</dt><dd>${formatTime(record.time)}</dd>
        <dt>Action</dt><dd><code>${record.action}</code></dd>
        <dt>Outcome</dt><dd><span class="badge ${toneOf(record.outcome)}">${record.outcome}</span></dd>
        <dt>Actor</dt><dd>${actorName(record)} <span class="muted">(${record.actorType})</span></dd>
        ${record.targetType ? html`<dt>Target</dt><dd>${record.targetType} <code>${record.targetId ?? ''}</code></dd>` : nothing}
        ${record.runtimeSessionId ? html`<dt>Session</dt><dd><code>${record.runtimeSessionId}</code></dd>` : nothing}
        <dt>Hash</dt><dd><code>${record.hash}</code></dd>
        <dt>Previous</dt><dd><code>${record.prevHash}</code></dd>
      </dl>
      <div><div class="section-label muted small">Data</div><pre class="json">${renderJson(redactForDisplay(record.data))}</pre></div>
    </aside>`;
  }
}
