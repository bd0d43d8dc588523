import { runtimeContractVersion, type AgentRuntime, type RuntimeRunContext, type RuntimeRunResult } from '@preloop/core';
import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { containerOptionsSchema, findContainerOptionProblems } from './container-options.js';

/** What the `container` runtime is configured with (server side, not per flow). */
export interface ContainerRuntimeSettings {
  /** How to reach the Docker Engine API (dockerode's options: `socketPath`, or `host`/`port`/`protocol` and TLS files). @default `DOCKER_HOST`, else `/var/run/docker.sock` */
  connection?: Docker.DockerOptions;
  /**
   * The origin the container reaches this server at, replacing the origin of the gateway and MCP URLs, for example
   * `http://host.docker.internal:3000` (mapped to the host's gateway on Linux too). @default the flows plugin's URLs unchanged
   */
  baseUrl?: string;
  /** The default pull policy of flows that set none. @default 'missing' */
  pull?: 'missing' | 'always' | 'never';
  /** The default network of flows that set none. @default 'bridge' */
  network?: string;
}

/** The longest output kept as the result, in characters (the log keeps every line). */
const maximumOutputLength = 65_536;

/** Lines of output quoted in a failed run's error. */
const quotedLines = 5;

/** An error of the Docker Engine API, with its HTTP status when it has one. */
function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error ? Number(error.statusCode) : undefined;
}

/** A Docker error as one line, without the run's credential. */
function describeError(error: unknown, credential: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(credential).join('[redacted]').replace(/\s+/g, ' ').trim();
}

/** Replaces the origin of `url` with `baseUrl` (keeping its path). */
function rebase(url: string, baseUrl: string | undefined): string {
  if (!baseUrl) return url;
  const target = new URL(url);
  const base = new URL(baseUrl);
  return `${base.origin}${base.pathname.replace(/\/$/, '')}${target.pathname}${target.search}`;
}

/** Pulls an image, reading the progress stream to its end; rejects with the daemon's error. */
async function pullImage(docker: Docker, image: string, context: RuntimeRunContext): Promise<void> {
  context.log('info', `pulling ${image}`);
  const stream = await docker.pull(image, { abortSignal: context.signal });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
      const failed = output?.find((event) => event.error || event.errorDetail);
      if (error) reject(error);
      else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
      else resolve();
    });
  });
}

/** Sends each complete line written to `stream` to the log; keeps stdout for the result. */
function lineSink(context: RuntimeRunContext, name: 'stdout' | 'stderr', kept: string[], tail: string[]): PassThrough {
  const sink = new PassThrough();
  let buffered = '';
  const emit = (line: string) => {
    // A program that prints its environment must not put the credential in the execution log.
    const clean = line.replace(/\r$/, '').split(context.credential).join('[redacted]');
    context.log(name, clean);
    tail.push(clean);
    if (tail.length > quotedLines) tail.shift();
  };
  sink.setEncoding('utf8');
  sink.on('data', (chunk: string) => {
    buffered += chunk;
    if (name === 'stdout') kept.push(chunk);
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) emit(line);
  });
  sink.on('end', () => {
    if (buffered) emit(buffered);
    buffered = '';
  });
  return sink;
}

/** Follows a container's logs to their end (the container exited), demultiplexing stdout and stderr. */
async function followLogs(docker: Docker, container: Docker.Container, context: RuntimeRunContext, kept: string[], tail: string[]) {
  const stream = (await container.logs({ follow: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
  const stdout = lineSink(context, 'stdout', kept, tail);
  const stderr = lineSink(context, 'stderr', kept, tail);
  docker.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', (error: Error) => {
      context.log('error', `log stream: ${describeError(error, context.credential)}`);
      resolve();
    });
  });
  stdout.end();
  stderr.end();
}

/** Stops a container (SIGTERM, SIGKILL after the grace period), kills it if stopping fails, then removes it. */
async function stopAndRemove(container: Docker.Container, graceSeconds: number, context: RuntimeRunContext): Promise<void> {
  try {
    await container.stop({ t: graceSeconds });
  } catch (error) {
    const status = statusOf(error);
    // 304: already stopped; 404: already gone (auto-removed).
    if (status !== 304 && status !== 404) {
      context.log('error', `stop failed (${describeError(error, context.credential)}); killing`);
      await container.kill().catch(() => undefined);
    }
  }
  await removeContainer(container, context);
}

