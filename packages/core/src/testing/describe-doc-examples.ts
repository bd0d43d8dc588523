import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { docExamples, runDocExample } from './doc-examples.js';

/** Options of {@link describeDocExamples}. */
export interface DescribeDocExamplesOptions {
  /** The repository root: examples are written below it (in `.data/`, ignored by git) so they resolve the workspace packages. */
  root: string;
  /** The fewest runnable examples the guide must hold, so deleting them fails the suite. @default 1 */
  minimum?: number;
  /** What each example must print, besides exiting with 0. */
  output?: RegExp;
  /** Run the examples concurrently (they must not share ports or files). @default false */
  concurrent?: boolean;
  /** Milliseconds each example may take. @default 60000 */
  timeoutMs?: number;
}

/**
 * Declares a suite that runs every `// example:` block of a Markdown guide
 * with Node and tsx and expects each to exit with 0 and print no error, so the
 * guide's examples cannot drift from the code.
 *
 * @param guide - The guide's path, relative to `options.root` (for example `docs/mcp-guide.md`).
 * @example
 * ```ts
 * describeDocExamples('docs/plugins.md', { root, output: /notes plugin works/ });
 * ```
 */
export function describeDocExamples(guide: string, options: DescribeDocExamplesOptions): void {
  const examples = docExamples(readFileSync(path.join(options.root, guide), 'utf8'));
  const directory = path.join(options.root, '.data', `${path.basename(guide, '.md')}-${process.pid}`);
  describe(guide, () => {
    afterAll(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    it('has runnable examples', () => {
      expect(examples.length).toBeGreaterThanOrEqual(options.minimum ?? 1);
    });

    const each = options.concurrent ? it.concurrent.each(examples) : it.each(examples);
    each(
      'the example "$name" (line $line) runs to completion',
      async (example) => {
        const result = await runDocExample(example, { root: options.root, directory });
        expect(result.output).not.toMatch(/Error|AssertionError/);
        expect(result.code, result.output).toBe(0);
        if (options.output) expect(result.output).toMatch(options.output);
      },
      options.timeoutMs ?? 60_000,
    );
  });
}
