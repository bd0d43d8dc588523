import { css } from 'lit';

/** Styles of `<preloop-settings>`. */
export const settingsStyles = css`
  :host {
    display: block;
  }
  .stack {
    display: grid;
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
  .banner {
    margin-bottom: 2px;
  }
`;
