import { initialState, TaskStatus } from '@lit/task';
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';

import type uPlot from 'uplot';
import type { UsageGroupBy, UsageSummaryRow } from '../../client/api-types.js';
import { isRouteMissing } from '../../client/preloop-api-error.js';
import type { PreloopClient } from '../../client/preloop-client.js';
import { debounce, formatCount, formatMoney, formatMoneyTicks } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { styleProperties } from '../../shared/style-properties.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { usageChartStyles } from './preloop-usage-chart.styles.js';

const noPoints: UsagePoint[] = [];
/** uPlot (the largest dependency), fetched on the first draw: a page without a chart never loads it. */
let uplotModule: Promise<typeof uPlot> | null = null;
const loadUplot = () => (uplotModule ??= import('uplot').then((module) => module.default));

/** One day of usage for one group (a model, agent or key): what the chart plots. */
export interface UsagePoint {
  /** A time in the (UTC) day, epoch milliseconds. */
  time: number;
  /** The group's key (model alias, agent id, key id), or `total`. */
  group: string;
  /** A display name for the group. */
  label?: string | null;
  /** Spend in micro-dollars (null when unpriced). */
  costMicros: number | null;
  inputTokens: number;
  outputTokens: number;
  requests: number;
}

/** What the chart plots. */
export type UsageMetric = 'spend' | 'tokens';

const day = 86_400_000;
const palette = ['#6366f1', '#10b981', '#f59e0b', '#ef4444', '#06b6d4', '#a855f7', '#ec4899', '#84cc16'];

/** Start of the UTC day of `time` (the gateway groups usage by UTC day). */
export function utcDayStart(time: number): number {
  return Math.floor(time / day) * day;
}

