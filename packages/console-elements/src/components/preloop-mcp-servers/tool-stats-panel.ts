/**
 * The per-tool statistics panel of `<preloop-mcp-servers>`: calls by outcome,
 * approvals, and latency (average, maximum and a histogram).
 *
 * @module
 */
import { html, nothing } from 'lit';
import type { ToolStats } from '../../client/api-types.js';
import { formatCount, formatRelative, formatTime } from '../../shared/format.js';
import { styleProperties } from '../../shared/style-properties.js';

const buckets: Array<[keyof ToolStats['latency'], string]> = [
  ['under10ms', '< 10 ms'],
  ['under100ms', '< 100 ms'],
  ['under1s', '< 1 s'],
  ['under10s', '< 10 s'],
  ['over10s', '≥ 10 s'],
];

/** A duration in ms as "42 ms", "1.3 s" or "2.1 min"; "—" when unknown. */
function formatDuration(milliseconds: number | null): string {
  if (milliseconds === null) return '—';
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  return `${(milliseconds / 60_000).toFixed(1)} min`;
}

/**
 * The statistics of one tool.
 *
 * @example
 * ```ts
 * html`<td colspan="4">${renderToolStats(await client.mcp.toolStats('github.list_issues'))}</td>`;
 * ```
 */
export function renderToolStats(stats: ToolStats) {
  if (stats.calls === 0)
    return html`<div class="stats-panel empty-stats" data-stats=${stats.tool}>No calls yet. Counts start with the first call through the MCP endpoint.</div>`;
  const share = (count: number) => `${((count / stats.calls) * 100).toFixed(1)}%`;
  const outcomes: Array<[string, number, string]> = [
    ['Succeeded', stats.succeeded, 'success'],
    ['Failed', stats.failed, 'danger'],
    ['Denied', stats.denied, 'warning'],
    ['Pending', stats.pending, 'accent'],
  ];
  const largest = Math.max(1, ...buckets.map(([key]) => stats.latency[key]));
  return html`<div class="stats-panel" data-stats=${stats.tool}>
    <dl class="figures">
      <div data-figure="calls"><dt>Calls</dt><dd>${formatCount(stats.calls)}</dd></div>
      ${outcomes.map(([label, count]) => html`<div data-figure=${label.toLowerCase()}><dt>${label}</dt><dd>${formatCount(count)}</dd></div>`)}
      <div data-figure="approvals"><dt>Approvals</dt><dd>${formatCount(stats.approvals)}</dd></div>
      <div data-figure="average"><dt>Average</dt><dd>${formatDuration(stats.averageMs)}</dd></div>
      <div data-figure="max"><dt>Slowest</dt><dd>${formatDuration(stats.maxMs)}</dd></div>
      <div data-figure="last"><dt>Last call</dt><dd title=${formatTime(stats.lastCalledAt)}>${formatRelative(stats.lastCalledAt)}</dd></div>
    </dl>
    <div class="charts">
      <div>
        <div class="section-label">Outcomes</div>
        <div class="outcome-bar" role="img" aria-label=${outcomes.map(([label, count]) => `${label} ${count}`).join(', ')}>
          ${outcomes.map(([label, count, tone]) => (count ? html`<span class=${tone} title="${label}: ${count}" ${styleProperties({ width: share(count) })}></span>` : nothing))}
        </div>
        <div class="legend">${outcomes.map(([label, count, tone]) => (count ? html`<span><i class=${tone}></i>${label} ${share(count)}</span>` : nothing))}</div>
      </div>
      <div>
        <div class="section-label">Latency, approval waits included</div>
        <ul class="histogram">
          ${buckets.map(
            ([key, label]) => html`<li>
              <span class="bucket">${label}</span>
              <span class="track"><span ${styleProperties({ width: `${((stats.latency[key] / largest) * 100).toFixed(1)}%` })}></span></span>
              <span class="count">${formatCount(stats.latency[key])}</span>
            </li>`,
          )}
        </ul>
      </div>
    </div>
  </div>`;
}
