import { testDialects } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalTables } from './tables.js';
import { createApprovalFixture, toolCall, type ApprovalFixture } from './test-fixtures.js';

const workflows = { one: { approvers: { roles: ['approver' as const] } }, two: { approvers: { roles: ['approver' as const] }, quorum: 2 } };
const scanner = { 'user-agent': 'Mozilla/5.0 (compatible; SafeLinks/1.0; +https://example.com/scanner)' };

describe.each(testDialects())('decision links on $name', (dialect) => {
  let f: ApprovalFixture;
  let now = Date.now();
  afterEach(async () => {
    await f?.cleanup();
  });

  const post = (url: string, body: unknown) =>
    f.preloop.api(new Request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));

  it('shows a confirm page on GET and HEAD, changing nothing; POST decides once; a replay is 410 and an alarm', async () => {
    f = await createApprovalFixture(dialect, { workflows, publicUrl: 'https://preloop.example.com' });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', args: { repo: 'acme/api', number: 7 } }));
    const minted = await f.api('POST', `/approvals/${ticket.id}/links`, { as: f.owner, body: { approverId: f.alice.id } });
    expect(minted.status).toBe(201);
    const link = (await minted.json()) as { url: string; approveUrl: string; token: string; expiresAt: number };
    expect(link.url).toBe(`https://preloop.example.com/api/v1/approvals/${ticket.id}/links/${link.token}`);
    expect(link.token).toMatch(/^pla_[A-Za-z0-9_-]{43}$/);
    // The token is stored hashed only.
    const stored = await f.preloop.db.withTables<ApprovalTables>().selectFrom('approval_links').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(link.token);

    for (let i = 0; i < 3; i += 1) {
      const page = await f.preloop.api(new Request(link.approveUrl, { headers: scanner }));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      const html = await page.text();
      expect(html).toContain('github.merge_pull_request');
      expect(html).toContain('&quot;number&quot;: 7');
      expect(html).toContain(`name="token" value="${link.token}"`);
    }
    const head = await f.preloop.api(new Request(link.url, { method: 'HEAD', headers: scanner }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await f.engine.get(f.accountId, ticket.id)).status).toBe('pending');
    expect(
      (await f.preloop.db.withTables<ApprovalTables>().selectFrom('approval_links').select('used_at').executeTakeFirstOrThrow()).used_at,
    ).toBeNull();
    expect((await f.engine.detail(f.accountId, ticket.id)).voteList).toHaveLength(0);

    const decided = await post(link.url, { token: link.token, decision: 'approve', comment: 'ok from my phone' });
    expect(decided.status).toBe(200);
    expect(await decided.json()).toEqual({ request: { id: ticket.id, status: 'approved' }, counted: true, resolved: true });
    expect(await f.engine.wait(ticket.id)).toMatchObject({ status: 'approved', comment: 'ok from my phone' });

    const alarms: unknown[] = [];
    f.preloop.events.on('approval-link-refused', (payload) => alarms.push(payload));
    const replay = await post(link.url, { token: link.token, decision: 'approve' });
    expect(replay.status).toBe(410);
    expect((await replay.json()).error.code).toBe('APPROVAL_LINK_USED');
    expect(alarms).toEqual([{ accountId: f.accountId, requestId: ticket.id, code: 'APPROVAL_LINK_USED', replay: true }]);
    const audit = await f.preloop.audit.query({ accountId: f.accountId, action: 'approval.link-refused', limit: 10 });
    expect(audit.items[0]).toMatchObject({ outcome: 'refused', data: { code: 'APPROVAL_LINK_USED', alarm: true } });
    // A GET of a used link shows a 410 page and still changes nothing.
    expect((await f.preloop.api(new Request(link.url))).status).toBe(410);
    const votes = await f.engine.detail(f.accountId, ticket.id);
    expect(votes.voteList).toEqual([expect.objectContaining({ approverId: f.alice.id, channel: 'link', decision: 'approve' })]);
  });

  it('decides from a plain HTML form post (no JavaScript) and answers with a page; a replayed form post gets a 410 page', async () => {
    f = await createApprovalFixture(dialect, { workflows, publicUrl: 'https://preloop.example.com' });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', args: { repo: 'acme/api' } }));
    const minted = await f.api('POST', `/approvals/${ticket.id}/links`, { as: f.owner, body: { approverId: f.alice.id } });
    const link = (await minted.json()) as { url: string; token: string };
    const form = (decision: string) =>
      f.preloop.api(
        new Request(link.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: link.token, decision, comment: 'from a form' }).toString(),
        }),
      );
    const decided = await form('deny');
    expect(decided.status).toBe(200);
    expect(decided.headers.get('content-type')).toContain('text/html');
    expect(await decided.text()).toContain('Done: the request is denied');
    expect(await f.engine.wait(ticket.id)).toMatchObject({ status: 'denied', comment: 'from a form' });
    const replay = await form('approve');
    expect(replay.status).toBe(410);
    expect(replay.headers.get('content-type')).toContain('text/html');
    expect((await f.engine.get(f.accountId, ticket.id)).status).toBe('denied');
  });

  it('refuses another request’s token (403), an expired one (410), a tampered decision (403) and a body without the token (403)', async () => {
    now = Date.now();
    f = await createApprovalFixture(dialect, { workflows, publicUrl: 'https://preloop.example.com', clock: () => now });
    const a = await f.engine.request(toolCall(f.agent.principal, { workflow: 'two' }));
    const b = await f.engine.request(toolCall(f.agent.principal, { workflow: 'two' }));
    const forA = await f.engine.mintLink({ accountId: f.accountId, requestId: a.id, approverId: f.alice.id });
    const onB = `https://preloop.example.com/api/v1/approvals/${b.id}/links/${forA.token}`;
    expect((await f.preloop.api(new Request(onB))).status).toBe(403);
    const wrong = await post(onB, { token: forA.token, decision: 'approve' });
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.code).toBe('APPROVAL_LINK_WRONG_REQUEST');

    const noToken = await post(forA.url!, { token: 'pla_x', decision: 'approve' });
    expect(noToken.status).toBe(403);
    expect((await noToken.json()).error.code).toBe('APPROVAL_LINK_TOKEN_MISMATCH');

    const denyOnly = await f.engine.mintLink({ accountId: f.accountId, requestId: a.id, approverId: f.bob.id, decision: 'deny' });
    const tampered = await post(denyOnly.url!, { token: denyOnly.token, decision: 'approve' });
    expect(tampered.status).toBe(403);
    expect((await tampered.json()).error.code).toBe('APPROVAL_LINK_DECISION_MISMATCH');

    const unknown = await post(`https://preloop.example.com/api/v1/approvals/${a.id}/links/pla_${'A'.repeat(43)}`, {
      token: `pla_${'A'.repeat(43)}`,
      decision: 'approve',
    });
    expect(unknown.status).toBe(403);
    expect((await unknown.json()).error.code).toBe('APPROVAL_LINK_INVALID');

    const short = await f.engine.mintLink({ accountId: f.accountId, requestId: a.id, approverId: f.carol.id, ttlSeconds: 60 });
    now += 60_000;
    expect((await f.preloop.api(new Request(short.url!))).status).toBe(410);
    const expired = await post(short.url!, { token: short.token, decision: 'approve' });
    expect(expired.status).toBe(410);
    expect((await expired.json()).error.code).toBe('APPROVAL_LINK_EXPIRED');

    for (const id of [a.id, b.id]) expect((await f.engine.detail(f.accountId, id)).voteList).toHaveLength(0);
    const refused = await f.preloop.audit.query({ accountId: f.accountId, action: 'approval.link-refused', limit: 20 });
    expect(refused.items.map((record) => record.data.code).sort()).toEqual(
      [
        'APPROVAL_LINK_DECISION_MISMATCH',
        'APPROVAL_LINK_EXPIRED',
        'APPROVAL_LINK_INVALID',
        'APPROVAL_LINK_TOKEN_MISMATCH',
        'APPROVAL_LINK_WRONG_REQUEST',
      ].sort(),
    );
  });

  it('does not let two concurrent POSTs of one link both decide', async () => {
    f = await createApprovalFixture(dialect, { workflows, publicUrl: 'https://preloop.example.com' });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'two' }));
    const link = await f.engine.mintLink({ accountId: f.accountId, requestId: ticket.id, approverId: f.alice.id });
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(link.url!, { token: link.token, decision: 'approve' })));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 410)).toHaveLength(9);
    expect((await f.engine.get(f.accountId, ticket.id)).votes.approve).toBe(1);
  });
});
