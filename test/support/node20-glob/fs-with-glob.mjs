// node:fs with the `globSync(pattern, { cwd })` that Node 22 added, backed by tinyglobby.
import fs from 'node:fs';
import { globSync as tinyGlobSync } from 'tinyglobby';

export * from 'node:fs';
export default fs;

/** Node 22's `fs.globSync` for the options the conformance suite uses (`cwd`). */
export function globSync(pattern, options = {}) {
  return tinyGlobSync(pattern, { cwd: options.cwd ? String(options.cwd) : process.cwd(), onlyFiles: false, expandDirectories: false });
}
