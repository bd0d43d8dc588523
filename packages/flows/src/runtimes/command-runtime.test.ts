/**
 * The `command` runtime: the runtime conformance suite, and cancel and timeout
 * of a flow whose CLI agent (a fake one in the test folder) hangs with a
 * grandchild process: the whole process group is killed.
 */
import { runtimeConformance, testDialects } from '@preloop/core/testing';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlowsFixture, type FlowsFixture } from '../test-support/flows-fixture.js';
import { commandRuntime } from './command-runtime.js';

const fakeAgent = fileURLToPath(new URL('../test-support/fake-cli-agent.mjs', import.meta.url));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

runtimeConformance({
  name: 'command',
  runtime: () => commandRuntime(),
  options: { command: process.execPath, args: ['-e', 'process.stdin.resume(); process.stdin.on("end", () => console.log("done"))'] },
  longRunningOptions: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], killGraceSeconds: 0.2 },
});

describe('command runtime in a flow: cancel and timeout kill the process group', () => {
  let fixture: FlowsFixture;
  let folder: string;
  beforeAll(async () => {
    fixture = await createFlowsFixture(testDialects()[0]!);
    folder = await mkdtemp(path.join(tmpdir(), 'preloop-flows-command-'));
  });
  afterAll(async () => {
    await fixture?.cleanup();
    await rm(folder, { recursive: true, force: true });
  });

  const hangingFlow = async (name: string, timeoutSeconds: number, extra: Record<string, unknown> = {}) => {
    const pidFile = path.join(folder, `${name}.pid`);
    const created = await fixture.api('POST', '/flows', {
      name,
      prompt: 'Fix issue {{ inputs.issue }}',
      inputs: { issue: { required: true } },
      timeoutSeconds,
      ...extra,
      runtime: {
        id: 'command',
        options: {
          command: process.execPath,
          args: [fakeAgent],
          env: { FAKE_AGENT_MODE: 'hang', FAKE_AGENT_PID_FILE: pidFile },
          killGraceSeconds: 0.5,
        },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { flowId: created.body.flow.id as string, pidFile };
  };
  const grandchildPid = async (pidFile: string) => {
    let pid = 0;
    await expect.poll(async () => (pid = Number(await readFile(pidFile, 'utf8').catch(() => '0'))), { timeout: 10_000 }).toBeGreaterThan(0);
    return pid;
  };

  it('cancel aborts the running agent: the execution is cancelled and its child processes are gone', async () => {
    const { flowId, pidFile } = await hangingFlow('cancel-me', 600);
    const started = await fixture.api('POST', `/flows/${flowId}/run`, { inputs: { issue: '42' } });
    const pid = await grandchildPid(pidFile);
    await fixture.waitFor(started.body.id, 'running');
    await expect.poll(async () => (await fixture.api('GET', `/executions/${started.body.id}`)).body.runtimeSessionId).toBeTruthy();
    const cancelled = await fixture.api('POST', `/executions/${started.body.id}/cancel`, { reason: 'not needed' });
    expect(cancelled.status).toBe(200);
    const done = await fixture.waitFor(started.body.id, 'cancelled');
    expect(done.error).toBe('not needed');
    await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false);
    const log = (await fixture.service().readLog(fixture.preloop.accountId, started.body.id)).map((line) => `${line.stream}: ${line.text}`);
    expect(log).toContain('stdout: working on: Fix issue 42');
    expect(log).toContain('stderr: this will take a while');
    const session = await fixture.preloop.identity.runtimeSessions.get(fixture.preloop.accountId, done.runtimeSessionId);
    expect(session.state).toBe('ended');
  });

  it('the kill switch (scope flows) cancels a running execution and kills its processes', async () => {
    const { flowId, pidFile } = await hangingFlow('kill-switched', 600);
    const started = await fixture.api('POST', `/flows/${flowId}/run`, { inputs: { issue: '44' } });
    const pid = await grandchildPid(pidFile);
    const actor = { type: 'system' as const, name: 'test' };
    await fixture.preloop.governance.killSwitch.activate(fixture.preloop.accountId, ['flows'], 'incident 9', actor);
    try {
      const done = await fixture.waitFor(started.body.id, 'cancelled');
      expect(done.error).toContain('incident 9');
      await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false);
    } finally {
      await fixture.preloop.governance.killSwitch.deactivate(fixture.preloop.accountId, ['flows'], actor);
    }
  });

  it("holds a second execution in the queue while the flow's concurrency (1) is taken", async () => {
    const { flowId, pidFile } = await hangingFlow('one-at-a-time', 600, { concurrency: 1 });
    const first = await fixture.api('POST', `/flows/${flowId}/run`, { inputs: { issue: '1' } });
    await grandchildPid(pidFile);
    const second = await fixture.api('POST', `/flows/${flowId}/run`, { inputs: { issue: '2' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await fixture.api('GET', `/executions/${first.body.id}`)).body.status).toBe('running');
    expect((await fixture.api('GET', `/executions/${second.body.id}`)).body.status).toBe('queued');
    await fixture.api('POST', `/executions/${first.body.id}/cancel`, {});
    await fixture.waitFor(second.body.id, 'running');
    await fixture.api('POST', `/executions/${second.body.id}/cancel`, {});
    await fixture.waitFor(second.body.id, 'cancelled');
  });

  it('a program that does not exist fails the run saying it could not start', async () => {
    const created = await fixture.api('POST', '/flows', {
      name: 'missing-program',
      prompt: 'x',
      runtime: { id: 'command', options: { command: path.join(folder, 'no-such-agent') } },
    });
    const started = await fixture.api('POST', `/flows/${created.body.flow.id}/run`, {});
    const failed = await fixture.waitFor(started.body.id, 'failed');
    expect(failed.error).toBe(`could not start ${path.join(folder, 'no-such-agent')}: spawn ${path.join(folder, 'no-such-agent')} ENOENT`);
  });

  it('a run over its timeout is killed and ends timed_out', async () => {
    const { flowId, pidFile } = await hangingFlow('too-slow', 2);
    const started = await fixture.api('POST', `/flows/${flowId}/run`, { inputs: { issue: '43' } });
    const done = await fixture.waitFor(started.body.id, 'timed_out');
    expect(done.error).toBe('timed out after 2 s');
    // On a slow machine the agent may not have started its grandchild before the timeout; when it did, it is gone too.
    const pid = Number(await readFile(pidFile, 'utf8').catch(() => '0'));
    if (pid > 0) await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false);
  });
});
