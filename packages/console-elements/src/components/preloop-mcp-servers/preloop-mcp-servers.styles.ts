import { css } from 'lit';

/** Styles of `<preloop-mcp-servers>`. */
export const mcpServersStyles = css`
  :host {
    display: block;
  }
  .grid {
    display: grid;
    gap: 16px;
  }
  .servers {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(240px, 1fr));
    gap: 12px;
    padding: 16px 18px;
  }
  .server {
    border: 1px solid var(--_border);
    border-radius: var(--_radius-small);
    padding: 12px 14px;
    display: grid;
    gap: 6px;
  }
  .server .name {
    display: flex;
    align-items: center;
    gap: 8px;
    font-weight: 600;
  }
  .server .where {
    font-family: var(--_mono);
    font-size: 12px;
    color: var(--_muted);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  tr.quarantined td {
    background: color-mix(in srgb, var(--_warning-soft) 70%, transparent);
  }
  td.actions {
    text-align: right;
  }
  pre.json {
    max-height: 200px;
  }
  .stack {
    display: grid;
    gap: 12px;
  }
  .changes {
    margin: 0;
    padding: 0;
    list-style: none;
    display: grid;
    gap: 4px;
    font-size: 12.5px;
  }
  .search {
    width: 220px;
  }
`;
