import { afterEach, describe, expect, it } from 'vitest';
import { PreloopClient } from '../../client/preloop-client.js';
import { mount, ownerClient, query, seed, textOf, type, unmountAll, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);

describe('<preloop-provider>', () => {
  it('signs in first, then hands its client to the elements inside it', async () => {
    await new PreloopClient().auth.logout();
    const provider = await mount('preloop-provider', { client: new PreloopClient() });
    const agents = document.createElement('preloop-agents');
    provider.append(agents);
    const login = await waitFor(() => query(provider, 'preloop-login'));
    // Nothing fetched yet: no client reached the child before sign-in.
    expect(query(agents, 'table')).toBeNull();
    type(query<HTMLInputElement>(login, 'input[name="email"]')!, seed.owner.email);
    type(query<HTMLInputElement>(login, 'input[name="password"]')!, seed.owner.password);
    query<HTMLButtonElement>(login, 'button[type="submit"]')!.click();
    await waitFor(() => query(agents, `tr[data-id="${seed.agents.ci}"]`));
    expect(query(provider, 'preloop-login')).toBeNull();
  });

  it('provides a token client without a sign-in (no-login)', async () => {
    const provider = await mount('preloop-provider', { client: ownerClient() }, { 'no-login': '' });
    const dashboard = document.createElement('preloop-dashboard');
    provider.append(dashboard);
    await waitFor(() => /^\d/.test(textOf(query(dashboard, '[data-stat="sessions"] [data-value]'))));
  });
});
