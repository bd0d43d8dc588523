import { css } from 'lit';

/** Styles of `<preloop-approval-queue>`. */
export const approvalQueueStyles = css`
  :host {
    display: block;
  }
  .list {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 400px), 1fr));
    gap: 16px;
    align-items: start;
  }
  .single {
    max-width: 680px;
  }
  /* Where focus goes after a decision (see keepFocus): the card in its place, the heading, or the empty state. */
  [data-id]:focus-visible,
  h1:focus-visible,
  .empty:focus-visible {
    outline: none;
    box-shadow: var(--_focus);
    border-radius: var(--_radius);
  }
  .tab-count {
    margin-left: 6px;
    min-width: 18px;
    height: 18px;
    padding: 0 5px;
    border-radius: 999px;
    font-size: 11px;
    background: var(--_accent-soft);
    color: var(--_accent);
    display: inline-grid;
    place-items: center;
  }
  tr[data-id] {
    cursor: pointer;
  }
  .more {
    display: flex;
    justify-content: center;
    padding: 14px;
  }
  .back {
    margin-bottom: 14px;
  }
  .unknown {
    margin-bottom: 16px;
    border-color: var(--_danger);
  }
  .unknown .card-body,
  .resolve {
    display: grid;
    gap: 10px;
  }
  .resolve {
    margin-top: 16px;
  }
  .resolve .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
  }
`;
