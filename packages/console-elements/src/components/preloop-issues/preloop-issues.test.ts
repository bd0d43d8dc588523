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

const titles = (element: HTMLElement) => queryAll(element, 'tr[data-id] .title').map(textOf);

describe('<preloop-issues>', () => {
  it('lists the synced issues, filters them (state, label, full text) and shows one with its comments and similar issues', async () => {
    const issues = await mount('preloop-issues', { client: ownerClient() });
    await waitFor(() => titles(issues).includes('Checkout button does nothing on Safari'));
    expect(titles(issues)).toContain('Dark mode for the settings page');
    // Open issues by default: the closed one is not listed.
    expect(titles(issues)).not.toContain('Old crash on login');
    const filters = query<HTMLFormElement>(issues, 'form.filters')!;
    type(filters.querySelector<HTMLSelectElement>('select[name="state"]')!, 'all');
    type(filters.querySelector<HTMLInputElement>('input[name="text"]')!, 'crash');
    filters.requestSubmit();
    await waitFor(() => titles(issues).join('|') === 'Old crash on login');
    type(filters.querySelector<HTMLInputElement>('input[name="text"]')!, '');
    type(filters.querySelector<HTMLInputElement>('input[name="label"]')!, 'checkout');
    filters.requestSubmit();
    await waitFor(() => titles(issues).join('|') === 'Checkout button does nothing on Safari');
    query(issues, 'tr[data-id]')!.click();
    const detail = await waitFor(() => query(issues, '[part="detail"] .detail-head'));
    expect(textOf(detail)).toContain('acme/web#1');
    expect(textOf(query(issues, '[part="detail"]'))).toContain('CSP error');
    // No embeddings model is configured on the test server: the panel says so instead of an empty list.
    await waitFor(() => textOf(query(issues, '.similar-unavailable')).includes('No embeddings model'));
  });

  it('comments through the connection, and a change at the tracker arrives live through its webhook', async () => {
    const issues = await mount('preloop-issues', { client: ownerClient() });
    await waitFor(() => titles(issues).includes('Dark mode for the settings page'));
    const row = queryAll(issues, 'tr[data-id]').find((candidate) => textOf(candidate).includes('Dark mode'))!;
    row.click();
    const form = await waitFor(() => query<HTMLFormElement>(issues, 'form.comment-form'));
    type(form.querySelector('textarea')!, 'Planned for 2.5');
    form.requestSubmit();
    await waitFor(() => queryAll(issues, '.comments li').some((item) => textOf(item).includes('Planned for 2.5')));
    // Someone else opens an issue (here through the admin API): the GitHub stub delivers the signed webhook, and the list refreshes.
    await ownerClient().route('POST /issues', {
      body: { connectionId: seed.trackers.connectionId, project: seed.trackers.project, title: 'Webhook-delivered issue' },
    });
    await waitFor(() => titles(issues).includes('Webhook-delivered issue'), { message: 'the new issue appears without a reload' });
  });

  it('creates an issue from the dialog', async () => {
    const issues = await mount('preloop-issues', { client: ownerClient() });
    await waitFor(() => query(issues, 'tr[data-id]'));
    clickButton(issues, /New issue/);
    const dialog = query<HTMLDialogElement>(issues, 'dialog.create')!;
    await waitFor(() => dialog.querySelector('select[name="connectionId"] option'));
    type(dialog.querySelector<HTMLInputElement>('input[name="project"]')!, 'acme/web');
    type(dialog.querySelector<HTMLInputElement>('input[name="title"]')!, 'Created in the console');
    type(dialog.querySelector<HTMLInputElement>('input[name="labels"]')!, 'ui, console');
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitFor(() => titles(issues).includes('Created in the console'));
    expect(issues.getAttribute('selected')).toMatch(/^tis_/);
    const audit = await ownerClient().route('GET /audit', { query: { action: 'tracker.issue.create' } });
    expect(audit.items[0]!.data.title).toBe('Created in the console');
  });
});
