import { page } from 'vitest/browser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PreloopClient } from '../client/preloop-client.js';
import { mount, ownerClient, query, queryAll, seed, unmountAll, waitFor } from '../../test/browser-helpers.js';

// At phone width (390 px) no admin page makes the page wider than the viewport:
// wide tables scroll inside their own card or stack their cells.

const width = 390;

beforeAll(async () => {
  await page.viewport(width, 844);
});

afterAll(async () => {
  await page.viewport(414, 896); // vitest's default
});

afterEach(() => {
  unmountAll();
  history.replaceState(null, '', location.pathname + location.search);
});

/** Waits until `host` shows data: `ready` matches and no skeleton is left. */
async function loaded(host: HTMLElement, ready: string): Promise<void> {
  await waitFor(() => query(host, ready) && queryAll(host, '.skeleton').length === 0, { message: `<${host.localName}> shows ${ready}` });
}

/** What is wider than the viewport, for the failure message. */
function overflowing(host: Element): string[] {
  const wide: string[] = [];
  const visit = (root: ShadowRoot | Element) => {
    for (const element of root.querySelectorAll('*')) {
      const box = element.getBoundingClientRect();
      if (box.right > width + 0.5 && box.width > 0)
        wide.push(`${element.localName}.${element.getAttribute('class') ?? ''} right=${Math.round(box.right)}`);
      if (element.shadowRoot) visit(element.shadowRoot);
    }
  };
  visit(host.shadowRoot ?? host);
  return wide.slice(0, 8);
}

async function expectFits(host: Element): Promise<void> {
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  expect(document.documentElement.scrollWidth, overflowing(host).join('\n')).toBeLessThanOrEqual(width);
}

const pages: Array<{ name: string; tag: keyof HTMLElementTagNameMap; attributes?: Record<string, string>; route: string; ready: string }> =
  [
    { name: 'models', tag: 'preloop-models', route: 'models', ready: 'table, .empty' },
    { name: 'settings: users', tag: 'preloop-settings', attributes: { tab: 'users' }, route: 'settings/users', ready: 'tbody tr' },
    { name: 'settings: API keys', tag: 'preloop-settings', attributes: { tab: 'api-keys' }, route: 'settings/api-keys', ready: 'tbody tr' },
    { name: 'MCP servers', tag: 'preloop-mcp-servers', route: 'mcp-servers', ready: 'tr[data-tool]' },
    { name: 'budgets', tag: 'preloop-budgets', route: 'models', ready: 'table, .empty' },
    { name: 'sessions', tag: 'preloop-sessions', route: 'sessions', ready: 'tr[data-id]' },
    { name: 'agents', tag: 'preloop-agents', route: 'agents', ready: 'tr[data-id]' },
    { name: 'audit log', tag: 'preloop-audit-log', route: 'audit', ready: '.row' },
  ];

describe(`at ${width} px wide, no admin page is wider than the viewport`, () => {
  for (const view of pages) {
    it(`${view.name}, alone`, async () => {
      const element = await mount(view.tag, { client: ownerClient() } as never, view.attributes ?? {});
      await loaded(element, view.ready);
      await expectFits(element);
    });

    it(`${view.name}, inside <preloop-console> (route ${view.route})`, async () => {
      await new PreloopClient().auth.login(seed.owner.email, seed.owner.password);
      const element = await mount('preloop-console', { client: new PreloopClient(), route: view.route }, { routing: 'none' });
      const inner = await waitFor(() => query<HTMLElement>(element, view.tag));
      await loaded(inner, view.ready);
      await expectFits(element);
    });
  }
});