/** Removes a container (forcefully); a container already gone is fine. */
async function removeContainer(container: Docker.Container, context: RuntimeRunContext): Promise<void> {
  try {
    await container.remove({ force: true });
  } catch (error) {
    if (statusOf(error) !== 404 && statusOf(error) !== 409)
      context.log('error', `could not remove container ${container.id.slice(0, 12)}: ${describeError(error, context.credential)}`);
  }
}

/**
 * The `container` runtime: runs a flow's agent in a fresh container through
 * the Docker Engine API (dockerode). Per execution it pulls the image if
 * missing (by the `pull` policy), creates the container with the flow's
 * image, entrypoint, command (`{prompt}` replaced), working directory, user,
 * environment and limits (memory, CPUs, processes, network mode), plus
 * `OPENAI_BASE_URL`, `OPENAI_API_KEY`, `ANTHROPIC_BASE_URL`,
 * `ANTHROPIC_API_KEY`, `PRELOOP_MCP_URL`, `PRELOOP_TOKEN` (the run's
 * credential), `PRELOOP_MODEL`, `PRELOOP_PROMPT`, `PRELOOP_EXECUTION_ID` and
 * `PRELOOP_ATTEMPT`; starts it, streams its stdout and stderr to the execution
 * log line by line, and waits for it to exit: code 0 succeeds with its
 * standard output, any other code fails quoting the last lines. On cancel or
 * timeout it stops the container (then kills it) and removes it.
 *
 * @example
 * ```ts
 * const runtime = containerRuntime({ baseUrl: 'http://host.docker.internal:3000' });
 * // a flow: { runtime: { id: 'container', options: { image: 'ghcr.io/acme/agent:1', command: ['agent', '{prompt}'] } } }
 * ```
 */
