import { spawn } from 'node:child_process';
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
export async function runDocExample(example: DocExample, options: { root: string; directory: string }): Promise<{ code: number | null; output: string }> {
  await mkdir(options.directory, { recursive: true });
  const file = path.join(options.directory, `example-${example.line}.ts`);
  await writeFile(file, example.code);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=@preloop/source', '--import', 'tsx', file], {
      cwd: options.root,
      env: { ...process.env, PRELOOP_LOG_LEVEL: 'silent' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}
