import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import { PreloopClient } from '../client/preloop-client.js';
import { axeViolations } from '../../test/axe-check.js';
import { mount, ownerClient, query, queryAll, seed, unmountAll, waitFor } from '../../test/browser-helpers.js';

// axe-core runs in the test page against each element mounted with data from the
// test kernel; any violation of impact serious or critical fails.

afterEach(() => {
  unmountAll();
  history.replaceState(null, '', location.pathname + location.search);
});

/** Waits until `host` shows data: `ready` matches and no skeleton is left. */
async function loaded(host: HTMLElement, ready: string): Promise<void> {
  await waitFor(() => query(host, ready) && queryAll(host, '.skeleton').length === 0, { message: `<${host.localName}> shows ${ready}` });
}

const views: Array<{ tag: keyof HTMLElementTagNameMap; attributes?: Record<string, string>; ready: string }> = [
  { tag: 'preloop-dashboard', ready: '[data-stat="sessions"] [data-value]' },
  { tag: 'preloop-approval-queue', ready: '.list, .empty' },
  { tag: 'preloop-audit-log', ready: '.row' },
  { tag: 'preloop-usage-chart', attributes: { heading: 'Usage', 'show-table': '' }, ready: '.card' },
  { tag: 'preloop-agents', ready: `tr[data-id]` },
  { tag: 'preloop-sessions', ready: 'tr[data-id]' },
  { tag: 'preloop-models', ready: 'table, .empty' },
  { tag: 'preloop-budgets', ready: 'table, .empty' },
  { tag: 'preloop-settings', attributes: { tab: 'users' }, ready: 'tr[data-id], tbody tr' },
  { tag: 'preloop-settings', attributes: { tab: 'api-keys' }, ready: 'tbody tr' },
  { tag: 'preloop-policy-editor', ready: 'textarea.source' },
  { tag: 'preloop-mcp-servers', ready: 'table, .empty' },
];

describe('axe-core: no serious or critical violations', () => {
  for (const view of views) {
    for (const theme of ['light', 'dark'] as const) {
      it(`<${view.tag}>${view.attributes?.tab ? ` (${view.attributes.tab})` : ''} in the ${theme} theme`, async () => {
        const element = await mount(view.tag, { client: ownerClient() } as never, { ...view.attributes, theme });
        await loaded(element, view.ready);
        expect(await axeViolations(element)).toEqual([]);
      });
    }
  }

  it('<preloop-approval-card> and <preloop-approval-queue> with a pending request', async () => {
    const call = await commands.callTool('github.create_issue', {
      repo: 'acme/axe',
      title: 'Checked by axe',
      token: 'sk-not-a-real-key-0000000000',
    });
    const client = ownerClient();
    const approval = await waitFor(async () =>
      (await client.approvals.list({ status: 'pending', limit: 100 })).items.find((item) =>
        JSON.stringify(item.args).includes('Checked by axe'),
      ),
    );
    const queue = await mount('preloop-approval-queue', { client }, { theme: 'light' });
    const card = await mount(
      'preloop-approval-card',
      { approval: await client.approvals.get(approval.id) },
      { theme: 'dark', 'show-timeline': '' },
    );
    await waitFor(() => queryAll(queue, 'preloop-approval-card').length > 0);
    expect(await axeViolations(queue)).toEqual([]);
    expect(await axeViolations(card)).toEqual([]);
    await client.approvals.decide(approval.id, { decision: 'deny', comment: 'axe is done' });
    await commands.toolResult(call);
  });

  it('<preloop-login>', async () => {
    const login = await mount('preloop-login', { client: new PreloopClient() }, { theme: 'light' });
    expect(await axeViolations(login)).toEqual([]);
  });

  it('<preloop-console> signed in, on the dashboard (the whole page)', async () => {
    await new PreloopClient().auth.login(seed.owner.email, seed.owner.password);
    const element = await mount('preloop-console', { client: new PreloopClient() }, { routing: 'none', theme: 'light' });
    const dashboard = await waitFor(() => query<HTMLElement>(element, 'preloop-dashboard'));
    await loaded(dashboard, '[data-stat="sessions"] [data-value]');
    expect(await axeViolations(document)).toEqual([]);
  });
});
