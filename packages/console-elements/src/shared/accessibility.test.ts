import { afterEach, describe, expect, it } from 'vitest';
import { mount, ownerClient, query, queryAll, seed, unmountAll, waitFor } from '../../test/browser-helpers.js';

afterEach(unmountAll);

function parseColor(value: string): [number, number, number, number] {
  const numbers = value.match(/[\d.]+/g)!.map(Number);
  if (value.startsWith('color(srgb')) return [numbers[0]! * 255, numbers[1]! * 255, numbers[2]! * 255, numbers[3] ?? 1];
  return [numbers[0]!, numbers[1]!, numbers[2]!, numbers[3] ?? 1];
}

function luminance([r, g, b]: number[]): number {
  const channel = (value: number) => {
    const v = value / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
}

/** The first opaque background behind `element`, crossing shadow roots. */
function backgroundOf(element: Element): [number, number, number, number] {
  for (let node: Element | null = element; node; node = node.parentElement ?? ((node.getRootNode() as ShadowRoot).host ?? null)) {
    const color = parseColor(getComputedStyle(node).backgroundColor);
    if (color[3] > 0.95) return color;
  }
  return [255, 255, 255, 1];
}

function contrast(element: Element): number {
  const [a, b] = [luminance(parseColor(getComputedStyle(element).color)), luminance(backgroundOf(element))].sort((x, y) => y - x);
  return (a! + 0.05) / (b! + 0.05);
}

describe('accessibility', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`keeps text contrast at WCAG AA (4.5:1) in the ${theme} theme`, async () => {
      const agents = await mount('preloop-agents', { client: ownerClient() }, { theme });
      await waitFor(() => query(agents, `tr[data-id="${seed.agents.nightly}"] .badge`));
      const samples = [
        ...queryAll(agents, '.badge'),
        ...queryAll(agents, 'th'),
        ...queryAll(agents, '.secondary-text'),
        ...queryAll(agents, '.page-header p'),
        ...queryAll(agents, 'button.primary'),
        ...queryAll(agents, 'button.danger-outline'),
        ...queryAll(agents, '.tabs button'),
      ];
      expect(samples.length).toBeGreaterThan(10);
      const failing = samples.map((element) => ({ text: element.textContent?.trim(), ratio: contrast(element) })).filter((sample) => sample.ratio < 4.5);
      expect(failing).toEqual([]);
    });
  }

  it('gives every form control an accessible name', async () => {
    const settings = await mount('preloop-settings', { client: ownerClient() }, { tab: 'api-keys' });
    const editor = await mount('preloop-policy-editor', { client: ownerClient() });
    const log = await mount('preloop-audit-log', { client: ownerClient() });
    await waitFor(() => query(editor, 'textarea.source') && query(log, '.row'));
    const controls = [settings, editor, log].flatMap((host) => queryAll<HTMLInputElement>(host, 'input, select, textarea'));
    expect(controls.length).toBeGreaterThan(10);
    const unnamed = controls.filter((control) => !(control.labels?.length || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby')));
    expect(unnamed.map((control) => control.outerHTML.slice(0, 80))).toEqual([]);
  });

  it('works from the keyboard: rows take focus and open with Enter', async () => {
    const log = await mount('preloop-audit-log', { client: ownerClient() });
    const row = await waitFor(() => query<HTMLElement>(log, '.row'));
    row.focus();
    expect(log.shadowRoot!.activeElement).toBe(row);
    row.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await waitFor(() => query(log, '[part="detail"]'));
    expect(getComputedStyle(row).boxShadow === 'none' ? 'no ring' : 'ring').toBe('ring');
  });
});
