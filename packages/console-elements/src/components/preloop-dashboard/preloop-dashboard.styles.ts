import { css } from 'lit';

/** Styles of `<preloop-dashboard>`. */
export const dashboardStyles = css`
  :host {
    display: block;
  }
  .stats {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(190px, 1fr));
    gap: 14px;
    margin-bottom: 20px;
  }
  .stat {
    all: unset;
    box-sizing: border-box;
    display: grid;
    grid-template-rows: auto auto 1fr;
    gap: 6px;
    padding: 16px 18px 14px;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    box-shadow: var(--_shadow);
    cursor: pointer;
    min-height: 132px;
    transition:
      border-color 0.12s ease,
      transform 0.12s ease;
  }
  .stat:hover {
    border-color: var(--_border-strong);
  }
  .stat:focus-visible {
    box-shadow: var(--_focus);
  }
  .stat .label {
    display: flex;
    align-items: center;
    gap: 8px;
    font-size: 12.5px;
    font-weight: 560;
    color: var(--_muted);
  }
  .chip {
    width: 26px;
    height: 26px;
    border-radius: 7px;
    display: grid;
    place-items: center;
    background: var(--_accent-soft);
    color: var(--_accent);
  }
  .chip svg {
    width: 15px;
    height: 15px;
  }
  .chip.success {
    background: var(--_success-soft);
    color: var(--_success);
  }
  .chip.warning {
    background: var(--_warning-soft);
    color: var(--_warning);
  }
  .chip.danger {
    background: var(--_danger-soft);
    color: var(--_danger);
  }
  .value {
    font-size: 28px;
    font-weight: 650;
    letter-spacing: -0.02em;
    line-height: 1.15;
    font-variant-numeric: tabular-nums;
  }
  .value.small-value {
    font-size: 20px;
    padding-top: 5px;
  }
  .foot {
    align-self: end;
    font-size: 12px;
    color: var(--_muted);
    display: flex;
    align-items: center;
    gap: 6px;
    min-height: 26px;
  }
  .spark {
    width: 100%;
    height: 28px;
    color: var(--_accent);
  }
  .dot {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--_success);
    flex: none;
  }
  .dot.warning {
    background: var(--_warning);
  }
  .dot.danger {
    background: var(--_danger);
  }
  .columns {
    display: grid;
    grid-template-columns: minmax(0, 1.7fr) minmax(0, 1fr);
    gap: 16px;
    align-items: start;
  }
  @media (max-width: 980px) {
    .columns {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  .feed {
    list-style: none;
    margin: 0;
    padding: 4px 0;
  }
  .feed li {
    display: grid;
    grid-template-columns: 8px minmax(0, 1fr) auto;
    align-items: center;
    gap: 12px;
    padding: 9px 18px;
    font-size: 13px;
  }
  .feed li + li {
    border-top: 1px solid var(--_border);
  }
  .feed .what {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .feed code {
    font-size: 12.5px;
    font-weight: 400;
    color: var(--_text);
  }
  .feed strong {
    font-weight: 600;
  }
  .off {
    color: var(--_muted);
    font-weight: 550;
    font-size: 17px;
  }
  .feed time {
    color: var(--_muted);
    font-size: 12px;
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .card-header a,
  .card-header button.link {
    font-size: 12.5px;
  }
  button.link {
    all: unset;
    cursor: pointer;
    color: var(--_accent);
    font-size: 12.5px;
    font-weight: 550;
  }
  button.link:focus-visible {
    box-shadow: var(--_focus);
    border-radius: 4px;
  }
  .value-skeleton {
    width: 64px;
    height: 30px;
  }
  .session-name {
    font-weight: 560;
  }
`;
