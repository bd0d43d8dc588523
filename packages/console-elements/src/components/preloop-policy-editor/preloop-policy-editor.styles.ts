import { css } from 'lit';

/** Styles of `<preloop-policy-editor>`. */
export const policyEditorStyles = css`
  :host {
    display: block;
    --preloop-policy-editor-height: 460px;
  }
  .editor-card .card-header {
    flex-wrap: wrap;
  }
  .status {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    font-size: 12.5px;
  }
  .editor {
    position: relative;
    display: grid;
    grid-template-columns: auto minmax(0, 1fr);
    max-height: var(--preloop-policy-editor-height);
    min-height: 220px;
    overflow: auto;
    background: var(--_surface);
    font-family: var(--_mono);
    font-size: 13px;
    line-height: 20px;
    tab-size: 2;
  }
  .gutter {
    position: sticky;
    left: 0;
    z-index: 2;
    padding: 10px 0;
    background: var(--_surface-muted);
    border-right: 1px solid var(--_border);
    color: var(--_muted);
    text-align: right;
    user-select: none;
    min-height: 100%;
  }
  .gutter div {
    position: relative;
    height: 20px;
    padding: 0 10px 0 22px;
    font-variant-numeric: tabular-nums;
    font-size: 12px;
  }
  .gutter div.has-error {
    color: var(--_danger);
    font-weight: 650;
  }
  .gutter div.has-error::before {
    content: '';
    position: absolute;
    left: 8px;
    top: 6px;
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--_danger);
  }
  .code {
    position: relative;
    min-width: 0;
  }
  .backdrop,
  textarea.source {
    margin: 0;
    padding: 10px 14px;
    font: inherit;
    line-height: inherit;
    letter-spacing: normal;
    white-space: pre;
    tab-size: 2;
    border: 0;
  }
  .backdrop {
    position: absolute;
    inset: 0 auto auto 0;
    min-width: 100%;
    pointer-events: none;
    color: transparent;
    white-space: normal;
  }
  .backdrop .line {
    height: 20px;
    position: relative;
    white-space: pre;
  }
  .backdrop .line.has-error {
    background: color-mix(in srgb, var(--_danger) 9%, transparent);
    box-shadow: inset 2px 0 0 var(--_danger);
    margin: 0 -14px;
    padding: 0 14px;
  }
  .backdrop .message {
    color: var(--_danger);
    font-family: var(--_font);
    font-size: 12px;
    font-style: italic;
    padding-left: 24px;
  }
  textarea.source {
    position: relative;
    display: block;
    width: 100%;
    min-height: 100%;
    overflow: hidden;
    resize: none;
    background: transparent;
    color: var(--_text);
    caret-color: var(--_accent);
    border-radius: 0;
  }
  textarea.source:focus-visible {
    box-shadow: none;
  }
  .editor:focus-within {
    box-shadow: inset var(--_focus);
  }
  .issues {
    list-style: none;
    margin: 0;
    padding: 10px 18px;
    border-top: 1px solid var(--_border);
    display: grid;
    gap: 4px;
    font-size: 12.5px;
  }
  .issues button {
    all: unset;
    cursor: pointer;
    color: var(--_danger);
  }
  .issues button:focus-visible {
    box-shadow: var(--_focus);
    border-radius: 4px;
  }
  .issues code {
    font-size: 12px;
  }
  .apply-row {
    display: flex;
    gap: 8px;
    align-items: center;
    padding: 12px 18px;
    border-top: 1px solid var(--_border);
    flex-wrap: wrap;
  }
  .apply-row input {
    flex: 1;
    min-width: 200px;
  }
  .lower {
    display: grid;
    grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
    gap: 16px;
    margin-top: 16px;
    align-items: start;
  }
  @media (max-width: 900px) {
    .lower {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  .diff {
    margin: 0;
    padding: 10px 0;
    font-family: var(--_mono);
    font-size: 12.5px;
    line-height: 19px;
    overflow: auto;
    max-height: 360px;
  }
  .diff div {
    padding: 0 18px;
    white-space: pre;
  }
  .diff .add {
    background: var(--_success-soft);
    color: var(--_success);
  }
  .diff .del {
    background: var(--_danger-soft);
    color: var(--_danger);
  }
  .diff .hunk {
    color: var(--_muted);
  }
  .simulate form {
    display: grid;
    gap: 12px;
  }
  .simulate textarea {
    font-family: var(--_mono);
    font-size: 12.5px;
  }
  .decision {
    display: grid;
    gap: 6px;
    padding: 12px 14px;
    border-radius: var(--_radius-small);
    border: 1px solid var(--_border);
    background: var(--_surface-muted);
    font-size: 13px;
  }
  .versions {
    list-style: none;
    margin: 0;
    padding: 0;
    max-height: 380px;
    overflow: auto;
  }
  .versions li {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr) auto;
    gap: 10px;
    align-items: center;
    padding: 10px 18px;
    border-bottom: 1px solid var(--_border);
    font-size: 13px;
  }
  .versions li:last-child {
    border-bottom: 0;
  }
  .versions .v {
    font-weight: 650;
    font-variant-numeric: tabular-nums;
  }
  .versions .comment {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .versions .buttons {
    display: flex;
    gap: 4px;
  }
`;
