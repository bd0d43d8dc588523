import { afterEach, describe, expect, it } from 'vitest';
import { PreloopClient } from '../../client/preloop-client.js';
import {
  clickButton,
  mount,
  ownerClient,
  query,
  queryAll,
  seed,
  textOf,
  type,
  unmountAll,
  waitFor,
} from '../../../test/browser-helpers.js';

afterEach(unmountAll);

const row = (element: HTMLElement, alias: string) => query(element, `tr[data-alias="${alias}"]`);

describe('<preloop-models>', () => {
  it('lists model aliases with their secret-backed credential, prices and 30-day usage', async () => {
    expect(seed.gatewayError, 'the seeded model calls went through the gateway').toBeNull();
    // Usage rows are written in batches; wait until the seeded calls are recorded before rendering.
    await waitFor(async () => {
      const summary = await ownerClient().models.usage({ groupBy: 'model' });
      return (summary.rows.find((entry) => entry.key === 'fast')?.calls ?? 0) >= 3;
    });
    const models = await mount('preloop-models', { client: ownerClient() });
    const fast = await waitFor(() => row(models, 'fast'));
    expect(textOf(fast)).toContain('gpt-4o-mini');
    expect(textOf(fast)).toContain('secret stored');
    expect(textOf(fast)).toContain('$0.6 / $2.4');
    // The first rendered row already carries the usage: it never shows a figure the summary has not given yet.
    expect(Number(textOf(query(fast, 'td:nth-child(5)')))).toBeGreaterThanOrEqual(3);
    expect(textOf(query(row(models, 'smart'), 'td:nth-child(6)'))).toMatch(/\$\d+\.\d+/);
    // The credential itself never reaches the page.
    expect(models.shadowRoot!.innerHTML).not.toContain('sk-test-upstream-key');
  });

  it('adds an alias with a credential, then removes it after a confirmation', async () => {
    const models = await mount('preloop-models', { client: ownerClient() });
    await waitFor(() => row(models, 'fast'));
    clickButton(models, /Add model/);
    const dialog = query<HTMLDialogElement>(models, 'dialog')!;
    type(dialog.querySelector<HTMLInputElement>('input[name="alias"]')!, 'cheap');
    type(dialog.querySelector<HTMLInputElement>('input[name="provider"]')!, 'openai');
    type(dialog.querySelector<HTMLInputElement>('input[name="model"]')!, 'gpt-4.1-nano');
    type(dialog.querySelector<HTMLInputElement>('input[name="apiKey"]')!, 'sk-never-shown');
    type(dialog.querySelector<HTMLInputElement>('input[name="priceInput"]')!, '0.1');
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitFor(() => textOf(dialog.querySelector('[role="alert"]')).includes('both prices'));
    type(dialog.querySelector<HTMLInputElement>('input[name="priceOutput"]')!, '0.4');
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const cheap = await waitFor(() => row(models, 'cheap'));
    expect(textOf(cheap)).toContain('secret stored');
    expect(models.shadowRoot!.innerHTML).not.toContain('sk-never-shown');
    const remove = () => queryAll<HTMLButtonElement>(row(models, 'cheap'), 'button')[0]!;
    remove().click();
    await models.updateComplete;
    expect(textOf(remove())).toBe('Confirm remove');
    remove().click();
    await waitFor(() => !row(models, 'cheap'));
    expect((await ownerClient().models.list()).items.map((model) => model.alias)).not.toContain('cheap');
  });

  it('says so when the server has no model gateway', async () => {
    const noGateway = new PreloopClient({
      fetch: async (input) =>
        new Response(
          JSON.stringify({
            error: { code: 'NOT_FOUND', message: `No admin API route GET ${new URL(String(input), location.href).pathname}.` },
          }),
          { status: 404, headers: { 'content-type': 'application/json' } },
        ),
    });
    const models = await mount('preloop-models', { client: noGateway });
    await waitFor(() => textOf(models).includes('The model gateway is not installed'));
    expect(textOf(models)).not.toContain('Add model');
  });
});
