import { css } from 'lit';

/** Styles of `<preloop-agents>`. */
export const agentsStyles = css`
  :host {
    display: block;
  }
  .agent {
    display: flex;
    align-items: center;
    gap: 10px;
  }
  .agent-icon {
    width: 32px;
    height: 32px;
    border-radius: 8px;
    display: grid;
    place-items: center;
    background: var(--_surface-muted);
    color: var(--_muted);
    flex: none;
  }
  .agent-icon svg {
    width: 17px;
    height: 17px;
  }
  td.actions {
    text-align: right;
    white-space: nowrap;
  }
  td.actions button + button {
    margin-left: 6px;
  }
  .card-header .tabs {
    border: 0;
    margin: 0;
  }
  .banner {
    margin-bottom: 14px;
  }
  .agent .primary-text {
    white-space: nowrap;
  }
  @media (max-width: 720px) {
    .optional {
      display: none;
    }
    td.actions button {
      display: block;
      width: 100%;
    }
    td.actions button + button {
      margin: 6px 0 0;
    }
  }
`;
