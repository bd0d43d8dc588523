import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const guide = await readFile(path.join(root, 'docs/mcp-guide.md'), 'utf8');
const examples = [...guide.matchAll(/^```ts\n(\/\/ example: (.+)\n[\s\S]*?)^```$/gm)].map((match) => ({
  name: match[2]!,
  code: match[1]!,
  line: guide.slice(0, match.index).split('\n').length,
}));
// Inside the repository (ignored by git), so the examples resolve the workspace packages.
const directory = path.join(root, '.data', `mcp-guide-${process.pid}`);

function run(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=@preloop/source', '--import', 'tsx', file], { cwd: root, env: { ...process.env, PRELOOP_LOG_LEVEL: 'silent' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('docs/mcp-guide.md', () => {
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('has runnable examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples)('the example "$name" (line $line) runs to completion', async ({ code, line }) => {
    await mkdir(directory, { recursive: true });
    const file = path.join(directory, `example-${line}.ts`);
    await writeFile(file, code);
    const result = await run(file);
    expect(result.output).not.toMatch(/Error/);
    expect(result.code, result.output).toBe(0);
  }, 60_000);
});
