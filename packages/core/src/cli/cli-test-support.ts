import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { runCli } from './main.js';

/** What one CLI run printed and returned. Test support only. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * A temporary folder for a CLI test file, with `PRELOOP_DATA_DIR` pointing
 * into it while the file runs (so the CLI finds or writes its secret key
 * there), restored and removed afterwards. Test support only.
 *
 * @example
 * ```ts
 * const dir = useCliDataDir('preloop-token-cli-');
 * ```
 */
export function useCliDataDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const previous = process.env.PRELOOP_DATA_DIR;
  beforeAll(() => {
    process.env.PRELOOP_DATA_DIR = path.join(dir, 'data');
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.PRELOOP_DATA_DIR;
    else process.env.PRELOOP_DATA_DIR = previous;
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/**
 * Runs the CLI in-process against the database `databaseUrl()` names at call
 * time, collecting what it prints. Test support only.
 *
 * @example
 * ```ts
 * const cli = cliAgainst(() => url);
 * expect((await cli('migrate')).code).toBe(0);
 * ```
 */
export function cliAgainst(databaseUrl: () => string): (...argv: string[]) => Promise<CliRun> {
  return async (...argv) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, '--database', databaseUrl()], { out: (line) => out.push(line), err: (line) => err.push(line) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
}
