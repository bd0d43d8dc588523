import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import '../../elements/preloop-approve-app.js';
import { axeViolations } from '../../../test/axe-check.js';
import { mount, ownerClient, query, textOf, type, unmountAll, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);

/** The newest pending request for `tool` (the browser files share one kernel, so older ones may wait too). */
async function newestPending(tool: string): Promise<string> {
  return waitFor(async () => {
    const page = await ownerClient().approvals.list({ status: 'pending', limit: 50 });
    return page.items.find((item) => item.tool.name === tool)?.id;
  });
}

describe('<preloop-approve-app>', () => {
  it('lists a new request live, opens it in full, and approving it with a comment resumes the agent’s call', async () => {
    const app = await mount('preloop-approve-app', { client: ownerClient() });
    const call = await commands.callTool('github.merge_pull_request', { repo: 'acme/checkout', number: 7 });
    const id = await newestPending('github.merge_pull_request');
    const row = await waitFor(() => query<HTMLButtonElement>(app, `button.row[data-id="${id}"]`), {
      message: 'the request is listed live',
    });
    expect(textOf(row)).toMatch(/^github\.merge_pull_request Release notes for v2\.4 · \d+:\d\d left$/);
    expect(await axeViolations(app)).toEqual([]);
    row.click();

    const card = await waitFor(() => query(app, 'preloop-approval-card'));
    await waitFor(() => textOf(query(card, 'pre[part="arguments"]')).includes('"number": 7'));
    expect(query(card, '[part="countdown"]')).not.toBeNull();
    type(query<HTMLTextAreaElement>(card, 'textarea[name="comment"]')!, 'Reviewed on my phone');
    query(card, 'button[part="approve"]')!.click();

    expect(await commands.toolResult(call)).toEqual({ isError: false, text: 'merged #7' });
    await waitFor(() => textOf(query(app, '.banner.success')) === 'Approved.');
    const decided = await ownerClient().approvals.get(id);
    expect([decided.status, decided.comment]).toEqual(['executed', 'Reviewed on my phone']);
  });

  it('shows the glance view at 180 px: the tool, one line, two big buttons; Approve decides', async () => {
    const call = await commands.callTool('github.create_issue', { repo: 'acme/checkout', title: 'Glance test' });
    const id = await newestPending('github.create_issue');
    const app = await mount('preloop-approve-app', { client: ownerClient(), requestId: id });
    app.style.width = '180px';
    const glance = await waitFor(() => query(app, `.glance[data-id="${id}"]`));
    expect(getComputedStyle(glance).display).toBe('grid');
    expect(getComputedStyle(query(app, '.full')!).display).toBe('none');
    expect(textOf(query(glance, '.tool'))).toBe('github.create_issue');
    expect(textOf(query(glance, '.line'))).toMatch(/^Release notes for v2\.4 · \d+:\d\d left$/);
    const approve = query(glance, 'button[part="glance-approve"]')!;
    expect(approve.getBoundingClientRect().height).toBeGreaterThanOrEqual(56);
    expect(approve.getAttribute('aria-label')).toBe('Approve github.create_issue');
    expect(await axeViolations(app)).toEqual([]);
    approve.click();
    expect(await commands.toolResult(call)).toEqual({ isError: false, text: 'created issue "Glance test" in acme/checkout' });

    // Wider than 200 px, the full app is back.
    app.style.width = '390px';
    await waitFor(() => getComputedStyle(query(app, '.full')!).display !== 'none');
    expect(getComputedStyle(query(app, '.glance')!).display).toBe('none');
  });
});
