import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../client/api-types.js';
import type { PreloopAuditVerifiedEvent } from '../../events/preloop-events.js';
import { mount, ownerClient, query, queryAll, textOf, type, unmountAll, viewerClient, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);

const rows = (log: HTMLElement) => queryAll(log, '.row[data-seq]');

describe('<preloop-audit-log>', () => {
  it('lists records newest first and filters by action prefix and outcome', async () => {
    const log = await mount('preloop-audit-log', { client: ownerClient() });
    await waitFor(() => rows(log).length > 5);
    const seqs = rows(log).map((row) => Number(row.dataset.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    type(query<HTMLInputElement>(log, 'input[name="action"]')!, 'mcp.tool.*');
    type(query<HTMLSelectElement>(log, 'select[name="outcome"]')!, 'denied');
    query<HTMLButtonElement>(log, 'form.filters button[type="submit"]')!.click();
    await waitFor(
      () => rows(log).length > 0 && rows(log).every((row) => textOf(row).includes('mcp.tool.call') && textOf(row).includes('denied')),
    );
  });

  it('pages with the cursor until the list fills its view, without duplicates, and opens a record', async () => {
    const log = await mount('preloop-audit-log', { client: ownerClient(), pageSize: 5 });
    await waitFor(() => rows(log).length >= 15, { message: 'more pages load as the list needs them' });
    const seqs = rows(log).map((row) => Number(row.dataset.seq));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    rows(log)[0]!.click();
    const detail = await waitFor(() => query(log, '[part="detail"]'));
    expect(textOf(detail)).toMatch(/Hash [0-9a-f]{64}/);
  });

  it('verifies the hash chain', async () => {
    const log = await mount('preloop-audit-log', { client: ownerClient() });
    const verified = new Promise<PreloopAuditVerifiedEvent>((resolve) =>
      log.addEventListener('preloop-audit-verified', resolve, { once: true }),
    );
    query<HTMLButtonElement>(log, 'button[part="verify"]')!.click();
    expect((await verified).report.ok).toBe(true);
    const result = await waitFor(() => query<HTMLElement>(log, '[data-verify]'));
    expect(result.dataset.verify).toBe('ok');
    expect(textOf(result)).toMatch(/Chain intact\. [\d,]+ records/);
  });

  it('shows why a viewer cannot verify', async () => {
    const log = await mount('preloop-audit-log', { client: viewerClient() });
    query<HTMLButtonElement>(log, 'button[part="verify"]')!.click();
    // The key lacks admin:write (and its user the admin role): the server's reason is shown.
    await waitFor(() => /admin/.test(textOf(query(log, '[role="alert"]'))));
  });

  it('adds new records live', async () => {
    const log = await mount('preloop-audit-log', { client: ownerClient() });
    await waitFor(() => rows(log).length > 0);
    const head = Number(rows(log)[0]!.dataset.seq);
    const seq = await commands.recordToolCall('github.get_file', 'success');
    expect(seq).toBeGreaterThan(head);
    await waitFor(() => Number(rows(log)[0]!.dataset.seq) >= seq);
  });

  it('renders only the visible rows of a large log', async () => {
    const now = Date.now();
    const records: AuditRecord[] = Array.from({ length: 10_000 }, (_, index) => ({
      id: `aud_${index}`,
      accountId: 'acc',
      seq: 10_000 - index,
      time: now - index * 1000,
      actorType: 'runtime_session',
      actorId: 'rs_1',
      principal: { name: 'claude-code-ci' },
      runtimeSessionId: 'rs_1',
      action: index % 3 ? 'mcp.tool.call' : 'approval.decide',
      targetType: 'tool',
      targetId: 'github.list_issues',
      outcome: index % 7 ? 'success' : 'denied',
      data: {},
      prevHash: '0'.repeat(64),
      hash: '1'.repeat(64),
    }));
    const log = await mount('preloop-audit-log', { records });
    await waitFor(() => rows(log).length > 0);
    expect(rows(log).length).toBeLessThan(100);
    expect(textOf(query(log, '.status-bar'))).toContain('10,000 records');
    const scroller = query(log, '.rows')!;
    await waitFor(() => scroller.scrollHeight > 300_000, { message: 'the virtualizer sizes the whole list' });
    // The virtualizer corrects the scroll position while it measures rows; scroll until it settles there.
    await waitFor(() => {
      scroller.scrollTop = 200_000;
      return rows(log).some((row) => Number(row.dataset.seq) < 6000);
    });
    expect(rows(log).length).toBeLessThan(100);
  });
});
