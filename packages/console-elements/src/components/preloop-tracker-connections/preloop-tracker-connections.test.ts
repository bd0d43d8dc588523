import { afterEach, describe, expect, it } from 'vitest';
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

const row = (element: HTMLElement, name: string) => query(element, `tr[data-connection="${name}"]`);

describe('<preloop-tracker-connections>', () => {
  it('shows a connection with its webhook URL, tests it, and syncs it with live progress', async () => {
    const connections = await mount('preloop-tracker-connections', { client: ownerClient() });
    const github = await waitFor(() => row(connections, 'github-test'));
    expect(textOf(github)).toContain(`/api/v1/trackers/webhooks/${seed.trackers.connectionId}`);
    expect(textOf(github)).toMatch(/acme\/web: \d+ imported/);
    clickButton(github, 'Test');
    await waitFor(() => textOf(query(github, '.test-result')).includes('Connected as console-bot'));
    const progress = () => query(row(connections, 'github-test'), '.sync[data-project="acme/web"]')!;
    const finishedBefore = Number(progress().dataset.finished);
    expect(finishedBefore).toBeGreaterThan(0);
    clickButton(github, 'Sync now');
    // The import's end arrives over the live stream (tracker-sync-progress): a later finish, done.
    await waitFor(() => Number(progress().dataset.finished) > finishedBefore && textOf(progress()).startsWith('done'));
  });

  it('connects a tracker (the webhook secret shown once), then disconnects it after a confirmation', async () => {
    const connections = await mount('preloop-tracker-connections', { client: ownerClient() });
    await waitFor(() => row(connections, 'github-test'));
    clickButton(connections, /Connect a tracker/);
    const dialog = query<HTMLDialogElement>(connections, 'dialog')!;
    type(dialog.querySelector<HTMLInputElement>('input[name="name"]')!, 'second-github');
    const baseUrl = (await ownerClient().route('GET /trackers/connections/:id', { params: { id: seed.trackers.connectionId } })).settings
      .baseUrl as string;
    type(dialog.querySelector<HTMLInputElement>('input[name="settings.baseUrl"]')!, baseUrl);
    type(dialog.querySelector<HTMLInputElement>('input[name="secrets.token"]')!, seed.trackers.stubToken);
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const created = await waitFor(() => query(connections, '.banner.created'));
    expect(textOf(query(created, '.webhook-secret')).length).toBeGreaterThanOrEqual(16);
    expect(textOf(query(created, '.webhook-url'))).toMatch(/\/api\/v1\/trackers\/webhooks\/trk_/);
    await waitFor(() => row(connections, 'second-github'));
    // The token is never shown.
    expect(connections.shadowRoot!.innerHTML).not.toContain(seed.trackers.stubToken);
    const disconnect = () => queryAll<HTMLButtonElement>(row(connections, 'second-github'), 'button').at(-1)!;
    disconnect().click();
    await connections.updateComplete;
    expect(textOf(disconnect())).toBe('Confirm disconnect');
    disconnect().click();
    await waitFor(() => !row(connections, 'second-github'));
  });
});
