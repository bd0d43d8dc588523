import { afterEach, describe, expect, it } from 'vitest';
import type { PreloopApiKeyCreatedEvent } from '../../events/preloop-events.js';
import { PreloopClient } from '../../client/preloop-client.js';
import { clickButton, mount, ownerClient, query, queryAll, seed, textOf, type, unmountAll, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);

describe('<preloop-settings>', () => {
  it('lists users and adds one', async () => {
    const settings = await mount('preloop-settings', { client: ownerClient() });
    await waitFor(() => query(settings, `tr[data-id="${seed.owner.id}"]`));
    const form = query<HTMLFormElement>(settings, 'form[aria-label="Add a user"]')!;
    type(form.querySelector<HTMLInputElement>('input[name="name"]')!, 'Grace Hopper');
    type(form.querySelector<HTMLInputElement>('input[name="email"]')!, 'grace@example.com');
    type(form.querySelector<HTMLSelectElement>('select[name="role"]')!, 'approver');
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const row = await waitFor(() => queryAll(settings, 'tr[data-id]').find((candidate) => textOf(candidate).includes('grace@example.com')));
    expect(row.querySelector<HTMLSelectElement>('select')!.value).toBe('approver');
  });

  it('creates an API key and shows it once', async () => {
    const settings = await mount('preloop-settings', { client: ownerClient() }, { tab: 'api-keys' });
    await waitFor(() => queryAll(settings, 'tr[data-id]').length > 0);
    const form = query<HTMLFormElement>(settings, 'form[aria-label="Create an API key"]')!;
    type(form.querySelector<HTMLInputElement>('input[name="name"]')!, 'deploy-bot');
    // This owner's own key holds only the admin scopes, so that is what it may grant.
    for (const scope of form.querySelectorAll<HTMLInputElement>('input[name="scope"]')) scope.checked = scope.value === 'admin:read';
    const created = new Promise<PreloopApiKeyCreatedEvent>((resolve) => settings.addEventListener('preloop-api-key-created', resolve, { once: true }));
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const event = await created;
    expect(event.apiKey.name).toBe('deploy-bot');
    const shown = await waitFor(() => query(settings, '[data-new-key]'));
    const key = textOf(shown);
    expect(key).toMatch(/^plk_/);
    expect(JSON.stringify(event.apiKey)).not.toContain(key);
    expect(textOf(query(settings, '[part="new-key"]'))).toContain('will not be shown again');
    // The key works, and once dismissed it is gone from the page: only its prefix remains.
    expect((await new PreloopClient({ token: key }).auth.me()).principal).toMatchObject({ type: 'api_key', scopes: ['admin:read'] });
    clickButton(settings, 'I have stored it');
    await settings.updateComplete;
    expect(textOf(settings)).not.toContain(key);
    const row = queryAll(settings, 'tr[data-id]').find((candidate) => textOf(candidate).includes('deploy-bot'))!;
    expect(textOf(row)).toContain(`${event.apiKey.prefix}…`);
  });

  it('creates a team with members', async () => {
    const settings = await mount('preloop-settings', { client: ownerClient() }, { tab: 'teams' });
    await waitFor(() => queryAll(settings, 'tr[data-id]').length > 0);
    const form = query<HTMLFormElement>(settings, 'form[aria-label="Create a team"]')!;
    type(form.querySelector<HTMLInputElement>('input[name="name"]')!, 'Release managers');
    form.querySelector<HTMLInputElement>(`input[name="member"][value="${seed.approver.id}"]`)!.checked = true;
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const row = await waitFor(() => queryAll(settings, 'tr[data-id]').find((candidate) => textOf(candidate).includes('Release managers')));
    expect(textOf(row)).toContain('Ada Approver');
  });

  it('pulls and releases the kill switch', async () => {
    const settings = await mount('preloop-settings', { client: ownerClient() }, { tab: 'kill-switch' });
    await waitFor(() => textOf(settings).includes('Everything is running.'));
    type(query<HTMLInputElement>(settings, 'input[name="reason"]')!, 'Incident 42');
    clickButton(settings, 'Stop everything');
    await waitFor(() => textOf(settings).includes('Stopped: tools, models, flows.'));
    expect((await ownerClient().system.killSwitch()).reason).toBe('Incident 42');
    clickButton(settings, 'Resume everything');
    await waitFor(() => textOf(settings).includes('Everything is running.'));
  });
});
