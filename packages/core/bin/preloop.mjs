#!/usr/bin/env node
// The `preloop` CLI. Runs the built CLI when present; in a source checkout it
// runs the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// `preloop hook` runs on every tool call of an agent: it loads only the hook, not the whole CLI.
const entry = process.argv[2] === 'hook' ? 'hook-main' : 'main';
const built = fileURLToPath(new URL(`../dist/cli/${entry}.js`, import.meta.url));
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL(`../src/cli/${entry}.ts`, import.meta.url).href);
}