export function containerRuntime(settings: ContainerRuntimeSettings = {}): AgentRuntime {
  const docker = new Docker(settings.connection);
  return {
    id: 'container',
    version: runtimeContractVersion,
    description: 'Runs the agent in a container through the Docker Engine API, pointed at the gateway and MCP endpoint.',
    validateOptions: findContainerOptionProblems,
    async run(context): Promise<RuntimeRunResult> {
      const options = containerOptionsSchema.parse(context.options);
      const pull = options.pull ?? settings.pull ?? 'missing';
      const network = options.network ?? settings.network ?? 'bridge';
      const mapsHostGateway = settings.baseUrl !== undefined && new URL(settings.baseUrl).hostname === 'host.docker.internal';
      const env: Record<string, string> = {
        ...options.env,
        OPENAI_BASE_URL: rebase(context.endpoints.openaiBaseUrl, settings.baseUrl),
        OPENAI_API_KEY: context.credential,
        ANTHROPIC_BASE_URL: rebase(context.endpoints.anthropicBaseUrl, settings.baseUrl),
        ANTHROPIC_API_KEY: context.credential,
        PRELOOP_MCP_URL: rebase(context.endpoints.mcpUrl, settings.baseUrl),
        PRELOOP_TOKEN: context.credential,
        PRELOOP_PROMPT: context.prompt,
        PRELOOP_EXECUTION_ID: context.executionId,
        PRELOOP_ATTEMPT: String(context.attempt),
        ...(context.model ? { PRELOOP_MODEL: context.model } : {}),
      };
      const spec: Docker.ContainerCreateOptions = {
        name: `preloop-${context.executionId}-${context.attempt}`.replace(/[^a-zA-Z0-9_.-]/g, '-'),
        Image: options.image,
        ...(options.entrypoint ? { Entrypoint: options.entrypoint } : {}),
        ...(options.command ? { Cmd: options.command.map((arg) => arg.split('{prompt}').join(context.prompt)) } : {}),
        ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
        ...(options.user ? { User: options.user } : {}),
        Env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
        Labels: { 'dev.preloop.execution': context.executionId, 'dev.preloop.flow': context.flowId },
        Tty: false,
        OpenStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        HostConfig: {
          NetworkMode: network,
          AutoRemove: options.autoRemove,
          ...(options.memoryMb ? { Memory: options.memoryMb * 1024 * 1024 } : {}),
          ...(options.cpus ? { NanoCpus: Math.round(options.cpus * 1e9) } : {}),
          ...(options.pidsLimit ? { PidsLimit: options.pidsLimit } : {}),
          ...(mapsHostGateway ? { ExtraHosts: ['host.docker.internal:host-gateway'] } : {}),
        },
      };
      const fail = (step: string, error: unknown): RuntimeRunResult => ({
        status: 'failed',
        error: context.signal.aborted ? `stopped during ${step}` : `${step} failed: ${describeError(error, context.credential)}`,
      });

      // `_query`/`_body`: dockerode otherwise also copies the whole spec (the credential in `Env`) into the request URL.
      const createContainer = () =>
        docker.createContainer({
          _query: { name: spec.name },
          _body: { ...spec, name: undefined },
          abortSignal: context.signal,
        } as unknown as Docker.ContainerCreateOptions);
      let container: Docker.Container;
      try {
        if (pull === 'always') await pullImage(docker, options.image, context);
        try {
          container = await createContainer();
        } catch (error) {
          if (statusOf(error) !== 404 || pull === 'never') throw error;
          await pullImage(docker, options.image, context).catch((pullError: unknown) => {
            throw new Error(`could not pull image ${options.image}: ${describeError(pullError, context.credential)}`);
          });
          container = await createContainer();
        }
      } catch (error) {
        if (context.signal.aborted) {
          // The daemon may have created it before the aborted request got its answer: remove it by name.
          await removeContainer(docker.getContainer(spec.name!), context);
          return { status: 'failed', error: 'stopped before the container started' };
        }
        const message = describeError(error, context.credential);
        return { status: 'failed', error: message.startsWith('could not pull') ? message : `could not create the container: ${message}` };
      }

      let removal = null as Promise<void> | null;
      const onAbort = () => {
        context.log('info', `stopping container ${container.id.slice(0, 12)}`);
        removal = stopAndRemove(container, options.stopGraceSeconds, context);
      };
      try {
        if (context.signal.aborted) {
          return { status: 'failed', error: 'stopped before the container started' };
        }
        context.signal.addEventListener('abort', onAbort, { once: true });
        // With auto-removal the exit code is only readable until the daemon removes the container: wait for the removal,
        // registered before start. Otherwise the exit is read after the logs end (the container has exited by then).
        const waitFor = (condition: 'removed' | 'not-running') =>
          container.wait({ condition }) as Promise<{ StatusCode: number; Error?: { Message?: string } | null }>;
        const removed = options.autoRemove ? waitFor('removed') : null;
        removed?.catch(() => undefined);
        try {
          await container.start();
        } catch (error) {
          await removeContainer(container, context);
          return fail('starting the container', error);
        }
        context.log('info', `started container ${container.id.slice(0, 12)} from ${options.image}`);
        const kept: string[] = [];
        const tail: string[] = [];
        await followLogs(docker, container, context, kept, tail).catch((error: unknown) =>
          context.log('error', `could not read the logs: ${describeError(error, context.credential)}`),
        );
        let exit: { StatusCode: number };
        try {
          exit = await (removed ?? waitFor('not-running'));
        } catch (error) {
          return fail('waiting for the container', error);
        }
        if (context.signal.aborted) return { status: 'failed', error: 'stopped (container stopped and removed)' };
        if (exit.StatusCode !== 0) {
          const lines = tail.length ? `; last lines:\n${tail.join('\n')}` : '';
          return {
            status: 'failed',
            error: `container exited with code ${exit.StatusCode}${lines}`.split(context.credential).join('[redacted]'),
          };
        }
        const output = kept.join('').trim().split(context.credential).join('[redacted]');
        return { status: 'succeeded', output: output.length > maximumOutputLength ? output.slice(-maximumOutputLength) : output };
      } finally {
        context.signal.removeEventListener('abort', onAbort);
        if (removal) await removal;
        else if (context.signal.aborted) await stopAndRemove(container, options.stopGraceSeconds, context);
        else if (!options.autoRemove) await removeContainer(container, context);
      }
    },
  };
}
