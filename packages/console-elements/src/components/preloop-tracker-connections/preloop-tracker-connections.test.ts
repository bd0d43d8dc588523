import { afterEach, describe, expect, it } from 'vitest';
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

  it("links the signed-in user's own token, and an issue created from <preloop-issues> is written as them at GitHub", async () => {
    // A console session (cookie), as the console signs in: the user's own token is used only for a person acting in the console.
    const login = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: seed.owner.email, password: seed.owner.password }),
    });
    expect(login.status).toBe(200);
    const session = new PreloopClient();
    try {
      const connections = await mount('preloop-tracker-connections', { client: session });
      const github = await waitFor(() => row(connections, 'github-test'));
      await waitFor(() => textOf(query(github, '.my-credential')).includes("The connection's"));
      clickButton(github, 'Use my own token');
      const dialog = await waitFor(() => query<HTMLDialogElement>(connections, 'dialog.my-credential[open]'));
      // A token GitHub refuses: the form says so and nothing is linked.
      type(dialog.querySelector<HTMLInputElement>('input[name="secrets.token"]')!, 'ghp_not_a_token');
      dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      await waitFor(() => textOf(query(dialog, '.banner.error')).includes('refused'));
      type(dialog.querySelector<HTMLInputElement>('input[name="secrets.token"]')!, seed.trackers.userToken);
      dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      await waitFor(() =>
        textOf(query(row(connections, 'github-test'), '.my-credential')).includes(`Linked as ${seed.trackers.userLogin}`),
      );
      expect(connections.shadowRoot!.innerHTML).not.toContain(seed.trackers.userToken);

      const issues = await mount('preloop-issues', { client: session });
      await waitFor(() => query(issues, 'tr[data-id]'));
      clickButton(issues, /New issue/);
      const create = query<HTMLDialogElement>(issues, 'dialog.create')!;
      await waitFor(() => create.querySelector('select[name="connectionId"] option'));
      type(create.querySelector<HTMLInputElement>('input[name="project"]')!, 'acme/web');
      type(create.querySelector<HTMLInputElement>('input[name="title"]')!, 'Filed with my own token');
      create.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      // The GitHub stub authors an issue as the token's login: the user's, not the connection's (console-bot).
      await waitFor(() => textOf(query(issues, '[part="detail"]')).includes('Filed with my own token'));
      expect(textOf(query(issues, '[part="detail"]'))).toContain(`opened by ${seed.trackers.userLogin}`);
      const audit = await ownerClient().route('GET /audit', { query: { action: 'tracker.issue.create' } });
      expect(audit.items[0]!.data).toMatchObject({ title: 'Filed with my own token', credentialSource: 'user' });

      clickButton(row(connections, 'github-test')!, 'Unlink');
      await waitFor(() => textOf(query(row(connections, 'github-test'), '.my-credential')).includes("The connection's"));
    } finally {
      await session.route('DELETE /trackers/connections/:id/my-credential', { params: { id: seed.trackers.connectionId } }).catch(() => {});
      await fetch('/api/v1/auth/logout', { method: 'POST' });
    }
  });
});
