import { css } from 'lit';

/** Styles of `<preloop-issues>`. */
export const issuesStyles = css`
  :host {
    display: block;
  }
  .layout {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 16px;
    align-items: start;
  }
  :host([selected]) .layout {
    grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
  }
  @media (max-width: 1080px) {
    :host([selected]) .layout {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  .filters {
    display: flex;
    flex-wrap: wrap;
    gap: 8px 12px;
    align-items: flex-end;
    padding: 12px 16px;
    border-bottom: 1px solid var(--_border);
  }
  .filters label.field {
    margin: 0;
    min-width: 110px;
    flex: 0 1 140px;
  }
  .filters label.field.grow {
    flex: 1 1 220px;
  }
  tr[data-id] {
    cursor: pointer;
  }
  tr[aria-selected='true'] td {
    background: var(--_accent-soft);
  }
  .title {
    font-weight: 600;
  }
  .badge.label {
    margin-left: 4px;
  }
  .pager {
    display: flex;
    justify-content: center;
    padding: 12px;
  }
  .detail-head {
    display: flex;
    align-items: flex-start;
    justify-content: space-between;
    gap: 12px;
    padding: 16px 18px;
    border-bottom: 1px solid var(--_border);
  }
  .detail-head h2 {
    font-size: 16px;
    margin: 0 0 4px;
  }
  .detail-body {
    padding: 12px 18px 18px;
  }
  .detail-body h3 {
    font-size: 13px;
    margin: 18px 0 8px;
  }
  .body {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .labels {
    display: flex;
    gap: 6px;
    flex-wrap: wrap;
    margin-bottom: 10px;
  }
  .comments {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 10px;
  }
  .comments li {
    border: 1px solid var(--_border);
    border-radius: var(--_radius, 8px);
    padding: 8px 12px;
  }
  .linked,
  .similar {
    margin: 0;
    padding-left: 18px;
  }
  .comment-form {
    margin-top: 12px;
    display: grid;
    gap: 8px;
    justify-items: start;
  }
  .comment-form label.field {
    width: 100%;
  }
`;
