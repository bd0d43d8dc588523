import { css } from 'lit';

/** Styles of `<preloop-budgets>`: the spend meter fills towards the hard limit, amber past the soft limit, red at the hard one. */
export const budgetsStyles = css`
  :host {
    display: block;
  }
  .card-header p {
    margin-top: 2px;
  }
  .card-header button {
    flex: none;
  }
  .banner {
    margin: 14px 18px 0;
  }
  .spend-head {
    min-width: 220px;
  }
  .spend {
    display: grid;
    gap: 5px;
    max-width: 320px;
  }
  .figures {
    display: flex;
    align-items: baseline;
    gap: 6px;
    font-variant-numeric: tabular-nums;
  }
  .figures strong {
    font-weight: 620;
  }
  .meter {
    position: relative;
    height: 8px;
    border-radius: 999px;
    background: var(--_surface-muted);
    box-shadow: inset 0 0 0 1px var(--_border);
    overflow: hidden;
  }
  .meter span {
    position: absolute;
    inset: 0 auto 0 0;
    border-radius: inherit;
    transition: width 0.4s ease;
  }
  .meter .spent {
    background: var(--_success);
  }
  .meter .reserved {
    background: color-mix(in srgb, var(--_success) 35%, transparent);
  }
  .meter.soft_limit_reached .spent {
    background: var(--_warning);
  }
  .meter.soft_limit_reached .reserved {
    background: color-mix(in srgb, var(--_warning) 35%, transparent);
  }
  .meter.hard_limit_reached .spent {
    background: var(--_danger);
  }
  .meter .soft {
    position: absolute;
    top: 0;
    bottom: 0;
    width: 2px;
    margin-left: -1px;
    background: var(--_text);
    opacity: 0.45;
  }
  td.actions {
    text-align: right;
    white-space: nowrap;
  }
  dialog p {
    margin: -4px 0 0;
  }
  @media (prefers-reduced-motion: reduce) {
    .meter span {
      transition: none;
    }
  }
`;
