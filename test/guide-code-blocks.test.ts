/**
 * Every ```ts block of the guides type-checks (the convention is in
 * docs/README.md). Complete programs (`// example: <name>` blocks) also run,
 * in each guide's own test; fragments (a few lines of Express, a hook) cannot
 * run alone, so this test compiles each block as its own module, with the
 * names every fragment may assume (below) and the declarations written in an
 * HTML comment right above the block (`<!-- fragment: … -->`, invisible on
 * the rendered page), in one `tsc --noEmit` run.
 */

import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Inside the repository (ignored by git), so the blocks resolve the workspace packages.
const directory = path.join(root, '.data', `guide-code-blocks-${process.pid}`);

/** The guides whose code blocks are checked. */
export const checkedGuides = [
  'getting-started.md',
  'embedding.md',
  'gateway-guide.md',
  'audit.md',
  'mcp-guide.md',
  'approvals-guide.md',
  'plugins.md',
  'console-guide.md',
  'policy-guide.md',
  'flows-guide.md',
];

/**
 * Names every fragment may use without declaring them (what the guides' prose
 * already set up), as globals: a block that defines its own shadows them.
 * Packages a guide shows but the repository does not install are declared
 * with the little of their API the guides use.
 */
const assumed = `declare const preloop: import('@preloop/core').Preloop;
declare const createPreloop: typeof import('@preloop/core').createPreloop;
declare const database: string;
declare const secretKey: string;
declare module '@aws-sdk/client-s3' {
  export class S3Client { send(command: object): Promise<any>; }
  export class PutObjectCommand { constructor(input: object); }
  export class GetObjectCommand { constructor(input: object); }
  export class ListObjectsV2Command { constructor(input: object); }
}
`;

interface CodeBlock {
  guide: string;
  /** The guide's line of the block's first code line. */
  line: number;
  /** Declarations written above the block (`<!-- fragment: … -->`). */
  declarations: string;
  code: string;
}

function codeBlocks(guide: string, markdown: string): CodeBlock[] {
  return [...markdown.matchAll(/(?:<!-- fragment:((?:(?!-->)[\s\S])*)-->\n)?^```ts\n([\s\S]*?)^```$/gm)].map((match) => ({
    guide,
    line: markdown.slice(0, match.index + match[0].indexOf('```ts')).split('\n').length + 1,
    declarations: (match[1] ?? '').trim(),
    code: match[2]!,
  }));
}

function runTsc(project: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: root });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const blocks = (
  await Promise.all(checkedGuides.map(async (guide) => codeBlocks(guide, await readFile(path.join(root, 'docs', guide), 'utf8'))))
).flat();

describe('the guides’ code blocks', () => {
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('finds the blocks of every checked guide', () => {
    for (const guide of checkedGuides)
      expect(
        blocks.some((block) => block.guide === guide),
        guide,
      ).toBe(true);
  });

  it('type-check, each as its own module', async () => {
    await mkdir(directory, { recursive: true });
    const files = new Map<string, { block: CodeBlock; offset: number }>();
    for (const block of blocks) {
      const name = `${block.guide.replace(/\.md$/, '')}-${block.line}.ts`;
      const preamble = block.declarations ? block.declarations.split('\n') : [];
      // `export {}`: a module even without imports, so its names do not collide with another block's.
      await writeFile(path.join(directory, name), `${preamble.join('\n')}\n${block.code}\nexport {};\n`);
      files.set(name, { block, offset: preamble.length });
    }
    await writeFile(path.join(directory, 'guide-globals.d.ts'), assumed);
    await writeFile(
      path.join(directory, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.base.json',
        compilerOptions: { noEmit: true, declaration: false, noUnusedLocals: false },
        include: ['*.ts'],
      }),
    );
    const { code, output } = await runTsc(path.join(directory, 'tsconfig.json'));
    // Point each error at the guide's line.
    const located = output.replace(/^(?:.*[\\/])?([\w-]+-\d+\.ts)\((\d+),(\d+)\)/gm, (whole, name: string, line: string) => {
      const file = files.get(name);
      return file ? `docs/${file.block.guide}:${file.block.line + Number(line) - 1 - file.offset}` : whole;
    });
    expect(located, located).toBe('');
    expect(code).toBe(0);
  }, 300_000);
});
