import { css } from 'lit';

/** Styles of `<preloop-mcp-servers>`. */
export const mcpServersStyles = css`
  :host {
    display: block;
  }
  .grid {
    display: grid;
    /* minmax(0, …): the tools table scrolls in its card instead of widening the page. */
    grid-template-columns: minmax(0, 1fr);
    gap: 16px;
  }
  .servers {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(240px, 1fr));
    gap: 12px;
    padding: 16px 18px;
  }
  .server {
    border: 1px solid var(--_border);
    border-radius: var(--_radius-small);
    padding: 12px 14px;
    display: grid;
    gap: 6px;
  }
  .server .name {
    display: flex;
    align-items: center;
    gap: 8px;
    font-weight: 600;
  }
  .server .where {
    font-family: var(--_mono);
    font-size: 12px;
    color: var(--_muted);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  tr.quarantined td {
    background: color-mix(in srgb, var(--_warning-soft) 70%, transparent);
  }
  td.actions {
    text-align: right;
  }
  pre.json {
    max-height: 200px;
  }
  .stack {
    display: grid;
    gap: 12px;
  }
  .changes {
    margin: 0;
    padding: 0;
    list-style: none;
    display: grid;
    gap: 4px;
    font-size: 12.5px;
  }
  .search {
    width: 220px;
  }
`;

/** Styles of the server form and the tool statistics of `<preloop-mcp-servers>`. */
export const mcpServerDetailStyles = css`
  .card-header h2 .count {
    font-weight: 400;
    margin-left: 4px;
  }
  .server .tag {
    font-weight: 500;
  }
  .server .secrets {
    display: flex;
    align-items: center;
    gap: 5px;
    font-family: var(--_mono);
    font-size: 11.5px;
  }
  .server .secrets svg {
    width: 13px;
    height: 13px;
  }
  .server-actions {
    margin-top: 4px;
    padding-top: 8px;
    border-top: 1px solid var(--_border);
  }
  .banner.page {
    margin-bottom: 16px;
  }
  td.actions {
    white-space: nowrap;
  }
  td.actions button + button {
    margin-left: 6px;
  }
  tr.open td {
    background: var(--_surface-muted);
  }
  tr.stats-row td,
  tr.stats-row:hover td {
    background: var(--_surface-muted);
    padding-top: 0;
  }
  .stats-panel {
    display: grid;
    gap: 14px;
    padding: 4px 0 8px;
  }
  .empty-stats {
    color: var(--_muted);
    font-size: 13px;
  }
  dl.figures {
    margin: 0;
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(110px, 1fr));
    gap: 8px;
  }
  dl.figures div {
    padding: 8px 10px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius-small);
    background: var(--_surface);
  }
  dl.figures dt {
    font-size: 11.5px;
    color: var(--_muted);
  }
  dl.figures dd {
    margin: 2px 0 0;
    font-size: 16px;
    font-weight: 620;
    font-variant-numeric: tabular-nums;
  }
  .charts {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(260px, 1fr));
    gap: 18px;
  }
  .outcome-bar {
    display: flex;
    height: 10px;
    border-radius: 999px;
    overflow: hidden;
    background: var(--_border);
  }
  .outcome-bar span,
  .legend i {
    background: var(--_border-strong);
  }
  .outcome-bar .success,
  .legend i.success {
    background: var(--_success);
  }
  .outcome-bar .danger,
  .legend i.danger {
    background: var(--_danger);
  }
  .outcome-bar .warning,
  .legend i.warning {
    background: var(--_warning);
  }
  .outcome-bar .accent,
  .legend i.accent {
    background: var(--_accent);
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 14px;
    margin-top: 8px;
    font-size: 12px;
    color: var(--_muted);
  }
  .legend span {
    display: inline-flex;
    align-items: center;
    gap: 6px;
  }
  .legend i {
    width: 8px;
    height: 8px;
    border-radius: 2px;
  }
  .histogram {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 5px;
    font-size: 12px;
  }
  .histogram li {
    display: grid;
    grid-template-columns: 64px 1fr 40px;
    gap: 8px;
    align-items: center;
  }
  .histogram .bucket {
    color: var(--_muted);
  }
  .histogram .track {
    height: 8px;
    border-radius: 4px;
    background: var(--_border);
    overflow: hidden;
  }
  .histogram .track span {
    display: block;
    height: 100%;
    background: var(--_accent);
    border-radius: 4px;
  }
  .histogram .count {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  dialog.server-form {
    width: min(600px, calc(100vw - 32px));
  }
  .checks {
    display: grid;
    gap: 6px;
    font-size: 13px;
  }
  .checks label {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  .secret-note {
    font-size: 12px;
    font-weight: 400;
    color: var(--_muted);
  }
  .timeout {
    max-width: 260px;
  }
`;
