import { afterEach, describe, expect, it } from 'vitest';
import { axeViolations } from '../../../test/axe-check.js';
import { clickButton, mount, ownerClient, query, queryAll, textOf, type, unmountAll, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);

const row = (element: HTMLElement, name: string) => query(element, `tr[data-flow="${name}"]`);
const field = <T extends HTMLElement = HTMLInputElement>(dialog: Element, name: string) => dialog.querySelector<T>(`[name="${name}"]`)!;

describe('<preloop-flows>', () => {
  it('builds the "Issue triage" preset for a tracker connection, previews its prompt, creates it and disables it', async () => {
    const flows = await mount('preloop-flows', { client: ownerClient() });
    await waitFor(() => query(flows, '.table-wrap, .empty'));
    clickButton(flows, /New flow/);
    const dialog = query<HTMLDialogElement>(flows, 'dialog.builder')!;
    expect(dialog.open).toBe(true);
    // The choices come from the connections, models and tools routes.
    await waitFor(() => field<HTMLSelectElement>(dialog, 'presetConnection').options.length > 0);
    type(field<HTMLSelectElement>(dialog, 'presetConnection'), 'github-test');
    type(field<HTMLSelectElement>(dialog, 'preset'), 'issue-triage');
    clickButton(flows, 'Use preset');
    await waitFor(() => field(dialog, 'name').value === 'Issue triage');
    expect(field<HTMLSelectElement>(dialog, 'trigger').value).toBe('event');
    expect(field(dialog, 'types').value).toBe('issue.opened, issue.labeled');
    expect(field(dialog, 'labels').value).toBe('triage');
    expect(field<HTMLTextAreaElement>(dialog, 'prompt').value).toContain('github-test.add_comment');

    clickButton(flows, 'Preview');
    const preview = await waitFor(() => query(dialog, 'pre.preview'));
    expect(textOf(preview)).toContain('Issue acme/api#7: Checkout fails on Safari');
    expect(await axeViolations(flows)).toEqual([]);

    type(field<HTMLSelectElement>(dialog, 'model'), 'fast');
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const created = await waitFor(() => row(flows, 'Issue triage'));
    expect(dialog.open).toBe(false);
    expect(textOf(created)).toContain('issue.opened | issue.labeled label triage');
    expect(textOf(created)).toContain('never');
    const saved = (await ownerClient().route('GET /flows')).items.find((flow) => flow.name === 'Issue triage')!;
    expect(saved).toMatchObject({
      model: 'fast',
      runtime: { id: 'agent-loop' },
      tools: ['github-test.get_issue', 'github-test.search_issues', 'github-test.add_comment'],
      triggers: [{ type: 'event', types: ['issue.opened', 'issue.labeled'], labels: ['triage'] }],
    });

    const toggle = created.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    toggle.click();
    await waitFor(async () => (await ownerClient().route('GET /flows/:id', { params: { id: saved.id } })).enabled === false);
    await ownerClient().route('DELETE /flows/:id', { params: { id: saved.id } });
  });

  it('creates a webhook flow (its secret shown once), runs a flow by hand with its inputs, and refuses a bad cron with the reason', async () => {
    const flows = await mount('preloop-flows', { client: ownerClient() });
    await waitFor(() => query(flows, '.table-wrap, .empty'));
    clickButton(flows, /New flow/);
    const dialog = query<HTMLDialogElement>(flows, 'dialog.builder')!;
    type(field(dialog, 'name'), 'deploy-hook');
    type(field<HTMLSelectElement>(dialog, 'trigger'), 'webhook');
    await flows.updateComplete;
    type(field<HTMLTextAreaElement>(dialog, 'prompt'), 'Check the deploy of {{ event.service }}.');
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const banner = await waitFor(() => query(flows, '.banner.created'));
    expect(textOf(query(banner, '.webhook-url'))).toMatch(/\/api\/v1\/flows\/hooks\/.+/);
    expect(textOf(query(banner, '.webhook-secret')).length).toBeGreaterThanOrEqual(16);

    clickButton(flows, /New flow/);
    type(field(dialog, 'name'), 'nightly');
    type(field<HTMLSelectElement>(dialog, 'trigger'), 'schedule');
    await flows.updateComplete;
    // The next fire times, as the server reads the cron in its time zone: weekdays at 9:00 in Paris.
    type(field(dialog, 'timezone'), 'Europe/Paris');
    type(field(dialog, 'cron'), '0 9 * * 1-5');
    const times = await waitFor(() => {
      const items = queryAll(dialog, '.next-runs li');
      return items.length === 5 ? items.map((item) => Number(item.dataset.time)) : null;
    });
    const paris = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    for (const time of times) expect(paris.format(time)).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    type(field(dialog, 'cron'), 'not a cron');
    await waitFor(() => textOf(query(dialog, '.next-runs.error')).includes('cron'));
    type(field<HTMLTextAreaElement>(dialog, 'prompt'), 'Nightly.');
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const error = await waitFor(() => query(dialog, '.banner.error'));
    expect(textOf(error)).toMatch(/cron/);
    expect(dialog.open).toBe(true);
    dialog.close();

    const manual = await ownerClient().route('POST /flows', {
      body: {
        name: 'say-hello',
        prompt: 'Say hello to {{ inputs.who }}.',
        inputs: { who: { type: 'string', required: true } },
        model: 'fast',
        tools: [],
      },
    });
    const hello = await waitFor(() => row(flows, 'say-hello'));
    clickButton(hello, 'Run now');
    await flows.updateComplete;
    const run = query<HTMLDialogElement>(flows, 'dialog.run')!;
    type(run.querySelector<HTMLInputElement>('input[name="input.who"]')!, 'Ada');
    run.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const started = await waitFor(() => query(flows, '.banner.started'));
    const executionId = textOf(query(started, 'code'));
    const execution = await ownerClient().route('GET /executions/:id', { params: { id: executionId } });
    expect(execution.input).toMatchObject({ inputs: { who: 'Ada' } });
    // The list follows the execution live.
    await waitFor(() => /succeeded|running|queued/.test(textOf(query(row(flows, 'say-hello'), 'td.last'))));
    for (const flow of (await ownerClient().route('GET /flows')).items.filter((item) => ['deploy-hook', 'say-hello'].includes(item.name)))
      await ownerClient().route('DELETE /flows/:id', { params: { id: flow.id } });
    expect(manual.flow.id).toBeTruthy();
    expect(queryAll(flows, 'dialog[open]')).toHaveLength(0);
  });

  it('edits a flow in the builder, filled from the saved flow, keeping the triggers the form does not edit', async () => {
    const { flow } = await ownerClient().route('POST /flows', {
      body: {
        name: 'two-triggers',
        prompt: 'Report.',
        triggers: [{ type: 'schedule', cron: '0 9 * * *', timezone: 'Europe/Paris' }, { type: 'webhook' }, { type: 'manual' }],
      },
    });
    const flows = await mount('preloop-flows', { client: ownerClient() });
    clickButton(await waitFor(() => row(flows, 'two-triggers')), 'Edit');
    await flows.updateComplete;
    const dialog = query<HTMLDialogElement>(flows, 'dialog.builder')!;
    expect(field(dialog, 'cron').value).toBe('0 9 * * *');
    expect(field(dialog, 'timezone').value).toBe('Europe/Paris');
    expect(field(dialog, 'manual').checked).toBe(true);
    type(field(dialog, 'description'), 'Edited in the console.');
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitFor(async () => (await ownerClient().route('GET /flows/:id', { params: { id: flow.id } })).version === 2);
    const saved = await ownerClient().route('GET /flows/:id', { params: { id: flow.id } });
    expect(saved.description).toBe('Edited in the console.');
    expect(saved.triggers.map((trigger) => trigger.type)).toEqual(['schedule', 'webhook', 'manual']);
    await ownerClient().route('DELETE /flows/:id', { params: { id: flow.id } });
  });
});
