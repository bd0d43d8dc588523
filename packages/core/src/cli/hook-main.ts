/**
 * The fast entry of `preloop hook`: `bin/preloop.mjs` runs it directly for
 * `preloop hook`, so an agent's every tool call starts only the hook (not the
 * whole CLI and kernel).
 *
 * @module
 */

import { parseArgs } from 'node:util';
import { hookCommand } from './hook-command.js';

const { values, positionals } = parseArgs({
  args: process.argv.slice(3),
  allowPositionals: true,
  strict: false,
  options: { url: { type: 'string' }, 'key-env': { type: 'string' } },
});
process.exitCode = await hookCommand.run(
  {},
  { positionals, flags: values },
  { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
);
