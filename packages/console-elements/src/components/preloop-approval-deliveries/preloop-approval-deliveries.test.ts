import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import { axeViolations } from '../../../test/axe-check.js';
import { mount, ownerClient, query, queryAll, textOf, unmountAll, viewerClient, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);

/** The pending request whose arguments carry `title`. */
async function pendingWith(title: string) {
  const client = ownerClient();
  return waitFor(async () =>
    (await client.approvals.list({ status: 'pending', limit: 100 })).items.find((item) => JSON.stringify(item.args).includes(title)),
  );
}

describe('<preloop-approval-deliveries>', () => {
  // The test kernel has a webhook notifier whose receiver accepts every notification but refuses (404) those saying "undeliverable".
  it('lists each delivery with its notifier, recipient, state in words, attempts, last error and time, and follows the request live', async () => {
    const accepted = await commands.callTool('github.create_issue', { repo: 'acme/deliveries', title: 'Delivered to the webhook' });
    const refused = await commands.callTool('github.create_issue', { repo: 'acme/deliveries', title: 'undeliverable notice' });
    const client = ownerClient();
    const [sent, failed] = await Promise.all([pendingWith('Delivered to the webhook'), pendingWith('undeliverable notice')]);

    const element = await mount('preloop-approval-deliveries', { client: viewerClient() }, { 'request-id': sent.id, theme: 'light' });
    const row = await waitFor(() => query(element, 'tr[data-status="sent"]'), { message: 'a sent delivery' });
    expect(textOf(row)).toMatch(/^webhook requested Olivia Owner Sent 1 none sent /);
    expect(query(row, '.badge')!.getAttribute('aria-label')).toBe('Sent: the channel accepted it');

    const other = await mount('preloop-approval-deliveries', { client }, { 'request-id': failed.id, theme: 'dark' });
    const failedRow = await waitFor(() => query(other, 'tr[data-status="failed"]'), { message: 'a failed delivery' });
    const [delivery] = (await client.route('GET /approvals/:id/deliveries', { params: { id: failed.id } })).items;
    expect(delivery).toMatchObject({ status: 'failed', notifier: 'webhook', attempts: 1 });
    expect(textOf(query(failedRow, '.error-text'))).toBe(delivery!.lastError);
    expect(textOf(query(failedRow, '.badge'))).toBe('Failed');
    // The approval's page (the queue with request-id) shows them under the request.
    const page = await mount('preloop-approval-queue', { client }, { 'request-id': failed.id });
    await waitFor(() => query(query(page, 'preloop-approval-deliveries'), 'tr[data-status="failed"]'), {
      message: 'deliveries on the approval page',
    });

    // Deciding the request sends the resolved notice: it appears without a reload.
    await client.approvals.decide(sent.id, { decision: 'approve' });
    await waitFor(() => queryAll(element, 'tr[data-id]').some((candidate) => textOf(candidate).startsWith('webhook resolved')), {
      message: 'the resolved notice',
    });
    expect(await axeViolations(element)).toEqual([]);
    expect(await axeViolations(other)).toEqual([]);

    await client.approvals.decide(failed.id, { decision: 'deny', comment: 'done' });
    await Promise.all([commands.toolResult(accepted), commands.toolResult(refused)]);
  });
});
