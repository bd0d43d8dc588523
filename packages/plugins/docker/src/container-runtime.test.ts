/**
 * The `container` runtime against a stand-in Docker Engine API on a unix
 * socket (the real paths, bodies and stream framing dockerode uses): the
 * create body, log streaming, exit codes, pulls, cancel and timeout.
 */
import { isPreloopError, type RuntimeRunContext } from '@preloop/core';
import { runtimeConformance } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerRuntime } from './container-runtime.js';
import { docker } from './docker-plugin.js';
import { startFakeDocker, type FakeDocker } from './fake-docker-test-support.js';

const credential = 'prl_rt_container-test-SECRET';
let engine: FakeDocker;

beforeAll(async () => {
  engine = await startFakeDocker({ images: ['stub/agent:1'], registry: ['stub/pulled:2'] });
});
afterAll(async () => {
  await engine.close();
});

runtimeConformance({
  name: 'container',
  runtime: () => containerRuntime({ connection: { socketPath: engine.socketPath } }),
  options: { image: 'stub/agent:1', command: ['say', 'hello'] },
  longRunningOptions: { image: 'stub/agent:1', command: ['hang'], stopGraceSeconds: 0 },
});

/** A run context; its log lines land in `lines`. */
function contextFor(options: Record<string, unknown>, lines: string[], signal = new AbortController().signal): RuntimeRunContext {
  return {
    accountId: 'acc_1',
    flowId: 'flow_1',
    executionId: 'exe_1',
    attempt: 2,
    prompt: 'Triage issue #7.',
    model: 'claude',
    endpoints: {
      openaiBaseUrl: 'http://127.0.0.1:3000/openai/v1',
      anthropicBaseUrl: 'http://127.0.0.1:3000/anthropic',
      mcpUrl: 'http://127.0.0.1:3000/mcp',
    },
    credential,
    runtimeSessionId: 'rts_1',
    options,
    signal,
    log: (stream, text) => void lines.push(`${stream}: ${text}`),
    checkpoint: null,
    allowedTools: null,
  };
}

const since = (start: number) => engine.requests.slice(start).map((request) => `${request.method} ${request.path}`);

