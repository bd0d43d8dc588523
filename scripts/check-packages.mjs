// Checks every public package as it would be published: publint (strict) on the
// manifest and files, and "are the types wrong" on the packed tarball (ESM only).
// Run after `npm run build`. Exits non-zero on the first package with a problem.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const folders = ['packages', 'packages/plugins'].flatMap((parent) =>
  readdirSync(path.join(root, parent)).map((name) => path.join(parent, name)),
);
let failed = 0;
for (const folder of folders) {
  const manifest = path.join(root, folder, 'package.json');
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  if (pkg.private) continue;
  process.stdout.write(`${pkg.name}: `);
  try {
    execFileSync(bin('publint'), ['--strict'], { cwd: path.join(root, folder), stdio: 'pipe' });
    execFileSync(bin('attw'), ['--pack', '.', '--profile', 'esm-only', '--format', 'table-flipped'], {
      cwd: path.join(root, folder),
      stdio: 'pipe',
    });
    console.log('publint and attw pass');
  } catch (error) {
    failed += 1;
    console.log('FAILED');
    console.log(String(error.stdout ?? ''), String(error.stderr ?? ''));
  }
}
if (failed) {
  console.error(`${failed} package(s) failed the packaging checks: fix the manifest (exports, files, types) they name.`);
  process.exit(1);
}
