import { css } from 'lit';

/** Styles of `<preloop-approval-card>`: mobile first, two columns of actions (and of a question's options) from 480px. */
export const approvalCardStyles = css`
  :host {
    display: block;
  }
  article {
    position: relative;
    overflow: hidden;
  }
  .deadline-bar {
    position: absolute;
    inset: 0 0 auto 0;
    height: 3px;
    background: var(--_surface-muted);
  }
  .deadline-bar span {
    display: block;
    height: 100%;
    background: var(--_accent);
    transition: width 1s linear;
  }
  .deadline-bar.urgent span {
    background: var(--_warning);
  }
  header {
    display: flex;
    align-items: flex-start;
    gap: 12px;
    padding: 18px 18px 0;
  }
  .tool-icon {
    width: 36px;
    height: 36px;
    flex: none;
    border-radius: 9px;
    display: grid;
    place-items: center;
    background: var(--_accent-soft);
    color: var(--_accent);
  }
  .tool-icon svg {
    width: 18px;
    height: 18px;
  }
  .title {
    min-width: 0;
    flex: 1;
  }
  .title h2 {
    font-family: var(--_mono);
    font-size: 15px;
    font-weight: 600;
    word-break: break-all;
  }
  .title h2.plain {
    font-family: var(--_font);
    font-size: 15.5px;
  }
  .meta {
    margin-top: 3px;
    color: var(--_muted);
    font-size: 12.5px;
    display: flex;
    flex-wrap: wrap;
    gap: 4px 10px;
  }
  .meta code {
    font-size: 12px;
  }
  .countdown {
    flex: none;
    display: inline-flex;
    align-items: center;
    gap: 5px;
    height: 26px;
    padding: 0 9px;
    border-radius: 999px;
    font-variant-numeric: tabular-nums;
    font-weight: 620;
    font-size: 12.5px;
    background: var(--_accent-soft);
    color: var(--_accent);
  }
  .countdown svg {
    width: 14px;
    height: 14px;
  }
  .countdown.urgent {
    background: var(--_warning-soft);
    color: var(--_warning);
  }
  .countdown.over {
    background: var(--_danger-soft);
    color: var(--_danger);
  }
  .body {
    display: grid;
    gap: 14px;
    padding: 16px 18px 18px;
  }
  .reason {
    display: grid;
    gap: 4px;
    padding: 10px 12px;
    border-radius: var(--_radius-small);
    background: var(--_surface-muted);
    border: 1px solid var(--_border);
    font-size: 13px;
  }
  .reason .label,
  .section-label {
    font-size: 11px;
    font-weight: 600;
    letter-spacing: 0.05em;
    text-transform: uppercase;
    color: var(--_muted);
  }
  .section-label {
    margin-bottom: 6px;
  }
  blockquote {
    margin: 0;
    padding: 2px 0 2px 12px;
    border-left: 3px solid var(--_border-strong);
    color: var(--_text);
    font-size: 13px;
  }
  .quorum {
    display: flex;
    align-items: center;
    gap: 8px;
    font-size: 12.5px;
    color: var(--_muted);
  }
  .factors {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 12px;
    margin: 0;
    padding: 0;
    list-style: none;
    font-size: 12.5px;
    color: var(--_muted);
  }
  .pips {
    display: inline-flex;
    gap: 3px;
  }
  .pips i {
    width: 14px;
    height: 6px;
    border-radius: 3px;
    background: var(--_border-strong);
  }
  .pips i.on {
    background: var(--_success);
  }
  .question-text {
    font-size: 15px;
    font-weight: 560;
    line-height: 1.45;
    overflow-wrap: anywhere;
  }
  .answer {
    display: grid;
    gap: 10px;
  }
  .answer legend {
    float: left;
    width: 100%;
    margin-bottom: 0;
    padding: 0;
  }
  .options {
    display: grid;
    gap: 8px;
  }
  .option {
    display: flex;
    align-items: center;
    gap: 10px;
    min-height: 42px;
    padding: 8px 12px;
    border: 1px solid var(--_border-strong);
    border-radius: var(--_radius-small);
    background: var(--_surface);
    font-size: 13.5px;
    cursor: pointer;
    overflow-wrap: anywhere;
    transition:
      border-color 0.12s ease,
      background 0.12s ease;
  }
  .option:hover {
    background: var(--_surface-muted);
  }
  .option:has(input:checked) {
    border-color: var(--_accent);
    background: var(--_accent-soft);
    font-weight: 560;
  }
  .option:has(input:focus-visible) {
    box-shadow: var(--_focus);
  }
  .option:has(input:disabled) {
    opacity: 0.6;
    cursor: not-allowed;
  }
  .option input {
    width: 16px;
    height: 16px;
    min-height: 0;
    margin: 0;
    flex: none;
    accent-color: var(--_accent);
  }
  .option input:focus-visible {
    box-shadow: none;
  }
  .answer-given strong {
    font-weight: 620;
  }
  @media (min-width: 480px) {
    .options {
      grid-template-columns: repeat(auto-fill, minmax(180px, 1fr));
    }
  }
  .decide {
    display: grid;
    gap: 10px;
    padding-top: 14px;
    border-top: 1px solid var(--_border);
  }
  .actions {
    display: grid;
    grid-template-columns: 1fr;
    gap: 8px;
  }
  .actions button {
    height: 42px;
    font-size: 14px;
  }
  @media (min-width: 480px) {
    .actions {
      grid-template-columns: 1fr 1fr;
    }
  }
  :host([compact]) .actions button {
    height: 36px;
    font-size: 13px;
  }
  .timeline {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 8px;
    font-size: 12.5px;
  }
  .timeline li {
    display: grid;
    grid-template-columns: 10px 1fr auto;
    gap: 10px;
    align-items: baseline;
  }
  .timeline li::before {
    content: '';
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--_border-strong);
    transform: translateY(1px);
  }
  .timeline time {
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }
  .outcome {
    display: flex;
    gap: 8px;
    align-items: center;
    flex-wrap: wrap;
  }
  .skeleton.tall {
    height: 80px;
  }
  details summary {
    cursor: pointer;
    color: var(--_muted);
    font-size: 12.5px;
  }
`;
