import { afterEach, describe, expect, it } from 'vitest';
import { PreloopClient } from '../client/preloop-client.js';
import { mount, query, textOf, unmountAll, waitFor } from '../../test/browser-helpers.js';

afterEach(unmountAll);

/** Every container element that loads data from the admin API. */
const containers = [
  'preloop-agents',
  'preloop-approval-queue',
  'preloop-audit-log',
  'preloop-budgets',
  'preloop-dashboard',
  'preloop-mcp-servers',
  'preloop-models',
  'preloop-policy-editor',
  'preloop-sessions',
  'preloop-settings',
  'preloop-usage-chart',
] as const;

describe('signed-out state', () => {
  it.each(containers)('<%s> without a session shows one clear signed-out state, not the raw error or an empty list', async (tag) => {
    // A key the server does not know: every request is answered 401.
    const element = await mount(tag, { client: new PreloopClient({ token: 'plk_not_a_real_key' }) });
    const state = await waitFor(() => query(element, '[part="signed-out"]'), { message: `${tag} shows its signed-out state` });
    expect(textOf(state)).toContain('You are signed out');
    const text = textOf(element);
    expect(text).not.toContain('Authentication required');
    expect(text).not.toContain('Nothing waiting');
  });
});
