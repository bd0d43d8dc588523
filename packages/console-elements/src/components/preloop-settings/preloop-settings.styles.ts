import { css } from 'lit';

/** Styles of `<preloop-settings>`. */
export const settingsStyles = css`
  :host {
    display: block;
  }
  .stack {
    display: grid;
    /* minmax(0, …): a wide table scrolls in its card instead of widening the column (and the page). */
    grid-template-columns: minmax(0, 1fr);
    gap: 16px;
  }
  .create {
    padding: 16px 18px;
    border-bottom: 1px solid var(--_border);
    display: grid;
    gap: 12px;
  }
  .create .form-grid {
    grid-template-columns: repeat(auto-fill, minmax(170px, 1fr));
  }
  td.actions {
    text-align: right;
    white-space: nowrap;
  }
  td.actions button + button {
    margin-left: 6px;
  }
  td select {
    width: auto;
    min-height: 28px;
    padding: 3px 8px;
    font-size: 12.5px;
  }
  .scopes {
    display: flex;
    flex-wrap: wrap;
    gap: 6px 16px;
    font-size: 13px;
  }
  .scopes legend {
    flex-basis: 100%;
  }
  .scopes label {
    display: inline-flex;
    align-items: center;
    gap: 6px;
  }
  .secret {
    display: grid;
    gap: 10px;
    padding: 16px 18px;
    border-bottom: 1px solid var(--_border);
    background: var(--_success-soft);
  }
  .secret .key {
    display: flex;
    gap: 8px;
    align-items: center;
  }
  .secret code {
    flex: 1;
    min-width: 0;
    padding: 9px 12px;
    border-radius: var(--_radius-small);
    background: var(--_surface);
    border: 1px solid var(--_border);
    font-size: 13px;
    overflow-x: auto;
    white-space: nowrap;
    user-select: all;
  }
  .members {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
  }
  fieldset.member-picker {
    display: grid;
    gap: 6px;
    max-height: 220px;
    overflow: auto;
    padding: 8px 10px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius-small);
  }
  .scopes legend + label {
    margin-left: 0;
  }
  .member-picker label {
    display: flex;
    gap: 8px;
    align-items: center;
    font-size: 13px;
  }
  .kill {
    display: grid;
    gap: 14px;
  }
  .kill p {
    margin: 0;
  }
  .kill-scopes {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    border: 1px solid var(--_border);
    border-radius: var(--_radius-small);
    overflow: hidden;
  }
  .kill-scopes li {
    display: grid;
    grid-template-columns: 1fr auto 130px;
    gap: 12px;
    align-items: center;
    padding: 10px 14px;
  }
  .kill-scopes li + li {
    border-top: 1px solid var(--_border);
  }
  .kill-scopes li.stopped {
    background: var(--_danger-soft);
  }
  .kill-scopes li button {
    justify-self: end;
  }
  .kill .stop {
    display: grid;
    gap: 12px;
    padding-top: 14px;
    border-top: 1px solid var(--_border);
  }
  .kill .stop .field {
    max-width: 520px;
  }
  @media (max-width: 560px) {
    .kill-scopes li {
      grid-template-columns: 1fr auto;
    }
    .kill-scopes li button,
    .kill-scopes .resume-placeholder {
      grid-column: 1 / -1;
      justify-self: start;
    }
    .kill-scopes .resume-placeholder {
      display: none;
    }
  }
  .banner {
    margin-bottom: 2px;
  }
`;
