/**
 * The execution claim as a lease: an instance killed with SIGKILL while an
 * approved call runs (a real child process on the same SQLite file or
 * PostgreSQL database), what the identical retry and the sweeper then see,
 * idempotent tools, the heartbeat, a late result, and the admin's resolution.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDialects, testSecretKey, type TestDialect } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApprovalFixture, toolCall, type ApprovalFixture } from './test-fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const workflows = { one: { approvers: { roles: ['approver' as const] } } };
const leaseSeconds = 1;

/** Starts a child kernel that claims `requestId` and runs it forever, then kills it with SIGKILL once it has claimed. */
async function claimInChildAndKill(database: string, requestId: string, idempotent: boolean): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@preloop/source',
      '--import',
      'tsx',
      path.join(here, 'test-child-executor.ts'),
      database,
      requestId,
      String(leaseSeconds),
      String(idempotent),
    ],
    { cwd: root, env: { ...process.env, PRELOOP_SECRET_KEY: testSecretKey }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let errors = '';
  child.stderr.on('data', (chunk) => (errors += chunk));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('\n')) resolve(output.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`the child kernel exited (${code}) before claiming: ${errors}`)));
  });
  expect(line).toBe('claimed');
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

/** The dialect with SQLite on a file (a child process must open the same database). */
function onDisk(dialect: TestDialect, directory: () => string): TestDialect {
  if (dialect.name !== 'sqlite') return dialect;
  return { name: 'sqlite', create: async () => ({ url: `sqlite:${path.join(directory(), 'preloop.db')}`, drop: async () => {} }) };
}

