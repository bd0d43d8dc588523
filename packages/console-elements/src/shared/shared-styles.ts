import { css } from 'lit';

/**
 * The building blocks every element shares: headings, cards, buttons, fields,
 * tables, badges, banners, empty states and skeletons. Elements add their own
 * layout in their `<name>.styles.ts`.
 */
export const sharedStyles = css`
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  /* Icons default to 16 px; any class rule overrides it. */
  :where(svg) {
    width: 16px;
    height: 16px;
    flex: none;
  }
  .banner > svg {
    width: 18px;
    height: 18px;
    margin-top: 1px;
  }
  h1,
  h2,
  h3,
  h4,
  p {
    margin: 0;
  }
  h1 {
    font-size: 22px;
    font-weight: 650;
    letter-spacing: -0.015em;
    line-height: 1.3;
  }
  h2 {
    font-size: 15px;
    font-weight: 620;
    letter-spacing: -0.005em;
  }
  h3 {
    font-size: 13px;
    font-weight: 600;
  }
  a {
    color: var(--_accent);
    text-decoration: none;
  }
  a:hover {
    text-decoration: underline;
  }
  code,
  pre,
  .mono {
    font-family: var(--_mono);
    font-size: 12.5px;
  }
  .muted {
    color: var(--_muted);
  }
  .small {
    font-size: 12px;
  }
  .page-header {
    display: flex;
    align-items: flex-end;
    justify-content: space-between;
    gap: 16px;
    flex-wrap: wrap;
    margin-bottom: 20px;
  }
  .page-header p {
    color: var(--_muted);
    margin-top: 4px;
  }
  .card {
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    box-shadow: var(--_shadow);
  }
  .card-header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    padding: 14px 18px;
    border-bottom: 1px solid var(--_border);
  }
  .card-body {
    padding: 16px 18px;
  }
  .toolbar {
    display: flex;
    align-items: center;
    gap: 8px;
    flex-wrap: wrap;
  }
  .spacer {
    flex: 1;
  }

  button,
  .button {
    font: inherit;
    font-size: 13px;
    font-weight: 560;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 6px;
    height: 34px;
    padding: 0 14px;
    border-radius: var(--_radius-small);
    border: 1px solid var(--_border-strong);
    background: var(--_surface);
    color: var(--_text);
    cursor: pointer;
    white-space: nowrap;
    transition:
      background 0.12s ease,
      border-color 0.12s ease,
      box-shadow 0.12s ease;
  }
  button:hover:not(:disabled) {
    background: var(--_surface-muted);
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  a:focus-visible,
  [tabindex]:focus-visible {
    outline: none;
    box-shadow: var(--_focus);
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
  }
  button.primary:hover:not(:disabled) {
    background: var(--_accent-hover);
    border-color: var(--_accent-hover);
  }
  button.danger {
    background: var(--_danger);
    border-color: var(--_danger);
    color: light-dark(#fff, #0b0d12);
  }
  button.danger:hover:not(:disabled) {
    filter: brightness(1.08);
    background: var(--_danger);
  }
  button.danger-outline {
    color: var(--_danger);
  }
  button.ghost {
    border-color: transparent;
    background: transparent;
  }
  button.ghost:hover:not(:disabled) {
    background: var(--_surface-muted);
  }
  button.small {
    height: 28px;
    padding: 0 10px;
    font-size: 12.5px;
  }
  button.icon {
    width: 34px;
    padding: 0;
  }
  button svg,
  .icon svg {
    width: 16px;
    height: 16px;
    flex: none;
  }

  fieldset {
    border: 0;
    margin: 0;
    padding: 0;
    min-width: 0;
  }
  legend.field-legend {
    padding: 0;
    margin-bottom: 6px;
    font-size: 12.5px;
    font-weight: 560;
  }
  label.field {
    display: grid;
    gap: 6px;
    font-size: 12.5px;
    font-weight: 560;
    color: var(--_text);
  }
  label.field .hint {
    font-weight: 400;
    color: var(--_muted);
  }
  input,
  select,
  textarea {
    font: inherit;
    font-size: 13.5px;
    font-weight: 400;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border-strong);
    border-radius: var(--_radius-small);
    padding: 7px 10px;
    min-height: 34px;
    width: 100%;
  }
  input:not([type='checkbox']):not([type='radio']),
  select {
    height: 34px;
  }
  textarea {
    resize: vertical;
    line-height: 1.5;
  }
  input[type='checkbox'] {
    width: auto;
    min-height: 0;
    accent-color: var(--_accent);
  }
  input::placeholder,
  textarea::placeholder {
    color: var(--_muted);
    opacity: 0.8;
  }
  .form-grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(180px, 1fr));
    gap: 12px;
    align-items: end;
  }

  table {
    width: 100%;
    border-collapse: collapse;
    font-size: 13px;
  }
  th {
    text-align: left;
    font-size: 11.5px;
    font-weight: 600;
    letter-spacing: 0.04em;
    text-transform: uppercase;
    color: var(--_muted);
    padding: 10px 18px;
    border-bottom: 1px solid var(--_border);
    background: var(--_surface-muted);
    white-space: nowrap;
  }
  td {
    padding: 11px 18px;
    border-bottom: 1px solid var(--_border);
    vertical-align: middle;
  }
  tbody tr:last-child td {
    border-bottom: 0;
  }
  tbody tr:hover td {
    background: color-mix(in srgb, var(--_surface-muted) 60%, transparent);
  }
  /* A wide table scrolls inside its card, never the page. Positioned, so the visually hidden labels in it stay inside the scroller too. */
  .table-wrap {
    overflow-x: auto;
    position: relative;
  }
  td .primary-text {
    font-weight: 560;
  }
  td .secondary-text {
    color: var(--_muted);
    font-size: 12px;
  }

  .badge {
    display: inline-flex;
    align-items: center;
    gap: 5px;
    height: 22px;
    padding: 0 8px;
    border-radius: 999px;
    font-size: 11.5px;
    font-weight: 600;
    background: var(--_surface-muted);
    color: var(--_muted);
    border: 1px solid var(--_border);
    white-space: nowrap;
  }
  .badge::before {
    content: '';
    width: 6px;
    height: 6px;
    border-radius: 50%;
    background: currentColor;
  }
  .badge.plain::before {
    display: none;
  }
  .badge.success {
    background: var(--_success-soft);
    color: var(--_success);
    border-color: color-mix(in srgb, var(--_success) 25%, transparent);
  }
  .badge.warning {
    background: var(--_warning-soft);
    color: var(--_warning);
    border-color: color-mix(in srgb, var(--_warning) 25%, transparent);
  }
  .badge.danger {
    background: var(--_danger-soft);
    color: var(--_danger);
    border-color: color-mix(in srgb, var(--_danger) 25%, transparent);
  }
  .badge.accent {
    background: var(--_accent-soft);
    color: var(--_accent);
    border-color: color-mix(in srgb, var(--_accent) 25%, transparent);
  }
  .tag {
    display: inline-block;
    padding: 1px 7px;
    border-radius: 5px;
    background: var(--_surface-muted);
    border: 1px solid var(--_border);
    font-size: 11.5px;
    color: var(--_muted);
    margin-right: 4px;
  }

  .banner {
    display: flex;
    gap: 10px;
    align-items: flex-start;
    padding: 10px 14px;
    border-radius: var(--_radius-small);
    border: 1px solid var(--_border);
    background: var(--_surface-muted);
    font-size: 13px;
  }
  .banner.error {
    background: var(--_danger-soft);
    border-color: color-mix(in srgb, var(--_danger) 30%, transparent);
    color: var(--_danger);
  }
  .banner.success {
    background: var(--_success-soft);
    border-color: color-mix(in srgb, var(--_success) 30%, transparent);
    color: var(--_success);
  }
  .banner.warning {
    background: var(--_warning-soft);
    border-color: color-mix(in srgb, var(--_warning) 30%, transparent);
    color: var(--_warning);
  }
  .banner strong {
    font-weight: 620;
  }

  .empty {
    display: grid;
    justify-items: center;
    gap: 6px;
    padding: 40px 20px;
    text-align: center;
    color: var(--_muted);
  }
  .empty strong {
    color: var(--_text);
    font-weight: 600;
    font-size: 14px;
  }
  .empty svg {
    width: 28px;
    height: 28px;
    color: var(--_border-strong);
    margin-bottom: 4px;
  }

  .skeleton {
    display: block;
    border-radius: 6px;
    background: linear-gradient(90deg, var(--_surface-muted) 0%, color-mix(in srgb, var(--_surface-muted) 40%, var(--_border)) 50%, var(--_surface-muted) 100%);
    background-size: 200% 100%;
    animation: shimmer 1.4s ease-in-out infinite;
    min-height: 12px;
  }
  @keyframes shimmer {
    from {
      background-position: 200% 0;
    }
    to {
      background-position: -200% 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .skeleton {
      animation: none;
    }
  }

  .tabs {
    display: flex;
    gap: 2px;
    border-bottom: 1px solid var(--_border);
    margin-bottom: 18px;
    overflow-x: auto;
  }
  .tabs button {
    border: 0;
    border-bottom: 2px solid transparent;
    border-radius: 0;
    background: none;
    height: 38px;
    padding: 0 12px;
    color: var(--_muted);
    margin-bottom: -1px;
  }
  .tabs button:hover:not(:disabled) {
    background: none;
    color: var(--_text);
  }
  .tabs button[aria-selected='true'] {
    color: var(--_text);
    border-bottom-color: var(--_accent);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  pre.json {
    margin: 0;
    padding: 12px 14px;
    background: var(--_surface-muted);
    border: 1px solid var(--_border);
    border-radius: var(--_radius-small);
    overflow: auto;
    max-height: 320px;
    line-height: 1.55;
    white-space: pre-wrap;
    word-break: break-word;
  }
  .json-key {
    color: light-dark(#6d28d9, #c4b5fd);
  }
  .json-string {
    color: light-dark(#047857, #6ee7b7);
  }
  .json-number {
    color: light-dark(#b45309, #fcd34d);
  }
  .json-literal {
    color: light-dark(#1d4ed8, #93c5fd);
  }
  .json-redacted {
    color: var(--_muted);
    font-style: italic;
  }
  dialog {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_text);
    box-shadow: var(--_shadow-raised);
    padding: 0;
    width: min(520px, calc(100vw - 32px));
  }
  dialog::backdrop {
    background: rgb(10 12 20 / 0.45);
  }
  dialog form {
    display: grid;
    gap: 14px;
    padding: 20px;
  }
  dialog .actions {
    display: flex;
    justify-content: flex-end;
    gap: 8px;
  }
`;

/** The "Live" indicator of views that update from the event stream. */
export const livePillStyles = css`
  .live {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    font-size: 12px;
    color: var(--_muted);
    height: 26px;
    padding: 0 10px;
    border-radius: 999px;
    border: 1px solid var(--_border);
    background: var(--_surface);
  }
  .live .dot {
    width: 7px;
    height: 7px;
    border-radius: 50%;
    background: var(--_success);
    box-shadow: 0 0 0 3px color-mix(in srgb, var(--_success) 22%, transparent);
  }
  .live .dot.warning {
    background: var(--_warning);
    box-shadow: 0 0 0 3px color-mix(in srgb, var(--_warning) 22%, transparent);
  }
  .live .dot.danger {
    background: var(--_danger);
    box-shadow: 0 0 0 3px color-mix(in srgb, var(--_danger) 22%, transparent);
  }
`;
