import { css } from 'lit';

/** Styles of `<preloop-executions>`. */
export const executionsStyles = css`
  :host {
    display: block;
  }
  .filters {
    display: flex;
    gap: 12px;
    align-items: end;
    margin-bottom: 12px;
  }
  td.actions {
    white-space: nowrap;
  }
  .detail dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 4px 16px;
    margin: 0 0 12px;
  }
  .detail dt {
    font-weight: 600;
  }
  .detail dd {
    margin: 0;
  }
  pre {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    font-size: 12px;
    max-height: 320px;
    overflow: auto;
    background: var(--preloop-surface-2, #f6f8fa);
    padding: 8px;
    border-radius: 6px;
  }
  .log .line {
    display: block;
  }
  .log .line[data-stream='stderr'],
  .log .line[data-stream='error'] {
    color: var(--preloop-danger, #b42318);
  }
  .buttons {
    display: flex;
    gap: 8px;
    margin-bottom: 12px;
  }
`;