describe('container runtime', () => {
  const runtime = () => containerRuntime({ connection: { socketPath: engine.socketPath }, baseUrl: 'http://host.docker.internal:3000' });

  it('creates the container with the run credential, base URLs and limits, streams its logs and removes it', async () => {
    const start = engine.requests.length;
    const lines: string[] = [];
    const result = await runtime().run(
      contextFor(
        {
          image: 'stub/agent:1',
          command: ['say', 'first line', 'got: {prompt}'],
          env: { LEVEL: 'debug' },
          memoryMb: 512,
          cpus: 1.5,
          pidsLimit: 64,
          workingDir: '/work',
          user: '1000:1000',
          network: 'agents',
        },
        lines,
      ),
    );
    expect(result).toEqual({ status: 'succeeded', output: 'first line\ngot: Triage issue #7.' });
    expect(lines).toContain('stdout: first line');
    expect(lines).toContain('stdout: got: Triage issue #7.');

    const create = engine.requests.slice(start).find((request) => request.path === '/containers/create')!;
    const body = create.body as {
      Env: string[];
      Cmd: string[];
      HostConfig: Record<string, unknown>;
      WorkingDir: string;
      User: string;
      Labels: Record<string, string>;
    };
    expect(body.Env).toEqual(
      expect.arrayContaining([
        `OPENAI_API_KEY=${credential}`,
        `ANTHROPIC_API_KEY=${credential}`,
        `PRELOOP_TOKEN=${credential}`,
        'OPENAI_BASE_URL=http://host.docker.internal:3000/openai/v1',
        'ANTHROPIC_BASE_URL=http://host.docker.internal:3000/anthropic',
        'PRELOOP_MCP_URL=http://host.docker.internal:3000/mcp',
        'PRELOOP_MODEL=claude',
        'PRELOOP_EXECUTION_ID=exe_1',
        'PRELOOP_ATTEMPT=2',
        'LEVEL=debug',
      ]),
    );
    expect(body.Cmd).toEqual(['say', 'first line', 'got: Triage issue #7.']);
    expect(body.WorkingDir).toBe('/work');
    expect(body.User).toBe('1000:1000');
    expect(body.Labels['dev.preloop.execution']).toBe('exe_1');
    expect(body.HostConfig).toMatchObject({
      Memory: 512 * 1024 * 1024,
      NanoCpus: 1_500_000_000,
      PidsLimit: 64,
      NetworkMode: 'agents',
      AutoRemove: false,
      ExtraHosts: ['host.docker.internal:host-gateway'],
    });
    // The credential travels in the body only, never in a URL (daemon and proxy logs).
    expect(create.query.get('name')).toBe('preloop-exe_1-2');
    expect(
      engine.requests
        .slice(start)
        .map((request) => request.url)
        .join('\n'),
    ).not.toContain('SECRET');
    expect(lines.join('\n')).not.toContain('SECRET');

    const id = engine.requests
      .slice(start)
      .find((request) => request.path.endsWith('/start'))!
      .path.split('/')[2]!;
    const logs = engine.requests.slice(start).find((request) => request.path === `/containers/${id}/logs`)!;
    expect(Object.fromEntries(logs.query)).toMatchObject({ follow: 'true', stdout: 'true', stderr: 'true' });
    expect(since(start)).toEqual([
      'POST /containers/create',
      `POST /containers/${id}/start`,
      `GET /containers/${id}/logs`,
      `POST /containers/${id}/wait`,
      `DELETE /containers/${id}`,
    ]);
    expect(engine.containers.has(id)).toBe(false);
  });

  it('fails with the exit code and the last lines, stderr logged as stderr', async () => {
    const lines: string[] = [];
    const result = await runtime().run(
      contextFor({ image: 'stub/agent:1', command: ['fail', '3', 'reading issue', 'model refused'] }, lines),
    );
    expect(result).toEqual({ status: 'failed', error: 'container exited with code 3; last lines:\nreading issue\nmodel refused' });
    expect(lines).toContain('stderr: model refused');
    expect(engine.containers.size).toBe(0);
  });

  it('pulls a missing image, then runs it', async () => {
    const start = engine.requests.length;
    const result = await runtime().run(contextFor({ image: 'stub/pulled:2', command: ['say', 'pulled'] }, []));
    expect(result).toEqual({ status: 'succeeded', output: 'pulled' });
    const pull = engine.requests.slice(start).find((request) => request.path === '/images/create')!;
    expect(Object.fromEntries(pull.query)).toEqual({ fromImage: 'stub/pulled', tag: '2' });
    expect(since(start).slice(0, 3)).toEqual(['POST /containers/create', 'POST /images/create', 'POST /containers/create']);
  });

  it('an image that cannot be pulled is a clear failed execution, and no container is created', async () => {
    const before = engine.containers.size;
    const result = await runtime().run(contextFor({ image: 'stub/missing:1' }, []));
    expect(result).toEqual({
      status: 'failed',
      error: expect.stringMatching(/^could not pull image stub\/missing:1: .*pull access denied for stub\/missing/),
    });
    expect(engine.containers.size).toBe(before);
  });

  it('pull "never" fails on a missing image without pulling', async () => {
    const start = engine.requests.length;
    const result = await runtime().run(contextFor({ image: 'stub/other:1', pull: 'never' }, []));
    expect(result).toEqual({
      status: 'failed',
      error: expect.stringMatching(/^could not create the container: .*No such image: stub\/other:1/),
    });
    expect(since(start)).toEqual(['POST /containers/create']);
  });

  it('cancel stops and removes the container', async () => {
    const start = engine.requests.length;
    const controller = new AbortController();
    const lines: string[] = [];
    const context = contextFor({ image: 'stub/agent:1', command: ['hang'], stopGraceSeconds: 5 }, lines, controller.signal);
    const run = runtime().run({
      ...context,
      log: (stream, text) => {
        lines.push(`${stream}: ${text}`);
        if (text === 'working') controller.abort(new Error('cancelled'));
      },
    });
    expect(await run).toEqual({ status: 'failed', error: 'stopped (container stopped and removed)' });
    const stop = engine.requests.slice(start).find((request) => request.path.endsWith('/stop'))!;
    expect(stop.query.get('t')).toBe('5');
    const id = stop.path.split('/')[2]!;
    expect(since(start)).toContain(`DELETE /containers/${id}`);
    expect(engine.containers.has(id)).toBe(false);
  });

  it('a timeout stops the container; when stopping fails it is killed, then removed', async () => {
    const stubborn = await startFakeDocker({ images: ['stub/agent:1'], failStop: true });
    try {
      const lines: string[] = [];
      const result = await containerRuntime({ connection: { socketPath: stubborn.socketPath } }).run(
        contextFor({ image: 'stub/agent:1', command: ['hang'] }, lines, AbortSignal.timeout(300)),
      );
      expect(result.status).toBe('failed');
      const calls = stubborn.requests.map((request) => `${request.method} ${request.path.replace(/[0-9a-f]{64}/, 'ID')}`);
      expect(calls.filter((call) => !call.endsWith('/wait') && !call.endsWith('/logs')).slice(-3)).toEqual([
        'POST /containers/ID/stop',
        'POST /containers/ID/kill',
        'DELETE /containers/ID',
      ]);
      expect(lines.some((line) => line.startsWith('error: stop failed') && line.endsWith('killing'))).toBe(true);
      expect(stubborn.containers.size).toBe(0);
    } finally {
      await stubborn.close();
    }
  });

  it('a cancel while the daemon is still answering the create request removes the created container by name', async () => {
    const slow = await startFakeDocker({ images: ['stub/agent:1'], createDelayMs: 150 });
    try {
      const result = await containerRuntime({ connection: { socketPath: slow.socketPath } }).run(
        contextFor({ image: 'stub/agent:1', command: ['hang'] }, [], AbortSignal.timeout(50)),
      );
      expect(result).toEqual({ status: 'failed', error: 'stopped before the container started' });
      await expect.poll(() => slow.containers.size).toBe(0);
      expect(slow.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
        'POST /containers/create',
        'DELETE /containers/preloop-exe_1-2',
      ]);
    } finally {
      await slow.close();
    }
  });

  it('auto-removal: the daemon removes the container and the exit code is still read', async () => {
    const start = engine.requests.length;
    const result = await runtime().run(contextFor({ image: 'stub/agent:1', command: ['say', 'bye'], autoRemove: true }, []));
    expect(result).toEqual({ status: 'succeeded', output: 'bye' });
    const wait = engine.requests.slice(start).find((request) => request.path.endsWith('/wait'))!;
    expect(wait.query.get('condition')).toBe('removed');
    expect(since(start).some((call) => call.startsWith('DELETE'))).toBe(false);
  });

  it('honours DOCKER_HOST when no connection is given', async () => {
    const previous = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${engine.socketPath}`;
    try {
      expect(await containerRuntime().run(contextFor({ image: 'stub/agent:1', command: ['say', 'via DOCKER_HOST'] }, []))).toEqual({
        status: 'succeeded',
        output: 'via DOCKER_HOST',
      });
    } finally {
      if (previous === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = previous;
    }
  });

  it('names each bad option; the plugin refuses a bad baseUrl', () => {
    expect(runtime().validateOptions?.({ image: 'has space', memoryMb: 1, extra: true })).toEqual([
      'options.image: must not contain spaces',
      'options.memoryMb: Too small: expected number to be >=6',
      'options.: Unrecognized key: "extra"',
    ]);
    let error: unknown;
    try {
      docker({ baseUrl: 'host.docker.internal:3000' });
    } catch (caught) {
      error = caught;
    }
    expect(isPreloopError(error, 'CONFIGURATION_ERROR')).toBe(true);
    expect(docker({ baseUrl: 'http://host.docker.internal:3000' }).contributions.runtimes[0]!.id).toBe('container');
  });
});
