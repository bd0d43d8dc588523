import { afterEach, describe, expect, it } from 'vitest';
import { utcDayStart, type UsagePoint } from './preloop-usage-chart.js';
import { mount, ownerClient, query, queryAll, seed, textOf, unmountAll, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);

const day = 86_400_000;

function points(): UsagePoint[] {
  const today = utcDayStart(Date.now());
  return Array.from({ length: 7 }, (_, index) => [
    {
      time: today - index * day,
      group: 'fast',
      label: 'fast (gpt-4o-mini)',
      costMicros: 120_000 * (index + 1),
      inputTokens: 10_000,
      outputTokens: 2_000,
      requests: 40,
    },
    {
      time: today - index * day,
      group: 'smart',
      label: 'smart (claude-sonnet)',
      costMicros: 900_000,
      inputTokens: 30_000,
      outputTokens: 6_000,
      requests: 12,
    },
  ]).flat();
}

describe('<preloop-usage-chart>', () => {
  it('plots spend per model with uPlot, with totals in the legend', async () => {
    const chart = await mount('preloop-usage-chart', { points: points(), days: 7 });
    await waitFor(() => query(chart, '.plot canvas'));
    const legend = queryAll(chart, '[part="legend"] span');
    expect(legend.map((entry) => textOf(entry))).toEqual(['smart (claude-sonnet) $6.30', 'fast (gpt-4o-mini) $3.36']);
    expect(textOf(query(chart, '[data-total]'))).toBe('$9.66');
    expect(query(chart, '.plot')!.getAttribute('role')).toBe('img');
  });

  it('switches to tokens', async () => {
    const chart = await mount('preloop-usage-chart', { points: points(), days: 7 });
    queryAll<HTMLButtonElement>(chart, '.segmented button')
      .find((button) => textOf(button) === 'Tokens')!
      .click();
    await chart.updateComplete;
    expect(textOf(query(chart, '[data-total]'))).toBe('336,000');
    expect(textOf(query(chart, 'h2'))).toBe('Tokens by model');
  });

  it('fetches spend per model, agent or key from the gateway', async () => {
    expect(seed.gatewayError, 'the seeded model calls went through the gateway').toBeNull();
    const chart = await mount('preloop-usage-chart', { client: ownerClient() }, { days: '7' });
    await waitFor(() => query(chart, '.plot canvas') && queryAll(chart, '[part="legend"] span').length >= 2);
    const legend = queryAll(chart, '[part="legend"] span').map((entry) => textOf(entry));
    expect(legend[0]).toMatch(/^smart \$\d+\.\d+$/);
    expect(legend.some((entry) => entry.startsWith('fast '))).toBe(true);
    queryAll<HTMLButtonElement>(chart, '.segmented button')
      .find((button) => textOf(button) === 'Agent')!
      .click();
    await waitFor(() => queryAll(chart, '[part="legend"] span').some((entry) => textOf(entry).startsWith('claude-code-ci ')));
  });
});
