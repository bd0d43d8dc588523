import { css } from 'lit';

/** Styles of `<preloop-approve-app>`: one column for phones; the glance view replaces it at 200 px wide or less (a container query on the element). */
export const approveAppStyles = css`
  :host {
    display: block;
    container-type: inline-size;
    max-width: 680px;
    margin: 0 auto;
    padding: 12px;
  }
  .full {
    display: grid;
    gap: 12px;
  }
  .bar {
    display: flex;
    align-items: center;
    gap: 8px;
    flex-wrap: wrap;
  }
  .bar strong {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    font-size: 17px;
    margin-right: auto;
  }
  .bar strong svg {
    width: 22px;
    height: 22px;
    color: var(--_accent);
  }
  .list {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 8px;
  }
  .row {
    width: 100%;
    min-height: 56px;
    display: grid;
    justify-items: start;
    gap: 2px;
    text-align: left;
    padding: 10px 14px;
  }
  .row .tool {
    font-family: var(--_mono);
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  button.link {
    justify-self: start;
    border: none;
    background: none;
    color: var(--_accent);
    padding: 4px 0;
  }
  .pairing ol {
    margin: 8px 0;
    padding-left: 20px;
    display: grid;
    gap: 4px;
  }
  .pairing li[data-state='done']::marker {
    content: '✓ ';
    color: var(--_success);
  }
  .pairing li[data-state='failed'] {
    color: var(--_danger);
  }
  .pairing li[data-state='current'] {
    font-weight: 600;
  }
  .pairing,
  .offer {
    display: grid;
    gap: 8px;
  }
  .glance {
    display: none;
  }
  @container (max-width: 200px) {
    .full {
      display: none;
    }
    .glance {
      display: grid;
      gap: 6px;
      text-align: center;
    }
    .glance .tool {
      font-family: var(--_mono);
      font-size: 13px;
      overflow-wrap: anywhere;
    }
    .glance .line {
      font-size: 12px;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .glance .big {
      display: grid;
      grid-template-columns: 1fr 1fr;
      gap: 8px;
    }
    .glance .big button {
      min-height: 56px;
      justify-content: center;
    }
    .glance .big svg {
      width: 28px;
      height: 28px;
    }
  }
`;
