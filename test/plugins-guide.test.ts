import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { docExamples, runDocExample } from '@preloop/core/testing';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const guide = await readFile(path.join(root, 'docs/plugins.md'), 'utf8');
const examples = docExamples(guide);
// Inside the repository (ignored by git), so the examples resolve the workspace packages.
const directory = path.join(root, '.data', `plugins-guide-${process.pid}`);

describe('docs/plugins.md', () => {
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('has a runnable plugin example', () => {
    expect(examples.map((example) => example.name)).toContain('notes plugin');
  });

  it.each(examples)('the example "$name" (line $line) runs to completion', async (example) => {
    const result = await runDocExample(example, { root, directory });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('notes plugin works');
  }, 60_000);
});
