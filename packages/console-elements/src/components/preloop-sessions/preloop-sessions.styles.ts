import { css } from 'lit';

/** Styles of `<preloop-sessions>`. */
export const sessionsStyles = css`
  :host {
    display: block;
  }
  .layout {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 16px;
    align-items: start;
  }
  :host([selected]) .layout {
    grid-template-columns: minmax(0, 0.9fr) minmax(0, 1.1fr);
  }
  @media (max-width: 1080px) {
    :host([selected]) .layout {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  tr[data-id] {
    cursor: pointer;
  }
  tr[aria-selected='true'] td {
    background: var(--_accent-soft);
  }
  .card-header .tabs {
    border: 0;
    margin: 0;
  }
  .detail-head {
    display: flex;
    align-items: flex-start;
    gap: 12px;
    padding: 16px 18px;
    border-bottom: 1px solid var(--_border);
  }
  .detail-head h2 {
    font-size: 16px;
  }
  .meta-grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(170px, 1fr));
    gap: 12px 18px;
    padding: 16px 18px;
    border-bottom: 1px solid var(--_border);
    font-size: 12.5px;
  }
  .meta-grid dt {
    color: var(--_muted);
    font-size: 11.5px;
    margin-bottom: 2px;
  }
  .meta-grid dd {
    margin: 0;
    word-break: break-all;
  }
  .section {
    padding: 16px 18px;
    border-bottom: 1px solid var(--_border);
  }
  .section:last-child {
    border-bottom: 0;
  }
  .section h3 {
    margin-bottom: 12px;
    display: flex;
    align-items: center;
    gap: 8px;
  }
  .timeline {
    list-style: none;
    margin: 0;
    padding: 0;
    position: relative;
  }
  .timeline::before {
    content: '';
    position: absolute;
    left: 11px;
    top: 6px;
    bottom: 6px;
    width: 2px;
    background: var(--_border);
  }
  .timeline li {
    position: relative;
    display: grid;
    grid-template-columns: 24px minmax(0, 1fr) auto;
    gap: 12px;
    padding: 6px 0;
    align-items: start;
  }
  .node {
    width: 24px;
    height: 24px;
    border-radius: 50%;
    display: grid;
    place-items: center;
    background: var(--_surface);
    border: 2px solid var(--_border-strong);
    color: var(--_muted);
    z-index: 1;
  }
  .node svg {
    width: 12px;
    height: 12px;
  }
  .node.success {
    border-color: var(--_success);
    color: var(--_success);
  }
  .node.danger {
    border-color: var(--_danger);
    color: var(--_danger);
  }
  .node.warning {
    border-color: var(--_warning);
    color: var(--_warning);
  }
  .entry strong {
    font-weight: 560;
  }
  .entry .summary {
    font-size: 13px;
  }
  .entry .kind {
    font-size: 11.5px;
    color: var(--_muted);
  }
  .timeline time {
    font-size: 12px;
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .gateway td {
    padding: 8px 10px;
  }
  .gateway th {
    padding: 8px 10px;
  }
`;
