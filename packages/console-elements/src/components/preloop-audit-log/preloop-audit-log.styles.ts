import { css } from 'lit';

/** Styles of `<preloop-audit-log>`. */
export const auditLogStyles = css`
  :host {
    display: block;
    --preloop-audit-log-height: 560px;
  }
  .filters {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(170px, 1fr));
    gap: 10px 12px;
    padding: 14px 18px;
    border-bottom: 1px solid var(--_border);
    align-items: end;
  }
  .filters input,
  .filters select {
    min-width: 0;
  }
  .filters .buttons {
    display: flex;
    gap: 8px;
  }
  .layout {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
  }
  :host([has-selection]) .layout {
    grid-template-columns: minmax(0, 1fr) minmax(280px, 380px);
  }
  @media (max-width: 900px) {
    :host([has-selection]) .layout {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  .list {
    container-type: inline-size;
    min-width: 0;
  }
  .grid-row {
    display: grid;
    grid-template-columns: 56px 122px minmax(80px, 1fr) minmax(110px, 1.2fr) minmax(90px, 1fr) 88px;
    align-items: center;
    gap: 10px;
    padding: 0 18px;
    min-height: 42px;
    width: 100%;
    font-size: 13px;
    border-bottom: 1px solid var(--_border);
  }
  .head {
    min-height: 36px;
    background: var(--_surface-muted);
    font-size: 11.5px;
    font-weight: 600;
    letter-spacing: 0.04em;
    text-transform: uppercase;
    color: var(--_muted);
  }
  .rows {
    height: var(--preloop-audit-log-height);
    overflow: auto;
    contain: strict;
  }
  .row {
    cursor: pointer;
    background: var(--_surface);
  }
  .row:hover {
    background: color-mix(in srgb, var(--_surface-muted) 60%, var(--_surface));
  }
  .row[aria-selected='true'] {
    background: var(--_accent-soft);
  }
  .row:focus-visible {
    outline: none;
    box-shadow: inset var(--_focus);
  }
  .cell {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .seq {
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }
  .time {
    font-variant-numeric: tabular-nums;
    color: var(--_muted);
  }
  .action {
    font-family: var(--_mono);
    font-size: 12.5px;
  }
  .detail {
    border-left: 1px solid var(--_border);
    padding: 16px 18px;
    display: grid;
    gap: 12px;
    align-content: start;
    max-height: calc(var(--preloop-audit-log-height) + 36px);
    overflow: auto;
  }
  @media (max-width: 900px) {
    .detail {
      border-left: 0;
      border-top: 1px solid var(--_border);
      max-height: none;
    }
  }
  .detail dl {
    display: grid;
    grid-template-columns: max-content minmax(0, 1fr);
    gap: 6px 14px;
    margin: 0;
    font-size: 12.5px;
  }
  .detail dt {
    color: var(--_muted);
  }
  .detail dd {
    margin: 0;
    word-break: break-all;
  }
  .status-bar {
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 10px 18px;
    font-size: 12.5px;
    color: var(--_muted);
  }
  .verify-result {
    margin: 14px 18px 0;
  }
  .new-pill {
    all: unset;
    cursor: pointer;
    font-size: 12px;
    font-weight: 600;
    padding: 3px 10px;
    border-radius: 999px;
    background: var(--_accent);
    color: var(--_on-accent);
  }
  /* Narrow containers (a portal column, a phone) drop the sequence and target columns, then the actor. */
  @container (max-width: 720px) {
    .grid-row {
      grid-template-columns: 112px minmax(70px, 0.8fr) minmax(100px, 1.2fr) 86px;
    }
    .grid-row > :nth-child(1),
    .grid-row > :nth-child(5) {
      display: none;
    }
  }
  @container (max-width: 460px) {
    .grid-row {
      grid-template-columns: 104px minmax(0, 1fr) 84px;
    }
    .grid-row > :nth-child(3) {
      display: none;
    }
  }
`;
