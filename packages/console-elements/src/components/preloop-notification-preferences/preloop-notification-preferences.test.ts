import { afterEach, describe, expect, it } from 'vitest';
import { axeViolations } from '../../../test/axe-check.js';
import {
  clickButton,
  mount,
  ownerClient,
  query,
  seed,
  textOf,
  type,
  unmountAll,
  viewerClient,
  waitFor,
} from '../../../test/browser-helpers.js';

afterEach(unmountAll);

function input(host: HTMLElement, name: string): HTMLInputElement {
  const found = query<HTMLInputElement>(host, `input[name="${name}"]`);
  if (!found) throw new Error(`No input ${name}`);
  return found;
}

function check(box: HTMLInputElement, checked: boolean): void {
  if (box.checked !== checked) box.click();
}

describe('<preloop-notification-preferences>', () => {
  it('loads the signed-in user’s preferences (the defaults when none are stored)', async () => {
    const element = await mount('preloop-notification-preferences', { client: viewerClient() }, { theme: 'dark' });
    await waitFor(() => query(element, 'form'));
    expect(textOf(query(element, '[data-none]'))).toContain('No channel is muted');
    expect(input(element, 'digest').checked).toBe(true);
    expect(input(element, 'quiet').checked).toBe(false);
    expect(await axeViolations(element)).toEqual([]);

    // The same panel sits in Settings → Your account.
    const settings = await mount('preloop-settings', { client: viewerClient() }, { tab: 'account' });
    await waitFor(() => query(query(settings, 'preloop-notification-preferences'), 'form'), { message: 'the panel in settings' });
  });

  // An admin edits the approver's (a user no test workflow notifies), so other tests' deliveries are untouched.
  it('saves quiet hours in the browser’s time zone, a muted notifier and digests off, and shows the server’s 400 next to the field it names', async () => {
    const client = ownerClient();
    const element = await mount('preloop-notification-preferences', { client }, { 'user-id': seed.approver.id, theme: 'light' });
    await waitFor(() => query(element, 'form'));

    check(input(element, 'quiet'), true);
    await waitFor(() => query(element, 'input[name="timeZone"]'));
    expect(input(element, 'timeZone').value).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    type(input(element, 'start'), '21:30');
    type(input(element, 'end'), '06:45');
    check(input(element, 'digest'), false);
    type(input(element, 'notifier'), 'webhook');
    clickButton(element, 'Mute');
    await waitFor(() => query(element, 'input[name="muted"][value="webhook"]'));
    clickButton(element, 'Save notification preferences');
    await waitFor(() => query(element, '.banner.success'), { message: 'saved' });
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(await client.route('GET /notification-preferences/:userId', { params: { userId: seed.approver.id } })).toEqual({
      userId: seed.approver.id,
      mutedNotifiers: ['webhook'],
      quietHours: { start: '21:30', end: '06:45', timeZone },
      digest: false,
    });
    expect(await axeViolations(element)).toEqual([]);

    // A time zone that is not an IANA name: the server's message, next to the time zone.
    type(input(element, 'timeZone'), 'Mars/Olympus_Mons');
    clickButton(element, 'Save notification preferences');
    const error = await waitFor(() => query(element, '[data-error="timeZone"]'), { message: 'the time zone error' });
    expect(textOf(error)).toBe('must be an IANA time zone such as Europe/Paris');
    expect(input(element, 'timeZone').getAttribute('aria-describedby')).toBe('error-timeZone');

    // A notifier that is not installed: refused, with the installed ones named, next to the muted channels.
    type(input(element, 'timeZone'), 'Europe/Paris');
    type(input(element, 'notifier'), 'pager');
    clickButton(element, 'Mute');
    clickButton(element, 'Save notification preferences');
    const refused = await waitFor(() => query(element, '[data-error="mutedNotifiers"]'), { message: 'the notifier error' });
    expect(textOf(refused)).toBe('no notifier "pager" is installed (installed: webhook, web-push)');
    expect(query(element, '[data-error="timeZone"]')).toBeNull();
    // Nothing changed on the server.
    expect(
      (await client.route('GET /notification-preferences/:userId', { params: { userId: seed.approver.id } })).quietHours?.timeZone,
    ).toBe(timeZone);

    await client.route('PUT /notification-preferences/:userId', {
      params: { userId: seed.approver.id },
      body: { mutedNotifiers: [], quietHours: null, digest: true },
    });
  });
});