describe.each(testDialects())('execution leases on $name', (dialect) => {
  let f: ApprovalFixture;
  let directory = '';
  afterEach(async () => {
    await f?.cleanup();
    if (directory) await rm(directory, { recursive: true, force: true });
    directory = '';
  });

  async function approvedRequest(options: Parameters<typeof createApprovalFixture>[1] = {}) {
    directory = await mkdtemp(path.join(tmpdir(), 'preloop-lease-'));
    f = await createApprovalFixture(
      onDisk(dialect, () => directory),
      { workflows, executionLeaseSeconds: leaseSeconds, sweepIntervalMs: 3_600_000, ...options },
    );
    const input = toolCall(f.agent.principal, { workflow: 'one' });
    const ticket = await f.engine.request(input);
    await f.engine.decide({
      accountId: f.accountId,
      requestId: ticket.id,
      actor: f.alice.principal,
      decision: 'approve',
      comment: null,
      answer: null,
      channel: 'api',
    });
    return { input, id: ticket.id };
  }

  it('kill -9 mid-execution: the identical retry gets execution_unknown within the lease, nothing can claim it, and an admin resolves it', async () => {
    const { input, id } = await approvedRequest();
    await claimInChildAndKill(f.url, id, false);
    const claimed = await f.engine.get(f.accountId, id);
    expect(claimed).toMatchObject({ status: 'approved', execution: { idempotent: false } });
    expect(claimed.execution!.leaseExpiresAt).toBeGreaterThan(claimed.execution!.claimedAt);

    // The agent retries the identical call until it gets a final answer.
    await expect.poll(async () => (await f.engine.request(input)).status, { timeout: 15_000, interval: 200 }).toBe('execution_unknown');
    const ticket = await f.engine.request(input);
    expect(ticket).toMatchObject({
      id,
      joined: true,
      status: 'execution_unknown',
      reason: expect.stringMatching(/^execution lease expired/),
    });
    expect(ticket.storedResult).toBeUndefined();
    expect(await f.engine.status(id, f.accountId)).toMatchObject({ status: 'execution_unknown' });
    expect(await f.engine.claimExecution(id)).toBe(false);

    // Admins see it: list filter, timeline, audit.
    const listed = await (await f.api('GET', '/approvals?status=execution_unknown', { as: f.owner })).json();
    expect(listed.items.map((item: { id: string }) => item.id)).toEqual([id]);
    const detail = await (await f.api('GET', `/approvals/${id}`, { as: f.owner })).json();
    expect(detail.timeline.map((entry: { type: string }) => entry.type)).toEqual(
      expect.arrayContaining(['execution_claimed', 'execution_unknown']),
    );
    const audit = await f.preloop.audit.query({ accountId: f.accountId, limit: 100 });
    expect(audit.items.filter((record) => record.action === 'approval.execution_unknown')).toHaveLength(1);

    // Resolution: refused without a note or for a viewer; then not_executed releases it for one run.
    expect((await f.api('POST', `/approvals/${id}/resolve-execution`, { as: f.owner, body: { outcome: 'not_executed' } })).status).toBe(
      400,
    );
    expect((await f.api('POST', `/approvals/${id}/resolve-execution`, { as: f.owner, body: { outcome: 'maybe', note: 'x' } })).status).toBe(
      400,
    );
    expect(
      (await f.api('POST', `/approvals/${id}/resolve-execution`, { as: f.dave, body: { outcome: 'not_executed', note: 'x' } })).status,
    ).toBe(403);
    const resolved = await f.api('POST', `/approvals/${id}/resolve-execution`, {
      as: f.owner,
      body: { outcome: 'not_executed', note: 'no deploy in the CD log' },
    });
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({ status: 'approved', execution: null });
    expect(await f.engine.claimExecution(id)).toBe(true);
    await f.engine.storeResult(id, { content: [{ type: 'text', text: 'deployed' }] });
    expect((await f.engine.request(input)).storedResult).toEqual({ content: [{ type: 'text', text: 'deployed' }] });
    const again = await f.api('POST', `/approvals/${id}/resolve-execution`, { as: f.owner, body: { outcome: 'executed', note: 'late' } });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('APPROVAL_EXECUTION_NOT_UNKNOWN');
    const resolutions = (await f.preloop.audit.query({ accountId: f.accountId, limit: 100 })).items.filter(
      (record) => record.action === 'approval.resolve_execution',
    );
    expect(resolutions).toHaveLength(1);
    expect(resolutions[0]).toMatchObject({
      outcome: 'not_executed',
      actorId: expect.stringMatching(/^key_/),
      data: { note: 'no deploy in the CD log' },
    });
  }, 60_000);

  it('kill -9 with nobody retrying: the sweeper settles the dead claim; "executed" resolution keeps it from running again', async () => {
    const { input, id } = await approvedRequest();
    await claimInChildAndKill(f.url, id, false);
    await expect
      .poll(
        async () => {
          await f.engine.sweep();
          return (await f.engine.get(f.accountId, id)).status;
        },
        { timeout: 15_000, interval: 300 },
      )
      .toBe('execution_unknown');
    const resolved = await f.api('POST', `/approvals/${id}/resolve-execution`, {
      as: f.owner,
      body: { outcome: 'executed', note: 'the deploy is in the CD log' },
    });
    expect(await resolved.json()).toMatchObject({
      status: 'executed',
      outcomeReason: 'execution confirmed by an admin: the deploy is in the CD log',
    });
    expect(await f.engine.claimExecution(id)).toBe(false);
    expect(await f.engine.request(input)).toMatchObject({ id, status: 'executed', storedResult: null });
  }, 60_000);

  it('kill -9 of an idempotent call: after the lease the retry may claim and run it again', async () => {
    const { input, id } = await approvedRequest();
    await claimInChildAndKill(f.url, id, true);
    expect(await f.engine.claimExecution(id)).toBe(false);
    await expect
      .poll(
        async () => (await f.engine.request(input)).status === 'approved' && (await f.engine.claimExecution(id, { idempotent: true })),
        { timeout: 15_000, interval: 200 },
      )
      .toBe(true);
    await f.engine.storeResult(id, 'second run');
    const detail = await f.engine.detail(f.accountId, id);
    expect(detail.status).toBe('executed');
    expect(detail.timeline.map((entry) => entry.type).filter((type) => type.startsWith('execution') || type === 'executed')).toEqual([
      'execution_claimed',
      'execution_lease_expired',
      'execution_claimed',
      'executed',
    ]);
  }, 60_000);

  it('renews the lease while a long call runs, and a result stored after the lease lapsed still settles the request', async () => {
    let now = Date.now();
    const { id } = await approvedRequest({ clock: () => now });
    expect(await f.engine.claimExecution(id)).toBe(true);
    const first = (await f.engine.get(f.accountId, id)).execution!.leaseExpiresAt!;
    // The heartbeat (every third of the lease) moves the lease forward while the call runs.
    now += 500;
    await expect
      .poll(async () => (await f.engine.get(f.accountId, id)).execution!.leaseExpiresAt!, { timeout: 5_000 })
      .toBe(now + leaseSeconds * 1000);
    expect(first).toBeLessThan(now + leaseSeconds * 1000);
    await f.engine.sweep();
    expect((await f.engine.get(f.accountId, id)).status).toBe('approved');
    // The process freezes past its lease: the request becomes execution_unknown, then the late result arrives.
    now += 10_000;
    await f.engine.sweep();
    expect((await f.engine.get(f.accountId, id)).status).toBe('execution_unknown');
    await f.engine.storeResult(id, 'done after all');
    const detail = await f.engine.detail(f.accountId, id);
    expect(detail).toMatchObject({ status: 'executed', hasResult: true });
    expect(detail.timeline.at(-1)).toMatchObject({ type: 'executed', data: { afterLeaseExpired: true } });
  }, 30_000);
});
