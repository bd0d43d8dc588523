import { css } from 'lit';

/** Styles of `<preloop-tracker-connections>`. */
export const trackerConnectionsStyles = css`
  :host {
    display: block;
  }
  .name {
    font-weight: 600;
  }
  code.webhook-url,
  code.webhook-secret {
    overflow-wrap: anywhere;
    font-size: 12px;
  }
  .sync + .sync {
    margin-top: 4px;
  }
  td.actions {
    white-space: nowrap;
  }
  td.my-credential button {
    margin-left: 6px;
  }
  td.actions button + button {
    margin-left: 6px;
  }
  fieldset {
    border: 0;
    margin: 0 0 8px;
    padding: 0;
  }
  .banner.created {
    display: block;
    margin-bottom: 12px;
  }
`;
