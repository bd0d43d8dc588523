import { css } from 'lit';

/**
 * The design tokens every element reads. Each private `--_*` variable takes
 * the public `--preloop-*` custom property when the host page sets it, else a
 * default that follows the element's `color-scheme` through `light-dark()`.
 * Set `theme="light" | "dark" | "auto"` on an element (it then paints its own
 * background) or `color-scheme` on any ancestor to pick the scheme; nested
 * elements inherit it.
 *
 * Public tokens: `--preloop-font-family`, `--preloop-font-family-mono`,
 * `--preloop-font-size`, `--preloop-color-background`, `--preloop-color-surface`,
 * `--preloop-color-surface-muted`, `--preloop-color-border`, `--preloop-color-text`,
 * `--preloop-color-text-muted`, `--preloop-color-accent`, `--preloop-color-on-accent`,
 * `--preloop-color-accent-soft`, `--preloop-color-success`, `--preloop-color-warning`,
 * `--preloop-color-danger`, `--preloop-radius`, `--preloop-radius-small`,
 * `--preloop-shadow`, `--preloop-focus-ring`.
 */
export const themeStyles = css`
  :host {
    --_font: var(--preloop-font-family, Inter, -apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif);
    --_mono: var(--preloop-font-family-mono, 'JetBrains Mono', 'SF Mono', ui-monospace, Menlo, Consolas, 'Liberation Mono', monospace);
    --_font-size: var(--preloop-font-size, 14px);
    --_bg: var(--preloop-color-background, light-dark(#f5f6f8, #0b0d12));
    --_surface: var(--preloop-color-surface, light-dark(#ffffff, #12151c));
    --_surface-muted: var(--preloop-color-surface-muted, light-dark(#f3f4f7, #181c25));
    --_border: var(--preloop-color-border, light-dark(#e4e7ec, #262b36));
    --_border-strong: var(--preloop-color-border-strong, light-dark(#cdd2da, #353b48));
    --_text: var(--preloop-color-text, light-dark(#111827, #e7e9ee));
    --_muted: var(--preloop-color-text-muted, light-dark(#5b6473, #9aa3b2));
    --_accent: var(--preloop-color-accent, light-dark(#4f46e5, #8b93ff));
    --_accent-hover: var(--preloop-color-accent-hover, light-dark(#4338ca, #a5abff));
    --_on-accent: var(--preloop-color-on-accent, light-dark(#ffffff, #0b0d12));
    --_accent-soft: var(--preloop-color-accent-soft, light-dark(#eef0ff, #1d2040));
    --_success: var(--preloop-color-success, light-dark(#15803d, #4ade80));
    --_success-soft: var(--preloop-color-success-soft, light-dark(#e7f7ed, #10261a));
    --_warning: var(--preloop-color-warning, light-dark(#b45309, #fbbf24));
    --_warning-soft: var(--preloop-color-warning-soft, light-dark(#fdf3e1, #2a2110));
    --_danger: var(--preloop-color-danger, light-dark(#c81e1e, #f87171));
    --_danger-soft: var(--preloop-color-danger-soft, light-dark(#fdecec, #2c1416));
    --_radius: var(--preloop-radius, 10px);
    --_radius-small: var(--preloop-radius-small, 6px);
    --_shadow: var(--preloop-shadow, 0 1px 2px light-dark(rgb(16 24 40 / 0.06), rgb(0 0 0 / 0.4)), 0 1px 3px light-dark(rgb(16 24 40 / 0.04), rgb(0 0 0 / 0.2)));
    --_shadow-raised: 0 12px 32px -8px light-dark(rgb(16 24 40 / 0.18), rgb(0 0 0 / 0.6));
    /* A solid ring in the accent colour: at least 3:1 against the surface (WCAG 1.4.11), where the former translucent ring measured 1.8:1. */
    --_focus: var(--preloop-focus-ring, 0 0 0 2px var(--_accent));
    font-family: var(--_font);
    font-size: var(--_font-size);
    line-height: 1.5;
    color: var(--_text);
    -webkit-font-smoothing: antialiased;
  }
  /* An element given an explicit theme paints its own background, so it reads well on any page. */
  :host([theme]) {
    background-color: var(--_bg);
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  :host([theme='auto']) {
    color-scheme: light dark;
  }
  :host([hidden]) {
    display: none !important;
  }
`;
