import { css } from 'lit';

/** Styles of `<preloop-models>`. */
export const modelsStyles = css`
  :host {
    display: block;
  }
  td.actions {
    text-align: right;
    white-space: nowrap;
  }
  .alias {
    font-family: var(--_mono);
    font-weight: 600;
    font-size: 13px;
  }
  .num {
    font-variant-numeric: tabular-nums;
  }
  .banner {
    margin-bottom: 14px;
  }
  .budgets {
    margin-top: 16px;
  }
  .secret-note {
    font-size: 12px;
    color: var(--_muted);
  }
`;
