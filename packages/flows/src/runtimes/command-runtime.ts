import { runtimeContractVersion, type AgentRuntime, type RuntimeRunContext, type RuntimeRunResult } from '@preloop/core';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** The runtime options of a `command` flow. */
export const commandOptionsSchema = z.strictObject({
  /** The program to run (a path, or a name found on PATH), for example `claude` or `codex`. */
  command: z.string().min(1).max(1000),
  /** Its arguments; `{prompt}` in an argument is replaced by the rendered prompt. @default [] */
  args: z.array(z.string().max(100_000)).max(100).default([]),
  /** Extra environment variables (the server's own environment is not passed on). @default {} */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(10_000)).default({}),
  /** Clone a repository into the working directory first. @default none */
  git: z
    .strictObject({
      /** An https URL. */
      url: z.string().url().max(2000),
      /** A branch or tag. @default the default branch */
      ref: z.string().min(1).max(200).optional(),
      /** The name of a secret (secret store) holding a token for the clone; sent as an HTTP header, never in a URL or argument. */
      tokenSecret: z.string().min(1).max(200).optional(),
    })
    .optional(),
  /** Write the prompt to the program's standard input (then close it). @default true */
  stdin: z.boolean().default(true),
  /** Seconds between SIGTERM and SIGKILL when the run is stopped. @default 2 */
  killGraceSeconds: z.number().min(0).max(60).default(2),
});

/** The `command` runtime's options, as a flow stores them. */
export type CommandRuntimeOptions = z.input<typeof commandOptionsSchema>;

/** Environment variables passed on from the server (everything else, secrets included, is not). */
const inheritedVariables = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SYSTEMROOT', 'NODE_EXTRA_CA_CERTS'];

/** The longest output kept as the result, in characters (the log keeps every line). */
const maximumOutputLength = 65_536;

/** What the `command` runtime needs from the kernel. */
export interface CommandRuntimeDependencies {
  /** Reads a secret of the account (the git token). @default none: `git.tokenSecret` fails the run */
  secret?: (accountId: string, name: string) => Promise<string>;
}

/** Streams a child's output to the log, line by line; keeps stdout for the result. */
function pipeLines(child: ChildProcess, context: RuntimeRunContext, stdout: string[]) {
  for (const stream of ['stdout', 'stderr'] as const) {
    let buffered = '';
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (chunk: string) => {
      buffered += chunk;
      if (stream === 'stdout') stdout.push(chunk);
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) context.log(stream, line.replace(/\r$/, ''));
    });
    child[stream]?.on('end', () => {
      if (buffered) context.log(stream, buffered);
      buffered = '';
    });
  }
}

/**
 * A small supervisor (run with `node -e`) between the runtime and the program: it leads the run's process group,
 * runs the program in it, passes its exit code or signal on, and holds an IPC channel to this process. When this
 * process dies, even by SIGKILL (no handler runs), the channel closes and the supervisor kills its whole group, so
 * no agent outlives its instance and runs next to the attempt another instance starts after the lease lapses.
 * SIGTERM is for the program (the supervisor waits for it); without a channel (spawned otherwise) it does nothing.
 */
const supervisorSource = `
const { spawn } = require('node:child_process');
const [command, ...args] = process.argv.slice(1);
const killGroup = () => { try { process.kill(-process.pid, 'SIGKILL'); } catch {} process.exit(137); };
process.on('disconnect', killGroup);
if (!process.connected) killGroup();
process.on('SIGTERM', () => {});
process.on('SIGINT', () => {});
const env = { ...process.env };
delete env.NODE_CHANNEL_FD;
delete env.NODE_CHANNEL_SERIALIZATION_MODE;
const child = spawn(command, args, { stdio: 'inherit', env });
child.on('error', (error) => {
  process.stderr.write('could not start ' + command + ': ' + error.message + '\\n');
  process.exitCode = 127;
  process.removeAllListeners('disconnect');
  process.disconnect();
});
child.on('exit', (code, signal) => {
  process.removeAllListeners('disconnect');
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
`;

/** Runs a program to its end in its own process group; kills the group when `signal` aborts. */
function runProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; input: string | null; signal: AbortSignal; graceMs: number },
  context: RuntimeRunContext,
  stdout: string[],
): Promise<{ code: number | null; signal: NodeJS.Signals | null; error: Error | null }> {
  return new Promise((resolve) => {
    // The supervisor leads the process group and kills it when this process dies (see `supervisorSource`).
    const child = spawn(process.execPath, ['-e', supervisorSource, command, ...args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    child.on('disconnect', () => {});
    const spawnFailed = `could not start ${command}: `;
    let startError: string | null = null;
    child.stderr?.on('data', (chunk: Buffer | string) => {
      const text = String(chunk);
      if (startError === null && text.startsWith(spawnFailed)) startError = text.slice(spawnFailed.length).trim();
    });
    let settled = false;
    let killTimer: ReturnType<typeof setTimeout> | null = null;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const onAbort = () => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.graceMs);
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
    pipeLines(child, context, stdout);
    child.stdin?.on('error', () => {});
    if (options.input !== null) child.stdin?.end(options.input);
    else child.stdin?.end();
    const finish = (result: { code: number | null; signal: NodeJS.Signals | null; error: Error | null }) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      // Whatever the program left running in its group goes too.
      killGroup('SIGKILL');
      if (killTimer) clearTimeout(killTimer);
      resolve(result);
    };
    child.on('error', (error) => finish({ code: null, signal: null, error }));
    child.on('close', (code, signal) =>
      finish({ code, signal, error: code === 127 && startError !== null ? new Error(startError) : null }),
    );
  });
}

