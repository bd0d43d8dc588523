import { describe, expect, it } from 'vitest';
import { modelPricesSchema } from './model-prices.js';
import { defaultPriceTable, defaultPriceTableAsOf, findModelPrices } from './price-table.js';

describe('defaultPriceTable', () => {
  it('has valid prices for every entry', () => {
    for (const [model, prices] of Object.entries(defaultPriceTable)) {
      expect(modelPricesSchema.safeParse(prices).success, model).toBe(true);
      expect(prices.cachedInput ?? prices.input, model).toBeLessThanOrEqual(prices.input);
    }
  });

  it('covers the common model families', () => {
    for (const model of [
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4.1-nano',
      'o3',
      'o4-mini',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
      'claude-opus-4-5',
      'claude-opus-4-1',
      'claude-sonnet-4-5',
      'claude-sonnet-4-0',
      'claude-haiku-4-5',
      'claude-3-7-sonnet-20250219',
      'claude-3-5-sonnet-20241022',
      'claude-3-5-haiku-20241022',
    ]) {
      expect(findModelPrices(model), model).not.toBeNull();
    }
    expect(defaultPriceTableAsOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('prices dated snapshots on their own, not by prefix', () => {
    expect(findModelPrices('gpt-4o-2024-05-13')).toEqual({ input: 5, output: 15 });
    expect(findModelPrices('gpt-4o-2024-08-06')).toEqual(findModelPrices('gpt-4o'));
    expect(findModelPrices('gpt-4o-mini')).not.toEqual(findModelPrices('gpt-4o'));
    expect(findModelPrices('gpt-4o-2099-01-01')).toBeNull();
    expect(findModelPrices('toString')).toBeNull();
  });

  it('is frozen', () => {
    expect(Object.isFrozen(defaultPriceTable)).toBe(true);
    expect(Object.isFrozen(defaultPriceTable['gpt-4o'])).toBe(true);
  });

  it('looks up in a caller-supplied table', () => {
    expect(findModelPrices('my-alias', { 'my-alias': { input: 1, output: 2 } })).toEqual({ input: 1, output: 2 });
  });
});
