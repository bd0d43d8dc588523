/**
 * An instance killed with SIGKILL mid-execution, on PostgreSQL: a second
 * kernel with flows runs as a child process on the same database and claims an
 * execution of a `command` flow whose agent works for a while; the test kills
 * that kernel with SIGKILL. The agent is naive (it ignores SIGTERM and does not
 * watch its parent), so what stops it is the command runtime's supervisor,
 * which kills the run's process group when its instance dies. The execution is
 * not lost: this instance (the survivor) retries it after the lease lapses,
 * and the agent's own start/alive/end markers show the attempts never overlap.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresOnly, testSecretKey } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlowsFixture, type FlowsFixture } from '../packages/flows/src/test-support/flows-fixture.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const leaseMs = 1500;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Starts the other instance; resolves with the id of the execution it started (and runs). */
async function startChild(database: string, flowId: string): Promise<{ child: ChildProcess; executionId: string }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@preloop/source',
      '--import',
      'tsx',
      path.join(here, 'support/flows-child-instance.ts'),
      database,
      String(leaseMs),
      flowId,
    ],
    { cwd: root, env: { ...process.env, PRELOOP_SECRET_KEY: testSecretKey }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let errors = '';
  child.stderr!.on('data', (chunk) => (errors += chunk));
  const executionId = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('\n')) resolve(output.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`the child instance exited (${code}) before starting: ${errors}`)));
  });
  return { child, executionId };
}

describe.each(postgresOnly())('an instance killed with SIGKILL mid-execution, on $name', (dialect) => {
  let survivor: FlowsFixture;
  let child: ChildProcess | undefined;
  let folder = '';
  const agents = new Set<number>();
  beforeAll(async () => {
    // The survivor ticks only when the test says so, so the child instance claims the execution.
    survivor = await createFlowsFixture(dialect, { flows: { instanceId: 'survivor', leaseMs, pollIntervalMs: 600_000 } });
    folder = await mkdtemp(path.join(tmpdir(), 'preloop-flows-crash-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of agents) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await survivor?.cleanup();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('the agent dies with its instance; the survivor retries the execution after the lease, never at the same time', async () => {
    const markers = path.join(folder, 'markers.log');
    const created = await survivor.api('POST', '/flows', {
      name: 'slow',
      prompt: 'Work slowly',
      retries: { count: 1, backoffSeconds: 0 },
      runtime: {
        id: 'command',
        options: {
          command: process.execPath,
          args: [path.join(root, 'packages/flows/src/test-support/slow-agent.mjs')],
          env: { SLOW_AGENT_FILE: markers },
          stdin: false,
          killGraceSeconds: 0.2,
        },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const started = await startChild(survivor.url, created.body.flow.id);
    child = started.child;
    const { executionId } = started;
    const lines = async () =>
      (await readFile(markers, 'utf8').catch(() => ''))
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [what, attempt, pid, time] = line.split(' ');
          return { what: what!, attempt: Number(attempt), pid: Number(pid), time: Number(time) };
        });
    await expect.poll(async () => (await lines()).some((line) => line.what === 'alive'), { timeout: 15_000 }).toBe(true);
    const first = (await lines())[0]!;
    agents.add(first.pid);
    expect((await survivor.api('GET', `/executions/${executionId}`)).body).toMatchObject({ status: 'running', leaseOwner: 'child' });

    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    // No handler of the killed instance ran; its agent goes anyway (the supervisor's channel to it closed).
    await expect.poll(() => alive(first.pid), { timeout: 5000 }).toBe(false);

    await expect
      .poll(
        async () => {
          await survivor.service().tick();
          return (await survivor.api('GET', `/executions/${executionId}`)).body.status;
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe('succeeded');
    const done = (await survivor.api('GET', `/executions/${executionId}`)).body;
    expect(done).toMatchObject({ attempt: 2, failures: 1, result: 'finished attempt 2', leaseOwner: 'survivor' });
    const marks = await lines();
    const firstAttempt = marks.filter((mark) => mark.attempt === 1);
    const secondStart = marks.find((mark) => mark.attempt === 2 && mark.what === 'start')!;
    // Attempt 1 never ended (killed), and its last sign of life came before attempt 2 started.
    expect(firstAttempt.map((mark) => mark.what)).not.toContain('end');
    expect(Math.max(...firstAttempt.map((mark) => mark.time))).toBeLessThan(secondStart.time);
    expect(
      marks
        .filter((mark) => mark.attempt === 2)
        .map((mark) => mark.what)
        .at(-1),
    ).toBe('end');
    const log = (await survivor.service().readLog(survivor.preloop.accountId, executionId)).map((line) => line.text).join('\n');
    expect(log).toContain('(child) stopped renewing its lease; retrying (retry 1 of 1)');
    expect(log).toContain('attempt 2 started on survivor');
  });
});
