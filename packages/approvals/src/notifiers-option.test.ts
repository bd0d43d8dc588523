import type { Notifier } from '@preloop/core';
import { describe, expect, it } from 'vitest';
import { resolveApprovalsOptions } from './options.js';

describe('the notifiers option', () => {
  it('accepts version 1 notifiers', () => {
    const notifier: Notifier = { id: 'chat', version: 1, audience: 'channel', notify: async () => {} };
    expect(resolveApprovalsOptions({ notifiers: [notifier] }).notifiers).toEqual([notifier]);
  });

  it('refuses anything else, naming the index and every problem', () => {
    expect(() => resolveApprovalsOptions({ notifiers: [{ id: 'slack', version: 2 } as unknown as Notifier] })).toThrow(
      'approvals: option "notifiers[0]" is not a version 1 notifier: "version" must be 1 (got 2); "notify" must be a function.',
    );
  });
});