/**
 * The built-in `command` runtime: runs a CLI agent (Claude Code, Codex, Gemini
 * CLI, OpenHands, a script) as a child process in a fresh temporary working
 * directory (optionally a `git clone` made with a token from the secret
 * store), with a fresh HOME and an environment that points it at this
 * server's gateway and MCP endpoint with the execution's runtime credential:
 * `OPENAI_BASE_URL`, `OPENAI_API_KEY`, `ANTHROPIC_BASE_URL`,
 * `ANTHROPIC_API_KEY`, `PRELOOP_MCP_URL`, `PRELOOP_TOKEN`, `PRELOOP_MODEL`,
 * `PRELOOP_PROMPT`, `PRELOOP_EXECUTION_ID`, `PRELOOP_ATTEMPT`. The server's own environment is not passed on (only PATH,
 * locale and time zone). Its output is streamed to the execution log line by
 * line; on cancel or timeout its whole process group gets SIGTERM, then
 * SIGKILL, and if this process dies (even by SIGKILL) a small supervisor kills
 * the group at once, so no agent outlives its instance. Exit code 0 succeeds
 * with its standard output as the result.
 *
 * @example
 * ```ts
 * const runtime = commandRuntime();
 * // a flow: { runtime: { id: 'command', options: { command: 'claude', args: ['-p', '{prompt}', '--output-format', 'text'] } } }
 * ```
 */
export function commandRuntime(dependencies: CommandRuntimeDependencies = {}): AgentRuntime {
  return {
    id: 'command',
    version: runtimeContractVersion,
    description: 'Runs a CLI agent as a child process pointed at the gateway and MCP endpoint.',
    validateOptions(options) {
      const parsed = commandOptionsSchema.safeParse(options);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `options.${issue.path.join('.')}: ${issue.message}`);
    },
    async run(context): Promise<RuntimeRunResult> {
      const options = commandOptionsSchema.parse(context.options);
      const workdir = await mkdtemp(path.join(tmpdir(), 'preloop-flow-'));
      const home = path.join(workdir, '.home');
      const cwd = path.join(workdir, 'work');
      await mkdir(home);
      await mkdir(cwd);
      try {
        const base: Record<string, string> = {};
        for (const name of inheritedVariables) if (process.env[name] !== undefined) base[name] = process.env[name]!;
        const env: Record<string, string> = {
          ...base,
          HOME: home,
          ...options.env,
          OPENAI_BASE_URL: context.endpoints.openaiBaseUrl,
          OPENAI_API_KEY: context.credential,
          ANTHROPIC_BASE_URL: context.endpoints.anthropicBaseUrl,
          ANTHROPIC_API_KEY: context.credential,
          PRELOOP_MCP_URL: context.endpoints.mcpUrl,
          PRELOOP_TOKEN: context.credential,
          PRELOOP_PROMPT: context.prompt,
          PRELOOP_EXECUTION_ID: context.executionId,
          PRELOOP_ATTEMPT: String(context.attempt),
          ...(context.model ? { PRELOOP_MODEL: context.model } : {}),
        };
        const graceMs = options.killGraceSeconds * 1000;
        if (options.git) {
          const token = options.git.tokenSecret
            ? await (dependencies.secret ?? (() => Promise.reject(new Error('no secret store'))))(
                context.accountId,
                options.git.tokenSecret,
              )
            : null;
          const gitEnv: Record<string, string> = { ...base, HOME: home, GIT_TERMINAL_PROMPT: '0' };
          if (token) {
            // An HTTP header through git's environment configuration: never in a URL, an argument or the process list.
            gitEnv.GIT_CONFIG_COUNT = '1';
            gitEnv.GIT_CONFIG_KEY_0 = 'http.extraHeader';
            gitEnv.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
          }
          const args = ['clone', '--depth', '1', ...(options.git.ref ? ['--branch', options.git.ref] : []), options.git.url, '.'];
          context.log('info', `git clone ${options.git.url}${options.git.ref ? ` (${options.git.ref})` : ''}`);
          const cloned = await runProcess('git', args, { cwd, env: gitEnv, input: null, signal: context.signal, graceMs }, context, []);
          if (context.signal.aborted) return { status: 'failed', error: 'stopped during git clone' };
          if (cloned.error || cloned.code !== 0)
            return { status: 'failed', error: `git clone failed (${cloned.error?.message ?? `exit code ${cloned.code}`})` };
        }
        const args = options.args.map((arg) => arg.split('{prompt}').join(context.prompt));
        context.log('info', `running ${options.command} in ${cwd}`);
        const stdout: string[] = [];
        const result = await runProcess(
          options.command,
          args,
          { cwd, env, input: options.stdin ? context.prompt : null, signal: context.signal, graceMs },
          context,
          stdout,
        );
        const output = stdout.join('').trim();
        if (context.signal.aborted) return { status: 'failed', error: `stopped (${result.signal ?? 'killed'})` };
        if (result.error) return { status: 'failed', error: `could not start ${options.command}: ${result.error.message}` };
        if (result.code !== 0)
          return {
            status: 'failed',
            error: `${options.command} exited with ${result.code === null ? `signal ${result.signal}` : `code ${result.code}`}`,
          };
        return { status: 'succeeded', output: output.length > maximumOutputLength ? output.slice(-maximumOutputLength) : output };
      } finally {
        await rm(workdir, { recursive: true, force: true }).catch(() => undefined);
      }
    },
  };
}
