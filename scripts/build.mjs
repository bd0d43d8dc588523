#!/usr/bin/env node
/**
 * Builds every workspace package that has a `build` script, as many at a time
 * as the machine has cores (`npm run build --workspaces` builds one after the
 * other). Each package's `build` (tsup) writes its JavaScript; the type
 * declarations of all packages come from ONE TypeScript program
 * (`tsconfig.declarations.json`, run beside the package builds) and are copied
 * into each package's `dist/` afterwards: one program checks the shared
 * sources once, where a declaration build per package checked core's sources
 * in every package (most of the build's time). Sibling packages resolve to
 * their sources (the `@preloop/source` condition), never to a sibling's
 * `dist/`. One line per package as it finishes; a failed build prints its
 * output and the command exits 1 after the others finish.
 *
 * Usage: `npm run build` (all), `node scripts/build.mjs packages/core` (some).
 * `PRELOOP_BUILD_JOBS=1` builds one at a time.
 */

import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The workspace folders named by the root package.json (`dir` and `dir/*` patterns). */
function workspaceFolders() {
  const { workspaces } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(path.join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
}

/** The folders whose package.json has a build script. */
function buildable(folders) {
  return folders.filter((folder) => {
    const file = path.join(root, folder, 'package.json');
    return existsSync(file) && Boolean(JSON.parse(readFileSync(file, 'utf8')).scripts?.build);
  });
}

/** Where the one declaration program writes (`outDir` of tsconfig.declarations.json), mirroring the repository's folders. */
const declarationsDir = path.join(root, '.build/declarations');

/** Runs a command in a folder; resolves with its exit code, output and duration. */
function run(command, args, cwd) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: process.env });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output, seconds: (Date.now() - started) / 1000 }));
  });
}

const requested = process.argv.slice(2);
const folders = buildable(requested.length > 0 ? requested : workspaceFolders());
const jobs = Math.max(1, Number(process.env.PRELOOP_BUILD_JOBS) || availableParallelism());
console.log(`Building ${folders.length} packages, ${jobs} at a time`);

const queue = [...folders];
const failed = [];
let done = 0;
rmSync(declarationsDir, { recursive: true, force: true });
const declarations = run(
  process.execPath,
  [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.declarations.json'],
  root,
).then((result) => {
  console.log(`${result.code === 0 ? 'emitted' : 'FAILED'} the type declarations of every package (${result.seconds.toFixed(1)} s)`);
  if (result.code !== 0) {
    failed.push('type declarations (tsconfig.declarations.json)');
    console.log(result.output);
  }
});
await Promise.all([
  declarations,
  ...Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let folder = queue.shift(); folder; folder = queue.shift()) {
      const result = await run('npm', ['run', 'build', '--silent'], path.join(root, folder));
      done += 1;
      const status = result.code === 0 ? 'built' : 'FAILED';
      console.log(`[${done}/${folders.length}] ${status} ${folder} (${result.seconds.toFixed(1)} s)`);
      if (result.code !== 0) {
        failed.push(folder);
        console.log(result.output);
      }
    }
  }),
]);

// Each package's declarations (its `src/` tree, tests excluded) go beside its JavaScript in `dist/`.
if (failed.length === 0) {
  for (const folder of folders) {
    const source = path.join(declarationsDir, folder, 'src');
    if (existsSync(source)) cpSync(source, path.join(root, folder, 'dist'), { recursive: true });
  }
}

if (failed.length > 0) {
  console.error(`Build failed in ${failed.join(', ')}: fix the errors above and run npm run build again.`);
  process.exit(1);
}
