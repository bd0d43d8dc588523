#!/usr/bin/env node
/**
 * Builds every workspace package that has a `build` script, as many at a time
 * as the machine has cores (`npm run build --workspaces` builds one after the
 * other). The packages build independently: their type declarations resolve
 * sibling packages to their sources (the `@preloop/source` condition), not to
 * a sibling's `dist/`. One line per package as it finishes; a failed build
 * prints its output and the command exits 1 after the others finish.
 *
 * Usage: `npm run build` (all), `node scripts/build.mjs packages/core` (some).
 * `PRELOOP_BUILD_JOBS=1` builds one at a time.
 */

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

function build(folder) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', 'build', '--silent'], { cwd: path.join(root, folder), env: process.env });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ folder, code, output, seconds: (Date.now() - started) / 1000 }));
  });
}

const requested = process.argv.slice(2);
const folders = buildable(requested.length > 0 ? requested : workspaceFolders());
const jobs = Math.max(1, Number(process.env.PRELOOP_BUILD_JOBS) || availableParallelism());
console.log(`Building ${folders.length} packages, ${jobs} at a time`);

const queue = [...folders];
const failed = [];
let done = 0;
await Promise.all(
  Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let folder = queue.shift(); folder; folder = queue.shift()) {
      const result = await build(folder);
      done += 1;
      const status = result.code === 0 ? 'built' : 'FAILED';
      console.log(`[${done}/${folders.length}] ${status} ${folder} (${result.seconds.toFixed(1)} s)`);
      if (result.code !== 0) {
        failed.push(folder);
        console.log(result.output);
      }
    }
  }),
);

if (failed.length > 0) {
  console.error(`Build failed in ${failed.join(', ')}: fix the errors above and run npm run build again.`);
  process.exit(1);
}
