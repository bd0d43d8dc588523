import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A runnable example found in a guide. */
export interface DocExample {
  /** The name after `// example:`. */
  name: string;
  /** The code, first line included. */
  code: string;
  /** The line of the guide where the code block starts. */
  line: number;
}

/**
 * Finds the runnable TypeScript examples of a Markdown guide: the ```ts blocks
 * whose first line is `// example: <name>`. Guides keep every example runnable
 * this way, and their tests run each one.
 *
 * @example
 * ```ts
 * const examples = docExamples(await readFile('docs/mcp-guide.md', 'utf8'));
 * ```
 */
export function docExamples(markdown: string): DocExample[] {
  return [...markdown.matchAll(/^```ts\n(\/\/ example: (.+)\n[\s\S]*?)^```$/gm)].map((match) => ({
    name: match[2]!,
    code: match[1]!,
    line: markdown.slice(0, match.index).split('\n').length,
  }));
}

/** Options of {@link runDocExample} and {@link startDocExample}. */
export interface DocExampleOptions {
  /** The repository root: the example runs there. */
  root: string;
  /** Where the example's file is written (inside the repository, so it resolves the workspace packages). */
  directory: string;
  /** Environment variables added to the test process's own (for example `PORT: '0'`, `DATABASE_URL: ':memory:'`). @default {} */
  env?: Record<string, string>;
}

async function spawnExample(example: DocExample, options: DocExampleOptions): Promise<ChildProcess> {
  await mkdir(options.directory, { recursive: true });
  const file = path.join(options.directory, `example-${example.line}.ts`);
  await writeFile(file, example.code);
  return spawn(process.execPath, ['--conditions=@preloop/source', '--import', 'tsx', file], {
    cwd: options.root,
    env: { ...process.env, PRELOOP_LOG_LEVEL: 'silent', ...options.env },
  });
}

/**
 * Writes an example into `directory` (inside the repository, so it resolves the
 * workspace packages) and runs it with Node and tsx, returning its exit code
 * and everything it printed.
 *
 * @example
 * ```ts
 * const { code, output } = await runDocExample(example, { root, directory: path.join(root, '.data', 'guide') });
 * ```
 */
export async function runDocExample(example: DocExample, options: DocExampleOptions): Promise<{ code: number | null; output: string }> {
  const child = await spawnExample(example, options);
  return new Promise((resolve) => {
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** An example that keeps running (a server), started by {@link startDocExample}. */
export interface StartedDocExample {
  /** The match of `until` in what the example printed. */
  match: RegExpMatchArray;
  /** Everything printed so far. */
  readonly output: string;
  /** Stops the example (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts an example that keeps running (a server) and resolves once what it
 * printed matches `until` (for example the URL it listens on); rejects with
 * everything it printed if it exits first.
 *
 * @example
 * ```ts
 * const server = await startDocExample(example, { root, directory, env: { PORT: '0' }, until: /listening on (\S+)/ });
 * await fetch(server.match[1]!);
 * await server.stop();
 * ```
 */
export async function startDocExample(example: DocExample, options: DocExampleOptions & { until: RegExp }): Promise<StartedDocExample> {
  const child = await spawnExample(example, options);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = output.match(options.until);
      if (!match) return;
      resolve({
        match,
        get output() {
          return output;
        },
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`The example "${example.name}" exited (code ${code}) before printing ${options.until}:\n${output}`)),
    );
  });
}
