import { css } from 'lit';

/** Styles of `<preloop-flows>`. */
export const flowsStyles = css`
  :host {
    display: block;
  }
  .name {
    font-weight: 600;
  }
  td.actions {
    white-space: nowrap;
  }
  td.actions button + button {
    margin-left: 6px;
  }
  dialog {
    width: min(880px, 96vw);
  }
  fieldset {
    border: 1px solid var(--preloop-border, #d0d7de);
    border-radius: 8px;
    margin: 0 0 12px;
    padding: 8px 12px;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 12px;
  }
  .row > .field {
    flex: 1 1 160px;
  }
  textarea.prompt {
    font-family: var(--preloop-font-mono, monospace);
    min-height: 160px;
  }
  textarea.mono {
    font-family: var(--preloop-font-mono, monospace);
  }
  pre.preview {
    white-space: pre-wrap;
    max-height: 240px;
    overflow: auto;
    font-size: 12px;
  }
  .tools {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 16px;
    max-height: 160px;
    overflow: auto;
  }
  code.webhook-url,
  code.webhook-secret {
    overflow-wrap: anywhere;
    font-size: 12px;
  }
  .actions {
    display: flex;
    justify-content: flex-end;
    gap: 8px;
  }
`;
