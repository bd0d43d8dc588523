/**
 * Flows across instances on PostgreSQL: a schedule fires once per tick across
 * two kernels (fake clock, time zones), and an instance cut off from the
 * database mid-run (a fault proxy stalls its connections): it stops its
 * attempt when it cannot renew the lease, the lease lapses, and the other
 * instance runs the execution again, once, never while the first still runs.
 */
import { createFaultProxy, postgresOnly, type FaultProxy } from '@preloop/core/testing';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlowsFixture, type FlowsFixture } from './test-support/flows-fixture.js';

const dialects = postgresOnly();
const here = path.dirname(fileURLToPath(import.meta.url));

describe.each(dialects)('flows across instances on $name', (dialect) => {
  describe('schedules', () => {
    // Thursday 15 January 2026, 07:58 UTC = 08:58 in Berlin.
    let clock = Date.parse('2026-01-15T07:58:00Z');
    const now = () => clock;
    let first: FlowsFixture;
    let second: FlowsFixture;
    beforeAll(async () => {
      first = await createFlowsFixture(dialect, { flows: { now, instanceId: 'first' } });
      second = await createFlowsFixture(dialect, { database: first.url, flows: { now, instanceId: 'second' } });
    });
    afterAll(async () => {
      await second?.preloop.close();
      await first?.cleanup();
    });

    it('fires each tick once across two instances, in the cron time zone', async () => {
      const created = await first.api('POST', '/flows', {
        name: 'morning',
        prompt: 'Report for {{ event.scheduledAt }}',
        runtime: { id: 'echo' },
        triggers: [
          { type: 'schedule', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' },
          { type: 'schedule', cron: '*/30 * * * *' },
        ],
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const executions = async () => (await first.api('GET', `/flows/${created.body.flow.id}/executions`)).body.items as any[];

      clock = Date.parse('2026-01-15T08:01:00Z');
      const fired = await Promise.all([first.service().checkSchedules(), second.service().checkSchedules()]);
      expect(fired[0]! + fired[1]!).toBe(1);
      await expect.poll(async () => (await executions()).length).toBe(1);
      // 09:00 in Berlin is 08:00 UTC (and the half-hour tick at 08:00 UTC is the same instant: one execution).
      expect((await executions())[0].trigger).toMatchObject({ type: 'schedule', scheduledAt: Date.parse('2026-01-15T08:00:00Z') });
      // Let it finish before the clock jumps (a jump past its lease would count as its instance stopping).
      await first.waitFor((await executions())[0].id, 'succeeded');

      clock = Date.parse('2026-01-15T09:05:00Z');
      await Promise.all([first.service().checkSchedules(), second.service().checkSchedules(), first.service().checkSchedules()]);
      const times = (await executions()).map((execution) => execution.trigger.scheduledAt).sort();
      expect(times).toEqual(['2026-01-15T08:00:00Z', '2026-01-15T08:30:00Z', '2026-01-15T09:00:00Z'].map((time) => Date.parse(time)));
      for (const execution of await executions()) await first.waitFor(execution.id, 'succeeded');
      expect((await first.api('GET', `/executions/${(await executions())[0].id}`)).body.renderedPrompt).toMatch(/^Report for \d+$/);
    });
  });

  describe('an instance cut off from the database mid-run', () => {
    const leaseMs = 1500;
    let proxy: FaultProxy;
    let survivor: FlowsFixture;
    let partitioned: FlowsFixture;
    let folder: string;
    beforeAll(async () => {
      // The survivor's runner ticks only when the test says so (its poll is long), so the other instance claims the execution.
      survivor = await createFlowsFixture(dialect, { flows: { instanceId: 'survivor', leaseMs, pollIntervalMs: 600_000 } });
      const target = new URL(survivor.url);
      proxy = await createFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
      partitioned = await createFlowsFixture(dialect, {
        database: proxy.url(survivor.url),
        flows: { instanceId: 'partitioned', leaseMs, pollIntervalMs: 50 },
      });
      folder = await mkdtemp(path.join(tmpdir(), 'preloop-flows-lease-'));
    });
    afterAll(async () => {
      proxy?.stall(false);
      await partitioned?.preloop.close();
      await proxy?.close();
      await survivor?.cleanup();
      await rm(folder, { recursive: true, force: true });
    });

    it('stops its attempt when it cannot renew the lease; the other instance retries it once, never at the same time', async () => {
      const markers = path.join(folder, 'markers.log');
      const created = await survivor.api('POST', '/flows', {
        name: 'lease',
        prompt: 'Work',
        retries: { count: 1, backoffSeconds: 0 },
        runtime: {
          id: 'command',
          options: {
            command: process.execPath,
            args: [path.join(here, 'test-support/crash-agent.mjs')],
            env: { CRASH_AGENT_FILE: markers },
            killGraceSeconds: 0.2,
          },
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const execution = await partitioned.service().run(partitioned.preloop.accountId, created.body.flow.id, {}, null);
      await expect.poll(async () => (await readFile(markers, 'utf8').catch(() => '')).includes('start 1 '), { timeout: 15_000 }).toBe(true);
      expect((await survivor.api('GET', `/executions/${execution.id}`)).body).toMatchObject({
        status: 'running',
        leaseOwner: 'partitioned',
      });

      // The network hangs between the partitioned instance and the database: its renewals never arrive.
      proxy.stall(true);
      await expect.poll(async () => (await readFile(markers, 'utf8')).includes('exit 1 '), { timeout: 10_000 }).toBe(true);
      await expect
        .poll(
          async () => {
            await survivor.service().tick();
            return (await survivor.api('GET', `/executions/${execution.id}`)).body.status;
          },
          { timeout: 15_000, interval: 100 },
        )
        .toBe('succeeded');
      // The partitioned instance reconnects: its late writes match no lease any more.
      proxy.stall(false);
      const done = (await survivor.api('GET', `/executions/${execution.id}`)).body;
      expect(done).toMatchObject({ attempt: 2, failures: 1, result: 'finished on attempt 2', leaseOwner: 'survivor', status: 'succeeded' });
      const lines = (await readFile(markers, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => line.split(' '));
      expect(lines.map((line) => `${line[0]} ${line[1]}`)).toEqual(['start 1', 'exit 1', 'start 2', 'done 2']);
      // The second attempt started after the first had stopped.
      expect(Number(lines[2]![3])).toBeGreaterThanOrEqual(Number(lines[1]![3]));
      await expect
        .poll(async () => (await survivor.service().readLog(survivor.preloop.accountId, execution.id)).map((line) => line.text).join('\n'))
        .toContain('(partitioned) stopped renewing its lease; retrying (retry 1 of 1)');
      const log = (await survivor.service().readLog(survivor.preloop.accountId, execution.id)).map((line) => line.text).join('\n');
      expect(log).toContain('attempt 2 started on survivor');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await survivor.api('GET', `/executions/${execution.id}`)).body).toMatchObject({ status: 'succeeded', attempt: 2 });
    });
  });
});
