import { describe, expect, it } from 'vitest';
import { periodEnd, periodStart } from './budget-periods.js';
import { formatUsd } from './budget-ledger.js';

describe('budget periods (UTC)', () => {
  const wednesday = Date.UTC(2026, 0, 28, 15, 30);
  it('starts days at midnight, weeks on Monday and months on the 1st', () => {
    expect(periodStart('day', wednesday)).toBe(Date.UTC(2026, 0, 28));
    expect(periodStart('week', wednesday)).toBe(Date.UTC(2026, 0, 26));
    expect(periodStart('week', Date.UTC(2026, 1, 1, 23))).toBe(Date.UTC(2026, 0, 26));
    expect(periodStart('month', wednesday)).toBe(Date.UTC(2026, 0, 1));
  });

  it('ends each period where the next starts', () => {
    expect(periodEnd('day', Date.UTC(2026, 0, 31))).toBe(Date.UTC(2026, 1, 1));
    expect(periodEnd('week', Date.UTC(2026, 0, 26))).toBe(Date.UTC(2026, 1, 2));
    expect(periodEnd('month', Date.UTC(2026, 11, 1))).toBe(Date.UTC(2027, 0, 1));
  });

  it('formats micro-dollars', () => {
    expect(formatUsd(1_000_000)).toBe('$1.00');
    expect(formatUsd(1234)).toBe('$0.001234');
  });
});
