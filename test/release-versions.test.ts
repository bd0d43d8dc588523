/**
 * A release produces the versions the changesets say: `changeset version` on a
 * copy of the workspace's manifests, with one minor changeset, moves every
 * public package one minor step (never to 1.0.0 through the peer ranges) and
 * leaves the private examples alone.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const readJson = (file: string) =>
  JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string; private?: boolean; workspaces?: string[] };

/** The workspace folders named by the root manifest's `workspaces` globs (one level of `*`). */
function workspaceFolders(): string[] {
  const globs = readJson(path.join(root, 'package.json')).workspaces ?? [];
  return globs.flatMap((glob) => {
    if (!glob.endsWith('/*')) return [glob];
    const parent = glob.slice(0, -2);
    return execFileSync('ls', [path.join(root, parent)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((name) => `${parent}/${name}`)
      .filter((folder) => existsSync(path.join(root, folder, 'package.json')));
  });
}

describe('release versions', () => {
  const copy = mkdtempSync(path.join(tmpdir(), 'preloop-release-'));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('a minor changeset moves every public package one minor step and no private one', () => {
    const folders = workspaceFolders();
    cpSync(path.join(root, 'package.json'), path.join(copy, 'package.json'));
    mkdirSync(path.join(copy, '.changeset'));
    cpSync(path.join(root, '.changeset/config.json'), path.join(copy, '.changeset/config.json'));
    for (const folder of folders) {
      mkdirSync(path.join(copy, folder), { recursive: true });
      cpSync(path.join(root, folder, 'package.json'), path.join(copy, folder, 'package.json'));
    }
    symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
    writeFileSync(path.join(copy, '.changeset/one-minor.md'), '---\n"@preloop/core": minor\n---\n\nA minor change.\n');
    const before = new Map(folders.map((folder) => [folder, readJson(path.join(copy, folder, 'package.json'))]));
    execFileSync(path.join(root, 'node_modules/.bin/changeset'), ['version'], { cwd: copy, stdio: 'pipe' });
    for (const folder of folders) {
      const old = before.get(folder)!;
      const now = readJson(path.join(copy, folder, 'package.json'));
      const [major, minor] = old.version.split('.').map(Number);
      const expected = old.private ? old.version : major === 0 ? `0.${minor! + 1}.0` : `${major}.${minor! + 1}.0`;
      expect(`${now.name}@${now.version}`).toBe(`${old.name}@${expected}`);
    }
  });
});
