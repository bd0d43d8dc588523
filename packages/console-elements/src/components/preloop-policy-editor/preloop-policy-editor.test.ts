import { afterEach, describe, expect, it } from 'vitest';
import { PreloopClient } from '../../client/preloop-client.js';
import type { PreloopPolicyAppliedEvent } from '../../events/preloop-events.js';
import { clickButton, mount, ownerClient, query, queryAll, textOf, type, unmountAll, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);

const source = (editor: HTMLElement) => query<HTMLTextAreaElement>(editor, 'textarea.source')!;

describe('<preloop-policy-editor>', () => {
  it('loads the active policy and shows it valid, with its tests', async () => {
    const editor = await mount('preloop-policy-editor', { client: ownerClient() });
    await waitFor(() => query(editor, '[data-valid="true"]'));
    expect(source(editor).value).toContain('defaults:');
    expect(textOf(query(editor, '[role="status"][data-valid]'))).toMatch(/Valid \d+ tests? passed/);
  });

  it('says why the policy could not load, and loads it once it gets a client that can', async () => {
    const editor = await mount('preloop-policy-editor', { client: new PreloopClient({ baseUrl: 'http://127.0.0.1:9' }) });
    const alert = await waitFor(() => query(editor, '[role="alert"]'));
    expect(textOf(alert)).toMatch(/Could not reach Preloop/);
    editor.client = ownerClient();
    await waitFor(() => query(editor, '[data-valid="true"]') && !query(editor, '[role="alert"]'));
    expect(source(editor).value).toContain('defaults:');
    expect(queryAll(editor, '.versions li').length).toBeGreaterThan(0);
  });

  it('shows a validation error inline, on the line it is on', async () => {
    const editor = await mount('preloop-policy-editor', { client: ownerClient(), validateDelay: 50 });
    await waitFor(() => query(editor, '[data-valid="true"]'));
    const text = [
      'version: 1',
      'defaults:',
      '  tools: require_approval',
      'rules:',
      '  - name: block-deletes',
      "    tool: 'github.delete_*'",
      '    action: explode',
      '',
    ].join('\n');
    type(source(editor), text);
    await waitFor(() => query(editor, '[data-valid="false"]'));
    // The error is on line 7 ("action: explode"): the gutter marks it and the message sits on that line.
    const marked = queryAll(editor, '.gutter .has-error').map((line) => Number(line.dataset.line));
    expect(marked).toEqual([7]);
    const line = query(editor, '.backdrop .line[data-line="7"]')!;
    expect(line.classList.contains('has-error')).toBe(true);
    expect(textOf(line.querySelector('.message'))).toMatch(/expected one of "allow"\|"deny"\|"require_approval"/);
    expect(textOf(query(editor, '[part="issues"]'))).toContain('Line 7');
    expect(source(editor).getAttribute('aria-invalid')).toBe('true');

    // The gutter and the text line up: line 7 of the backdrop sits where line 7 of the textarea is.
    const gutterLine = query(editor, '.gutter [data-line="7"]')!.getBoundingClientRect();
    expect(Math.abs(gutterLine.top - line.getBoundingClientRect().top)).toBeLessThan(1);

    // A YAML syntax error is placed on its line too.
    type(source(editor), 'version: 1\ndefaults:\n  tools: [allow\n');
    await waitFor(() => queryAll(editor, '.gutter .has-error').length > 0 && !query(editor, '.gutter [data-line="7"]'));
    expect(queryAll(editor, '.gutter .has-error').map((element) => Number(element.dataset.line))[0]).toBeGreaterThanOrEqual(3);
  });

  it('simulates a call against the text being edited', async () => {
    const editor = await mount('preloop-policy-editor', { client: ownerClient() });
    await waitFor(() => query(editor, '[data-valid="true"]'));
    const form = query<HTMLFormElement>(editor, '.simulate form')!;
    type(form.querySelector<HTMLInputElement>('input[name="tool"]')!, 'github.create_issue');
    type(form.querySelector<HTMLTextAreaElement>('textarea[name="args"]')!, '{ "repo": "acme/api" }');
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const decision = await waitFor(() => query<HTMLElement>(editor, '.decision'));
    expect(decision.dataset.action).toBe('require_approval');
    expect(textOf(decision)).toContain('Workflow: admins');
  });

  it('lists a version applied elsewhere without a reload (the server announces it as an audit record)', async () => {
    const client = ownerClient();
    const editor = await mount('preloop-policy-editor', { client });
    await waitFor(() => query(editor, '[data-valid="true"]'));
    const active = await client.policy.active();
    const applied = await client.policy.apply(active.source, 'Applied from another tab');
    await waitFor(() => textOf(query(editor, `li[data-version="${applied.version}"]`)).includes('Applied from another tab'), {
      message: 'the new version appears live',
    });
  });

  it('diffs, applies as a new version with a comment, and rolls back', async () => {
    const client = ownerClient();
    const before = await client.policy.active();
    const editor = await mount('preloop-policy-editor', { client });
    await waitFor(() => query(editor, '[data-valid="true"]'));
    type(source(editor), before.source.replace(/description: (.*)/, 'description: $1 Reviewed in the console.'));
    await waitFor(() => query(editor, '[data-valid="true"]'));
    clickButton(editor, 'Diff');
    await waitFor(() => textOf(query(editor, '.diff .add')).includes('Reviewed in the console.'));
    expect(query(editor, '.diff .del')).not.toBeNull();
    type(query<HTMLInputElement>(editor, 'input[name="comment"]')!, 'Add a review note');
    const applied = new Promise<PreloopPolicyAppliedEvent>((resolve) =>
      editor.addEventListener('preloop-policy-applied', resolve, { once: true }),
    );
    clickButton(editor, 'Apply as new version');
    const version = (await applied).policy.version;
    expect(version).toBe(before.version + 1);
    await waitFor(() => textOf(query(editor, `li[data-version="${version}"]`)).includes('Add a review note'));
    const old = query(editor, `li[data-version="${before.version}"]`)!;
    queryAll<HTMLButtonElement>(old, 'button')
      .find((button) => textOf(button) === 'Roll back')!
      .click();
    await waitFor(async () => (await client.policy.active()).version === version + 1);
    expect((await client.policy.active()).source).toBe(before.source);
    expect(textOf(query(editor, '[role="status"].banner'))).toContain('Rolled back');
  });
});
