import { createHash } from 'node:crypto';
import { canonicalJson, type ApprovalNotification, type Notifier } from '@preloop/core';
import { testDialects } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApprovalFixture, toolCall, type ApprovalFixture } from './test-fixtures.js';

const workflows = { one: { approvers: { roles: ['approver' as const] } }, owners: { approvers: { roles: ['owner' as const] } } };
const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const openaiKey = 'sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c';
const githubToken = 'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789';
const big = 'x'.repeat(1024 * 1024);
const args = {
  repo: 'acme/api',
  api_key: openaiKey,
  headers: { authorization: `Bearer ${jwt}` },
  note: `use ${githubToken} to push`,
  body: big,
  author: 'ada',
  auth_method: 'oauth',
  max_tokens: 4096,
  passenger_count: 2,
  page_token: 'CAESBggBEAEYAQ',
};
const secrets = [openaiKey, githubToken, jwt, 'eyJhbGciOiJIUzI1NiJ9'];

/** A real notifier that keeps what it is handed. */
function capturingNotifier(received: ApprovalNotification[]): Notifier {
  return { id: 'capture', version: 1, audience: 'channel', notify: async (notification) => void received.push(notification) };
}

describe.each(testDialects())('argument redaction on $name', (dialect) => {
  let f: ApprovalFixture;
  afterEach(async () => {
    await f?.cleanup();
  });

  it('GET /approvals/:id, the list and notifier payloads show arguments redacted and bounded, with a marker per path', async () => {
    const received: ApprovalNotification[] = [];
    f = await createApprovalFixture(dialect, { workflows, notifiers: [capturingNotifier(received)] });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', args }));

    const response = await f.api('GET', `/approvals/${ticket.id}`, { as: f.dave });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.length).toBeLessThan(16_384);
    for (const secret of secrets) expect(text).not.toContain(secret);
    const detail = JSON.parse(text);
    expect(detail.args).toMatchObject({
      repo: 'acme/api',
      api_key: '[redacted]',
      headers: { authorization: '[redacted]' },
      note: 'use [redacted:api-key] to push',
      author: 'ada',
      auth_method: 'oauth',
      max_tokens: 4096,
      passenger_count: 2,
      page_token: 'CAESBggBEAEYAQ',
    });
    const digest = createHash('sha256').update(big).digest('hex');
    expect(detail.args.body).toBe(`${'x'.repeat(4096)}…[truncated ${big.length - 4096} bytes; sha256 ${digest}]`);
    // In the order of the stored (canonical, key-sorted) arguments.
    expect(detail.argsRedactions).toEqual([
      { path: ['api_key'], reason: 'secret-name' },
      { path: ['body'], reason: 'truncated', bytes: big.length, sha256: digest },
      { path: ['headers', 'authorization'], reason: 'secret-name' },
      { path: ['note'], reason: 'secret-value', kinds: ['api-key'] },
    ]);
    // The hash still binds the exact arguments.
    expect(detail.argsHash).toBe(createHash('sha256').update(canonicalJson(args)).digest('hex'));

    const list = await (await f.api('GET', '/approvals', { as: f.dave })).text();
    for (const secret of secrets) expect(list).not.toContain(secret);
    expect(list.length).toBeLessThan(16_384);

    await f.engine.notificationsIdle();
    expect(received).toHaveLength(1);
    const payload = JSON.stringify(received[0]);
    for (const secret of secrets) expect(payload).not.toContain(secret);
    expect(payload.length).toBeLessThan(16_384);
    expect(received[0]!.request.argsRedactions).toHaveLength(4);
  });

  it('GET /approvals/:id/arguments returns the exact arguments to an eligible approver or an admin, audited; refuses the others', async () => {
    f = await createApprovalFixture(dialect, { workflows });
    const ticket = await f.engine.request(toolCall(f.agent.principal, { workflow: 'one', args }));

    const asApprover = await f.api('GET', `/approvals/${ticket.id}/arguments`, { as: f.alice });
    expect(asApprover.status).toBe(200);
    expect(asApprover.headers.get('cache-control')).toBe('no-store');
    const exact = await asApprover.json();
    expect(exact).toEqual({ id: ticket.id, argsHash: createHash('sha256').update(canonicalJson(args)).digest('hex'), args });
    expect((await f.api('GET', `/approvals/${ticket.id}/arguments`, { as: f.owner })).status).toBe(200);

    // A viewer never; an approver the workflow does not name neither.
    expect((await f.api('GET', `/approvals/${ticket.id}/arguments`, { as: f.dave })).status).toBe(403);
    const ownersOnly = await f.engine.request(toolCall(f.agent.principal, { workflow: 'owners', args: { token: 'abc' } }));
    const refused = await f.api('GET', `/approvals/${ownersOnly.id}/arguments`, { as: f.bob });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'APPROVER_NOT_ELIGIBLE' } });
    expect((await f.api('GET', '/approvals/apr_missing/arguments', { as: f.owner })).status).toBe(404);

    const reads = (await f.preloop.audit.query({ accountId: f.accountId, action: 'approval.arguments.read', limit: 10 })).items;
    // Each user called with its own API key; the audit names the key and, in the principal snapshot, its user.
    expect(reads.map((record) => [record.principal?.userId, record.outcome]).sort()).toEqual(
      [
        [f.alice.id, 'success'],
        [f.owner.id, 'success'],
        [f.bob.id, 'refused'],
      ].sort(),
    );
    // The audit record names the hash, never the arguments.
    for (const record of reads) expect(JSON.stringify(record)).not.toContain(openaiKey);
  });
});
