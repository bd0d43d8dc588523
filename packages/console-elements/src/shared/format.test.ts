import { describe, expect, it } from 'vitest';
import { formatMoneyTicks } from './format.js';

describe('formatMoneyTicks', () => {
  it('gives small amounts the decimals their step needs, so no two ticks read the same', () => {
    const labels = formatMoneyTicks([0, 0.0005, 0.001, 0.0015]);
    expect(labels).toEqual(['$0.0000', '$0.0005', '$0.0010', '$0.0015']);
    expect(new Set(formatMoneyTicks([0, 0.002, 0.004, 0.006])).size).toBe(4);
  });

  it('keeps cents for amounts under a dollar and whole dollars for larger steps', () => {
    expect(formatMoneyTicks([0, 0.25, 0.5])).toEqual(['$0.00', '$0.25', '$0.50']);
    expect(formatMoneyTicks([0, 50, 100])).toEqual(['$0', '$50', '$100']);
  });
});
