import { page } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import type { PreloopApiKeyCreatedEvent } from '../../events/preloop-events.js';
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

  it('puts the role dropdown back when the server refuses the change', async () => {
    const settings = await mount('preloop-settings', { client: ownerClient() });
    const row = await waitFor(() => query(settings, `tr[data-id="${seed.owner.id}"]`));
    const select = row.querySelector<HTMLSelectElement>('select')!;
    expect(select.value).toBe('owner');
    // The only owner cannot become a viewer: the server answers 409.
    type(select, 'viewer');
    await waitFor(() => textOf(query(settings, '.banner.error')).includes('last enabled owner'));
    expect(query(settings, `tr[data-id="${seed.owner.id}"]`)!.querySelector<HTMLSelectElement>('select')!.value).toBe('owner');
  });

  it('resets another user’s password to a one-time one shown once, ending their sessions; never offers it on your own row', async () => {
    const owner = ownerClient();
    const pat = await owner.users.create({
      email: `pat-${Date.now()}@example.com`,
      name: 'Pat Reset',
      role: 'viewer',
      password: 'pats first password',
    });
    const settings = await mount('preloop-settings', { client: owner });
    const row = await waitFor(() => query(settings, `tr[data-id="${pat.id}"]`));
    expect(textOf(query(settings, `tr[data-id="${seed.owner.id}"]`))).not.toContain('Reset password');
    clickButton(row as HTMLElement, 'Reset password');
    await settings.updateComplete;
    clickButton(query(settings, `tr[data-id="${pat.id}"]`) as HTMLElement, 'Confirm reset');
    const shown = await waitFor(() => query(settings, '[data-new-password]'));
    const generated = textOf(shown);
    expect(generated).toMatch(/^[\w-]{24}$/);
    expect(textOf(query(settings, '[part="new-password"]'))).toContain(
      'Give Pat Reset this one-time password now: it will not be shown again.',
    );
    // The old password no longer works; the generated one does.
    await expect(new PreloopClient().auth.login(pat.email, 'pats first password')).rejects.toThrow();
    expect((await new PreloopClient().auth.login(pat.email, generated)).user.id).toBe(pat.id);
    await new PreloopClient().auth.logout();
    clickButton(settings, 'Done');
    await settings.updateComplete;
    expect(textOf(settings)).not.toContain(generated);
  });

  it('changes your own password in “Your account”: a wrong current one is refused, then the new one works', async () => {
    const owner = ownerClient();
    const email = `sam-${Date.now()}@example.com`;
    await owner.users.create({ email, name: 'Sam Self', role: 'viewer', password: 'sams old password' });
    const self = new PreloopClient();
    await self.auth.login(email, 'sams old password');
    try {
      const settings = await mount('preloop-settings', { client: self }, { tab: 'account' });
      const form = await waitFor(() => query<HTMLFormElement>(settings, 'form[aria-label="Change password"]'));
      expect(textOf(form)).toContain(`Signed in as ${email}`);
      const fill = (current: string, next: string, confirm = next) => {
        type(form.querySelector<HTMLInputElement>('input[name="currentPassword"]')!, current);
        type(form.querySelector<HTMLInputElement>('input[name="newPassword"]')!, next);
        type(form.querySelector<HTMLInputElement>('input[name="confirmPassword"]')!, confirm);
        form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      };
      fill('sams old password', 'sams new password', 'sams other password');
      await waitFor(() => textOf(query(settings, '[role="alert"]')).includes('The new password and its confirmation differ.'));
      fill('not my password', 'sams new password');
      await waitFor(() => textOf(query(settings, '[role="alert"]')).includes('The current password is wrong.'));
      fill('sams old password', 'sams new password');
      await waitFor(() => textOf(query(settings, '[role="status"]')).includes('Password changed.'));
      expect(query(settings, '[role="alert"]')).toBeNull();
      // This session stays; the new password logs in, the old one no longer does.
      expect((await self.auth.me()).user!.email).toBe(email);
      await expect(new PreloopClient().auth.login(email, 'sams old password')).rejects.toThrow();
      expect((await new PreloopClient().auth.login(email, 'sams new password')).user.email).toBe(email);
    } finally {
      await new PreloopClient().auth.logout();
    }
  });

  it('creates an API key and shows it once', async () => {
    const settings = await mount('preloop-settings', { client: ownerClient() }, { tab: 'api-keys' });
    await waitFor(() => queryAll(settings, 'tr[data-id]').length > 0);
    const form = query<HTMLFormElement>(settings, 'form[aria-label="Create an API key"]')!;
    type(form.querySelector<HTMLInputElement>('input[name="name"]')!, 'deploy-bot');
    // This owner's own key holds only the admin scopes, so that is what it may grant.
    for (const scope of form.querySelectorAll<HTMLInputElement>('input[name="scope"]')) scope.checked = scope.value === 'admin:read';
    const created = new Promise<PreloopApiKeyCreatedEvent>((resolve) =>
      settings.addEventListener('preloop-api-key-created', resolve, { once: true }),
    );
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

  it('stops the chosen scopes with a reason, resumes one scope, then everything', async () => {
    const settings = await mount('preloop-settings', { client: ownerClient() }, { tab: 'kill-switch' });
    try {
      await waitFor(() => textOf(settings).includes('Everything is running.'));
      const form = () => query<HTMLFormElement>(settings, 'form[aria-label="Stop"]')!;
      const scope = (name: string) => form().querySelector<HTMLInputElement>(`input[name="scope"][value="${name}"]`)!;
      expect(['tools', 'models', 'flows'].every((name) => scope(name).checked)).toBe(true);

      // Nothing chosen: nothing is stopped.
      for (const name of ['tools', 'models', 'flows']) scope(name).checked = false;
      type(form().querySelector<HTMLInputElement>('input[name="reason"]')!, 'Runaway spend on smart');
      clickButton(settings, /Stop selected/);
      await waitFor(() => textOf(query(settings, 'form[aria-label="Stop"] [role="alert"]')).includes('Choose what to stop'));
      expect((await ownerClient().system.killSwitch()).active).toEqual([]);

      // Models only.
      scope('models').checked = true;
      clickButton(settings, /Stop selected/);
      await waitFor(() => textOf(settings).includes('Stopped: models. Runaway spend on smart'));
      expect(await ownerClient().system.killSwitch()).toMatchObject({ active: ['models'], reason: 'Runaway spend on smart' });
      expect(textOf(query(settings, 'li[data-scope="models"]'))).toContain('stopped');
      expect(textOf(query(settings, 'li[data-scope="tools"]'))).toContain('running');
      await page.viewport(1280, 900);
      settings.setAttribute('theme', 'light');
      await page.screenshot({ path: '../../../../../test-results/kill-switch.png', element: settings });
      await page.viewport(414, 896);

      // Then tools too, with a new reason; the form offers only what still runs.
      await waitFor(() => !form().querySelector('input[value="models"]'));
      scope('flows').checked = false;
      type(form().querySelector<HTMLInputElement>('input[name="reason"]')!, 'Incident 42');
      clickButton(settings, /Stop selected/);
      await waitFor(() => textOf(settings).includes('Stopped: tools, models. Incident 42'));
      expect(await ownerClient().system.killSwitch()).toMatchObject({ active: ['tools', 'models'], reason: 'Incident 42' });

      // Resume models alone, then everything.
      clickButton(settings, 'Resume models');
      await waitFor(() => textOf(settings).includes('Stopped: tools.'));
      expect((await ownerClient().system.killSwitch()).active).toEqual(['tools']);
      clickButton(settings, 'Resume everything');
      await waitFor(() => textOf(settings).includes('Everything is running.'));
    } finally {
      await ownerClient().system.deactivateKillSwitch();
    }
  });
});
