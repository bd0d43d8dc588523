import { readFile, rm } from 'node:fs/promises';
import { docExamples, runDocExample } from '@preloop/core/testing';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const guide = await readFile(path.join(root, 'docs/approvals-guide.md'), 'utf8');
const examples = docExamples(guide);
// Inside the repository (ignored by git), so the examples resolve the workspace packages.
const directory = path.join(root, '.data', `approvals-guide-${process.pid}`);


describe('docs/approvals-guide.md', () => {
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('has runnable examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(6);
  });

  it.concurrent.each(examples)('the example "$name" (line $line) runs to completion', async (example) => {
    const result = await runDocExample(example, { root, directory });
    expect(result.output).not.toMatch(/Error|AssertionError/);
    expect(result.code).toBe(0);
  }, 60_000);
});
