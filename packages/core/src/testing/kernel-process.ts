import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testSecretKey } from './create-test-preloop.js';

/** What a test can ask a {@link KernelProcess} to do. */
export type KernelProcessCommand =
  | { cmd: 'hold' }
  | { cmd: 'release' }
  | { cmd: 'query' }
  | { cmd: 'publish'; payload: unknown }
  | { cmd: 'ready' }
  | { cmd: 'busy'; on: boolean }
  | { cmd: 'close' };

/** The answer to a command: `ok`, or the failure's `code` (`STORE_UNAVAILABLE` for an outage) and message. */
export interface KernelProcessReply {
  ok: boolean;
  code?: string | null;
  message?: string;
  [key: string]: unknown;
}

/** A kernel running in a child process (see {@link startKernelProcess}). */
export interface KernelProcess {
  readonly child: ChildProcess;
  /** Sends a command and resolves with its reply; rejects if the process exits first. */
  request(command: KernelProcessCommand): Promise<KernelProcessReply>;
  /** Resolves with the next message of `type` the child sends (`holding`, `bus`). */
  next(type: string): Promise<{ type: string; payload?: unknown }>;
  /** The exit code and signal once the process ended, or null while it runs. */
  exited(): { code: number | null; signal: string | null } | null;
  /** Everything the process wrote to stderr (an uncaught exception shows here). */
  stderr(): string;
  /** Closes the kernel and waits for the process to end (kills it if it does not answer). */
  stop(): Promise<void>;
}

/**
 * Starts a kernel on `database` in a child process (Node with `tsx`; for this
 * repository's tests, not exported from `@preloop/core/testing`), for
 * tests whose claim is that a fault does not kill the process: they watch
 * `exited()`, which records the child's `'exit'`. The kernel is driven over
 * IPC: transactions held open, queries, Bus messages, readiness, a busy loop.
 *
 * @example
 * ```ts
 * const kernel = await startKernelProcess(proxy.url(databaseUrl));
 * await kernel.request({ cmd: 'busy', on: true });
 * proxy.cutAll();
 * expect(kernel.exited()).toBeNull();
 * ```
 */
export async function startKernelProcess(database: string): Promise<KernelProcess> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'kernel-child-process.ts');
  const child = fork(script, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PRELOOP_CHILD_DATABASE: database, PRELOOP_CHILD_SECRET_KEY: testSecretKey },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exit: { code: number | null; signal: string | null } | null = null;
  const exitWaiters = new Set<(reason: Error) => void>();
  child.on('exit', (code, signal) => {
    exit = { code, signal };
    for (const reject of exitWaiters) reject(new Error(`kernel process exited (code ${code}, signal ${signal}): ${stderr.slice(-2000)}`));
  });
  const next = (type: string, match: (message: any) => boolean = () => true) =>
    new Promise<any>((resolve, reject) => {
      if (exit) return reject(new Error(`kernel process already exited: ${stderr.slice(-2000)}`));
      const onMessage = (message: any) => {
        if (message?.type !== type || !match(message)) return;
        child.off('message', onMessage);
        exitWaiters.delete(reject);
        resolve(message);
      };
      child.on('message', onMessage);
      exitWaiters.add(reject);
    });
  await next('started');
  let ids = 0;
  return {
    child,
    async request(command) {
      const id = ++ids;
      const reply = next('reply', (message) => message.id === id);
      // With a callback, a closed channel (the process died) is reported here instead of as an uncaught error; `reply` rejects on exit.
      child.send({ id, ...command }, () => {});
      return ((await reply) as { result: KernelProcessReply }).result;
    },
    next: (type) => next(type),
    exited: () => exit,
    stderr: () => stderr,
    async stop() {
      if (exit) return;
      const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.send({ id: ++ids, cmd: 'close' }, () => {});
      await ended;
      clearTimeout(timer);
    },
  };
}
