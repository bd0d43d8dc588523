import { css } from 'lit';

/** Styles of `<preloop-usage-chart>`, including the parts of uPlot's stylesheet it needs inside the shadow root. */
export const usageChartStyles = css`
  :host {
    display: block;
    --preloop-usage-chart-height: 280px;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    gap: 10px;
    align-items: center;
  }
  .segmented {
    display: inline-flex;
    padding: 2px;
    border-radius: 8px;
    background: var(--_surface-muted);
    border: 1px solid var(--_border);
  }
  .segmented button {
    height: 28px;
    border: 0;
    background: transparent;
    color: var(--_muted);
    padding: 0 10px;
    border-radius: 6px;
    font-size: 12.5px;
  }
  .segmented button:hover:not(:disabled) {
    background: transparent;
    color: var(--_text);
  }
  .segmented button[aria-pressed='true'] {
    background: var(--_surface);
    color: var(--_text);
    box-shadow: var(--_shadow);
  }
  .chart {
    position: relative;
    height: var(--preloop-usage-chart-height);
    margin: 6px 0 0;
  }
  .chart-skeleton {
    height: 100%;
    margin: 0 18px;
  }
  .summary {
    display: flex;
    gap: 28px;
    flex-wrap: wrap;
    padding: 16px 18px 4px;
  }
  .summary .figure {
    display: grid;
    gap: 2px;
  }
  .summary .figure span {
    font-size: 12px;
    color: var(--_muted);
  }
  .summary .figure strong {
    font-size: 22px;
    font-weight: 650;
    letter-spacing: -0.02em;
    font-variant-numeric: tabular-nums;
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    gap: 6px 16px;
    padding: 4px 18px 16px;
    font-size: 12.5px;
  }
  .legend span {
    display: inline-flex;
    align-items: center;
    gap: 6px;
  }
  .legend i {
    width: 10px;
    height: 10px;
    border-radius: 3px;
  }
  .plot {
    padding: 0 8px 0 4px;
  }
  .uplot,
  .uplot *,
  .uplot *::before,
  .uplot *::after {
    box-sizing: border-box;
  }
  .uplot {
    font-family: var(--_font);
    line-height: 1.5;
    width: min-content;
  }
  .u-wrap {
    position: relative;
    user-select: none;
  }
  .u-over,
  .u-under {
    position: absolute;
  }
  .u-under {
    overflow: hidden;
  }
  .uplot canvas {
    display: block;
    position: relative;
    width: 100%;
    height: 100%;
  }
  .u-axis {
    position: absolute;
  }
  .u-legend {
    display: none;
  }
  .u-select {
    background: color-mix(in srgb, var(--_accent) 10%, transparent);
    position: absolute;
    pointer-events: none;
  }
  .u-cursor-x,
  .u-cursor-y {
    position: absolute;
    left: 0;
    top: 0;
    pointer-events: none;
    will-change: transform;
  }
  .u-hz .u-cursor-x {
    height: 100%;
    border-right: 1px dashed var(--_border-strong);
  }
  .u-hz .u-cursor-y {
    display: none;
  }
  .u-cursor-pt {
    position: absolute;
    top: 0;
    left: 0;
    border-radius: 50%;
    border: 0 solid;
    pointer-events: none;
    will-change: transform;
    background-clip: padding-box !important;
  }
  .u-axis.u-off,
  .u-select.u-off,
  .u-cursor-x.u-off,
  .u-cursor-y.u-off,
  .u-cursor-pt.u-off {
    display: none;
  }
  .tooltip {
    position: absolute;
    pointer-events: none;
    z-index: 2;
    min-width: 160px;
    padding: 8px 10px;
    border-radius: 8px;
    background: var(--_surface);
    border: 1px solid var(--_border);
    box-shadow: var(--_shadow-raised);
    font-size: 12px;
    display: grid;
    gap: 3px;
  }
  .tooltip .row {
    display: flex;
    justify-content: space-between;
    gap: 12px;
  }
  .tooltip i {
    display: inline-block;
    width: 8px;
    height: 8px;
    border-radius: 2px;
    margin-right: 6px;
  }
`;