function dayLabel(time: number): string {
  return new Date(time).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/**
 * Spend or tokens over time, per model, agent or API key, drawn with uPlot.
 * It fetches `GET /usage/summary` (the model gateway's) for the chosen range,
 * or plots `points` you give it. The legend shows totals, or the hovered day.
 *
 * @summary Model usage or spend per day, grouped by model, agent, key or session.
 * @csspart chart - the plot area.
 * @csspart legend - the legend.
 * @cssproperty --preloop-usage-chart-height - height of the plot. @default 280px
 *
 * @example
 * ```html
 * <preloop-usage-chart group-by="model" metric="spend" days="14"></preloop-usage-chart>
 * ```
 */
export class PreloopUsageChart extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, usageChartStyles];

  /** Points to plot instead of fetching. */
  @property({ attribute: false }) points?: UsagePoint[];

  /** `spend` or `tokens`. @default 'spend' */
  @property() metric: UsageMetric = 'spend';

  /** `model`, `agent`, `key`, or `day` (one total series). @default 'model' */
  @property({ attribute: 'group-by' }) groupBy: UsageGroupBy = 'model';

  /** Days back from today. @default 14 */
  @property({ type: Number }) days = 14;

  /** A heading; when set, the element renders as a page with a header. */
  @property() heading?: string;

  /** Show the per-group totals table under the chart. */
  @property({ type: Boolean, attribute: 'show-table' }) showTable = false;

  /** The fetched points (none when `points` is given). */
  private readonly usageTask = this.loadTask(
    'load usage',
    async (api, [groupBy, days, given]) => (given ? initialState : this.fetchPoints(api, groupBy, days)),
    () => [this.groupBy, this.days, this.points !== undefined] as const,
  );
  /** What the last draw showed, so a new value (which no property names) draws again. */
  private drawn: { points: UsagePoint[]; phase: string } | null = null;
  @state() private hoverIndex: number | null = null;
  private plot: uPlot | null = null;
  private drawing = 0;
  private resize: ResizeObserver | null = null;

  constructor() {
    super();
    this.live.on(
      ['gateway-usage-recorded', 'reconnected'],
      debounce(() => void this.load(), 2000),
    );
  }

  /** The points shown. */
  get shown(): UsagePoint[] {
    return this.points ?? this.usageTask.value ?? noPoints;
  }

  /** `ready` with points to show, else why not: still `loading`, `off` (no gateway on the server) or `error`. */
  private get phase(): 'loading' | 'ready' | 'off' | 'error' {
    if (this.points || this.usageTask.value) return 'ready';
    if (this.usageTask.status === TaskStatus.ERROR) return isRouteMissing(this.usageTask.error) ? 'off' : 'error';
    return 'loading';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
    this.resize = null;
    this.plot?.destroy();
    this.plot = null;
  }

  /** Fetches the range again. */
  async load(): Promise<void> {
    if (!this.points) await this.rerun(this.usageTask);
  }

  private async fetchPoints(api: PreloopClient, groupBy: UsageGroupBy, days: number): Promise<UsagePoint[]> {
    const today = utcDayStart(Date.now());
    const from = today - (days - 1) * day;
    if (groupBy === 'day') {
      const summary = await api.models.usage({ groupBy: 'day', from, to: today + day });
      return summary.rows.map((row) => ({ ...this.toPoint(row, Number(row.key)), group: 'total', label: 'All models' }));
    }
    const starts = Array.from({ length: days }, (_, index) => from + index * day);
    const [summaries, names] = await Promise.all([
      Promise.all(starts.map((start) => api.models.usage({ groupBy, from: start, to: start + day }))),
      this.groupNames(api, groupBy),
    ]);
    return summaries.flatMap((summary, index) =>
      summary.rows.map((row) => {
        const point = this.toPoint(row, starts[index]!);
        point.label =
          row.key === null
            ? groupBy === 'agent'
              ? 'No agent'
              : groupBy === 'key'
                ? 'No API key'
                : 'Unknown'
            : (names.get(row.key) ?? row.key);
        return point;
      }),
    );
  }

  /** Display names of agents and API keys, for their ids. */
  private async groupNames(api: PreloopClient, groupBy: UsageGroupBy): Promise<Map<string, string>> {
    try {
      if (groupBy === 'agent') return new Map((await api.agents.list({ limit: 200 })).items.map((agent) => [agent.id, agent.name]));
      if (groupBy === 'key') return new Map((await api.apiKeys.list({ limit: 200 })).items.map((key) => [key.id, key.name]));
    } catch {
      // ids it is
    }
    return new Map();
  }

  private toPoint(row: UsageSummaryRow, time: number): UsagePoint {
    return {
      time,
      group: row.key ?? '(none)',
      label: row.key,
      costMicros: row.costMicros,
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      requests: row.calls,
    };
  }

  private value(point: UsagePoint): number {
    return this.metric === 'spend' ? (point.costMicros ?? 0) / 1_000_000 : point.inputTokens + point.outputTokens;
  }

  /** The plotted matrix: day starts, and per group its label and daily values. */
  private matrix() {
    const points = this.shown;
    const today = utcDayStart(Date.now());
    const first = points.length ? utcDayStart(Math.min(...points.map((point) => point.time))) : today - (this.days - 1) * day;
    const start = Math.min(first, today - (this.days - 1) * day);
    const count = Math.max(1, Math.round((today - start) / day) + 1);
    const days = Array.from({ length: count }, (_, index) => start + index * day);
    const index = new Map(days.map((time, position) => [time, position]));
    const groups = new Map<string, { label: string; values: number[]; total: number }>();
    for (const point of points) {
      let group = groups.get(point.group);
      if (!group)
        groups.set(point.group, (group = { label: point.label || point.group, values: new Array<number>(count).fill(0), total: 0 }));
      const position = index.get(utcDayStart(point.time));
      if (position === undefined) continue;
      const value = this.value(point);
      group.values[position]! += value;
      group.total += value;
    }
    const ordered = [...groups.entries()]
      .sort((a, b) => b[1].total - a[1].total)
      .map(([key, group], position) => ({ key, ...group, color: palette[position % palette.length]! }));
    return { days, groups: ordered };
  }

  protected override updated(changed: PropertyValues): void {
    const fresh = this.drawn?.points !== this.shown || this.drawn?.phase !== this.phase;
    if (fresh || ['metric', 'groupBy', 'days'].some((key) => changed.has(key))) {
      this.drawn = { points: this.shown, phase: this.phase };
      void this.draw();
    }
  }

  private resolveColor(variable: string): string {
    const probe = document.createElement('span');
    probe.style.color = `var(${variable})`;
    this.renderRoot.appendChild(probe);
    const color = getComputedStyle(probe).color;
    probe.remove();
    return color;
  }

  private async draw(): Promise<void> {
    const ticket = ++this.drawing;
    const target = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (!target || this.phase !== 'ready') {
      this.plot?.destroy();
      this.plot = null;
      return;
    }
    const UPlot = await loadUplot();
    // A newer draw (or a removal) while uPlot loaded wins.
    if (ticket !== this.drawing || !this.isConnected || !target.isConnected) return;
    const { days, groups } = this.matrix();
    const data: uPlot.AlignedData = [days.map((time) => time / 1000), ...groups.map((group) => group.values)];
    const width = Math.max(200, target.clientWidth);
    const height = target.parentElement?.clientHeight || 280;
    const muted = this.resolveColor('--_muted');
    const grid = this.resolveColor('--_border');
    const money = this.metric === 'spend';
    const axisValue = (_plot: uPlot, values: number[]) =>
      money ? formatMoneyTicks(values) : values.map((value) => formatCount(value, true));
    const options: uPlot.Options = {
      width,
      height,
      legend: { show: false },
      cursor: { points: { size: 7 }, drag: { x: false, y: false } },
      tzDate: (seconds) => UPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      scales: { x: { time: true }, y: { range: (_plot, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      axes: [
        {
          stroke: muted,
          grid: { show: false },
          ticks: { stroke: grid, size: 4 },
          font: '11px sans-serif',
          values: (_plot, ticks) => ticks.map((tick) => dayLabel(tick * 1000)),
        },
        { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { show: false }, font: '11px sans-serif', size: 56, values: axisValue },
      ],
      series: [
        {},
        ...groups.map((group) => ({
          label: group.label,
          stroke: group.color,
          width: 2,
          fill: groups.length === 1 ? `${group.color}22` : undefined,
          points: { show: days.length <= 31, size: 5, fill: group.color },
          paths: UPlot.paths.spline?.(),
        })),
      ],
      hooks: { setCursor: [(plot) => (this.hoverIndex = plot.cursor.idx ?? null)] },
    };
    this.plot?.destroy();
    target.replaceChildren();
    this.plot = new UPlot(options, data, target);
    if (!this.resize) {
      this.resize = new ResizeObserver(() => {
        const box = this.renderRoot.querySelector<HTMLElement>('.plot');
        if (box && this.plot && Math.abs(this.plot.width - box.clientWidth) > 2)
          this.plot.setSize({ width: Math.max(200, box.clientWidth), height: box.parentElement?.clientHeight || 280 });
      });
      this.resize.observe(this);
    }
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    const body = this.renderCard();
    if (!this.heading) return body;
    return html`<div class="page-header">
        <div>
          <h1>${this.heading}</h1>
          <p>Model spend and tokens through the gateway, per model, agent or key.</p>
        </div>
      </div>
      ${body}`;
  }

  private renderCard() {
    const { days, groups } = this.matrix();
    const total = groups.reduce((sum, group) => sum + group.total, 0);
    const requests = this.shown.reduce((sum, point) => sum + point.requests, 0);
    const format = (value: number) =>
      this.metric === 'spend' ? formatMoney(Math.round(value * 1_000_000)) : formatCount(Math.round(value));
    const hovered = this.hoverIndex !== null && this.hoverIndex >= 0 ? this.hoverIndex : null;
    return html`<section class="card" aria-label="Usage chart">
      <div class="card-header">
        <h2>${this.metric === 'spend' ? 'Spend' : 'Tokens'} by ${this.groupBy === 'day' ? 'day' : this.groupBy}</h2>
        <div class="controls">
          ${this.segmented(
            'Metric',
            [
              ['spend', 'Spend'],
              ['tokens', 'Tokens'],
            ],
            this.metric,
            (value) => (this.metric = value as UsageMetric),
          )}
          ${
            this.points
              ? nothing
              : this.segmented(
                  'Group by',
                  [
                    ['model', 'Model'],
                    ['agent', 'Agent'],
                    ['key', 'Key'],
                  ],
                  this.groupBy,
                  (value) => (this.groupBy = value as UsageGroupBy),
                )
          }
          ${
            this.points
              ? nothing
              : this.segmented(
                  'Range',
                  [
                    ['7', '7d'],
                    ['14', '14d'],
                    ['30', '30d'],
                  ],
                  String(this.days),
                  (value) => (this.days = Number(value)),
                )
          }
        </div>
      </div>
      ${
        this.phase === 'off'
          ? html`<div class="empty">${icons.usage}<strong>The model gateway is not installed</strong><span>Usage and spend appear once <code>@preloop/gateway</code> serves model calls.</span></div>`
          : this.phase === 'error'
            ? html`<div class="empty">${icons.alert}<strong>Usage could not be loaded</strong><button @click=${() => this.load()}>Retry</button></div>`
            : html`
              <div class="summary">
                <div class="figure"><span>${this.metric === 'spend' ? 'Spend' : 'Tokens'}, last ${days.length} days</span><strong data-total>${this.phase === 'loading' ? '…' : format(total)}</strong></div>
                <div class="figure"><span>Requests</span><strong>${this.phase === 'loading' ? '…' : formatCount(requests)}</strong></div>
                ${hovered !== null && days[hovered] ? html`<div class="figure"><span>Day</span><strong>${dayLabel(days[hovered]!)}</strong></div>` : nothing}
              </div>
              <div class="chart" part="chart">${this.phase === 'loading' ? html`<span class="skeleton chart-skeleton"></span>` : html`<div class="plot" role="img" aria-label="${this.metric} per day by ${this.groupBy}"></div>`}</div>
              ${groups.length === 0 && this.phase === 'ready' ? html`<div class="empty"><strong>No model calls in this period</strong></div>` : nothing}
              <div class="legend" part="legend">
                ${groups.map(
                  (group) =>
                    html`<span><i ${styleProperties({ background: group.color })}></i>${group.label} <strong>${format(hovered !== null ? (group.values[hovered] ?? 0) : group.total)}</strong></span>`,
                )}
              </div>
              ${this.showTable && groups.length ? this.renderTable(groups, format) : nothing}
            `
      }
    </section>`;
  }

  private renderTable(groups: Array<{ key: string; label: string; total: number; color: string }>, _format: (value: number) => string) {
    const byGroup = new Map<string, { requests: number; tokens: number; cost: number }>();
    for (const point of this.shown) {
      const entry = byGroup.get(point.group) ?? { requests: 0, tokens: 0, cost: 0 };
      entry.requests += point.requests;
      entry.tokens += point.inputTokens + point.outputTokens;
      entry.cost += point.costMicros ?? 0;
      byGroup.set(point.group, entry);
    }
    return html`<div class="table-wrap">
      <table>
        <thead><tr><th>${this.groupBy}</th><th>Requests</th><th>Tokens</th><th>Spend</th></tr></thead>
        <tbody>
          ${groups.map((group) => {
            const entry = byGroup.get(group.key);
            return html`<tr><td><span class="primary-text">${group.label}</span></td><td>${formatCount(entry?.requests ?? 0)}</td><td>${formatCount(entry?.tokens ?? 0)}</td><td>${formatMoney(entry?.cost ?? 0)}</td></tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  }

  private segmented(label: string, options: Array<[string, string]>, current: string, choose: (value: string) => void) {
    return html`<div class="segmented" role="group" aria-label=${label}>
      ${options.map(([value, text]) => html`<button type="button" aria-pressed=${current === value ? 'true' : 'false'} @click=${() => choose(value)}>${text}</button>`)}
    </div>`;
  }
}
