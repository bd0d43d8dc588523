import { commands, page } from 'vitest/browser';
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

const row = (element: HTMLElement, name: string) => query(element, `tr[data-budget="${name}"]`);

/** Opens the dialog and fills it in; `scope` picks the "Applies to" type, then `target` by its visible label. */
async function fillBudget(
  element: HTMLElement,
  fields: { name: string; scope?: string; target?: string; period?: string; hard?: string; soft?: string },
) {
  clickButton(element, /Add budget/);
  const dialog = query<HTMLDialogElement>(element, 'dialog')!;
  await waitFor(() => dialog.open);
  expect(dialog.querySelector<HTMLSelectElement>('select[name="scopeType"]')!.value, 'a fresh form each time').toBe('account');
  type(dialog.querySelector<HTMLInputElement>('input[name="name"]')!, fields.name);
  if (fields.scope) {
    type(dialog.querySelector<HTMLSelectElement>('select[name="scopeType"]')!, fields.scope);
    await (element as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    const target = dialog.querySelector<HTMLSelectElement>('select[name="scopeId"]')!;
    const option = [...target.options].find((candidate) => candidate.textContent?.startsWith(fields.target ?? ''));
    expect(option, `a "${fields.target}" to choose`).toBeDefined();
    type(target, option!.value);
  }
  if (fields.period) type(dialog.querySelector<HTMLSelectElement>('select[name="period"]')!, fields.period);
  type(dialog.querySelector<HTMLInputElement>('input[name="hardLimit"]')!, fields.hard ?? '');
  type(dialog.querySelector<HTMLInputElement>('input[name="softLimit"]')!, fields.soft ?? '');
  return dialog;
}

describe('<preloop-budgets>', () => {
  it('adds a budget on one model, and shows its spend move against the limits as the model is called', async () => {
    expect(seed.gatewayError, 'the seeded model calls went through the gateway').toBeNull();
    const budgets = await mount('preloop-budgets', { client: ownerClient() });
    await waitFor(() => query(budgets, '.empty, table'));

    // Limits are checked before anything is sent.
    const dialog = await fillBudget(budgets, { name: 'Smart model, monthly', scope: 'model', target: 'smart', hard: '', soft: '' });
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitFor(() => textOf(dialog.querySelector('[role="alert"]')).includes('Set a hard limit, a soft limit, or both'));
    type(dialog.querySelector<HTMLInputElement>('input[name="hardLimit"]')!, '50');
    type(dialog.querySelector<HTMLInputElement>('input[name="softLimit"]')!, '80');
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitFor(() => textOf(dialog.querySelector('[role="alert"]')).includes('make it the smaller one'));
    // A soft limit of a tenth of a cent: the first call crosses it (a soft limit warns; it never refuses).
    type(dialog.querySelector<HTMLInputElement>('input[name="softLimit"]')!, '0.001');
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();

    const smart = await waitFor(() => row(budgets, 'Smart model, monthly'));
    await waitFor(() => !dialog.open, { message: 'the dialog closes' });
    expect(textOf(smart)).toContain('Model smart');
    expect(textOf(smart)).toContain('Monthly · resets in');
    expect(textOf(smart)).toContain('$0.00 of $50.00');
    expect(textOf(smart)).toContain('Within limits');
    const stored = (await ownerClient().budgets.list()).items.find((budget) => budget.name === 'Smart model, monthly')!;
    expect(stored).toMatchObject({
      scope: { type: 'model', id: 'smart' },
      period: 'month',
      hardLimitMicros: 50_000_000,
      softLimitMicros: 1_000,
    });

    // A call through the gateway: the spend appears without a reload, and the soft limit is passed.
    await commands.modelCall('smart', 'Summarize the incident for the budget review');
    await waitFor(() => Number(query(row(budgets, 'Smart model, monthly'), '.spend')?.dataset.spent) > 0, {
      message: 'the spend moves live',
    });
    await waitFor(() => textOf(row(budgets, 'Smart model, monthly')).includes('Soft limit reached'));
    const status = (await ownerClient().budgets.status()).items.find((budget) => budget.id === stored.id)!;
    expect(textOf(query(row(budgets, 'Smart model, monthly'), '.figures'))).toContain(`of $50.00`);
    expect(query(row(budgets, 'Smart model, monthly'), '[role="meter"]')!.getAttribute('aria-valuenow')).toBe(String(status.spentMicros));

    // Removing asks for a confirmation.
    const remove = () => queryAll<HTMLButtonElement>(row(budgets, 'Smart model, monthly'), 'button')[0]!;
    remove().click();
    await budgets.updateComplete;
    expect(textOf(remove())).toBe('Confirm remove');
    remove().click();
    await waitFor(() => !row(budgets, 'Smart model, monthly'));
    expect((await ownerClient().budgets.list()).items.map((budget) => budget.id)).not.toContain(stored.id);
  });

  it('scopes a budget to the whole account or to an agent, by name', async () => {
    const budgets = await mount('preloop-budgets', { client: ownerClient() });
    await waitFor(() => query(budgets, '.empty, table'));
    let dialog = await fillBudget(budgets, { name: 'Account, daily', period: 'day', hard: '25' });
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const account = await waitFor(() => row(budgets, 'Account, daily'));
    expect(textOf(account)).toContain('Whole account');
    expect(textOf(account)).toContain('Daily');

    dialog = await fillBudget(budgets, { name: 'CI agent, weekly', scope: 'agent', target: 'claude-code-ci', period: 'week', soft: '5' });
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const agent = await waitFor(() => row(budgets, 'CI agent, weekly'));
    expect(textOf(agent)).toContain('Agent claude-code-ci');
    expect(textOf(agent)).toContain('of $5.00 (soft)');

    const client = ownerClient();
    for (const budget of (await client.budgets.list()).items) await client.budgets.delete(budget.id);
    await waitFor(() => query(budgets, '.empty'), { message: 'deleted elsewhere, the list empties live' });
  });

  it('sits under the model aliases in <preloop-models> (screenshot in test-results/)', async () => {
    const client = ownerClient();
    const created = [
      await client.budgets.create({
        name: 'Engineering, monthly',
        scope: { type: 'account' },
        period: 'month',
        hardLimitMicros: 250_000_000,
        softLimitMicros: 200_000_000,
      }),
      await client.budgets.create({
        name: 'Smart model, weekly',
        scope: { type: 'model', id: 'smart' },
        period: 'week',
        hardLimitMicros: 2_000_000,
        softLimitMicros: 20_000,
      }),
      await client.budgets.create({
        name: 'CI agent, daily',
        scope: { type: 'agent', id: seed.agents.ci },
        period: 'day',
        hardLimitMicros: 5_000_000,
      }),
    ];
    try {
      await commands.modelCall('smart', 'Draft the weekly spend report');
      await page.viewport(1280, 900);
      const models = await mount('preloop-models', { client }, { theme: 'light' });
      const budgets = await waitFor(() => query(models, 'preloop-budgets'));
      await waitFor(
        () =>
          queryAll(budgets, 'tr[data-budget]').length === 3 &&
          textOf(query(budgets, 'tr[data-budget="Smart model, weekly"]')).includes('reached'),
      );
      await waitFor(() => /\$\d+\.\d+/.test(textOf(query(models, 'tr[data-alias="smart"] td:nth-child(6)'))));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await page.screenshot({ path: '../../../../../test-results/models-budgets.png', element: models });
    } finally {
      for (const budget of created) await client.budgets.delete(budget.id);
      await page.viewport(1280, 800);
    }
  });

  it('is part of <preloop-models>, and says so when the server has no gateway', async () => {
    const models = await mount('preloop-models', { client: ownerClient() });
    const inside = await waitFor(() => query(models, 'preloop-budgets'));
    await waitFor(() => textOf(inside).includes('No budgets yet'));

    const noGateway = new PreloopClient({
      fetch: async (input) =>
        new Response(
          JSON.stringify({
            error: { code: 'NOT_FOUND', message: `No admin API route GET ${new URL(String(input), location.href).pathname}.` },
          }),
          { status: 404, headers: { 'content-type': 'application/json' } },
        ),
    });
    const alone = await mount('preloop-budgets', { client: noGateway });
    await waitFor(() => textOf(alone).includes('Budgets need the model gateway'));
    expect(textOf(alone)).not.toContain('Add budget');
  });
});
