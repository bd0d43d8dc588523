/**
 * Database drivers are optional peer dependencies loaded on demand: a kernel on
 * one dialect starts without the other dialect's driver installed, and a missing
 * driver is a configuration error naming the package to install. Each case runs
 * in a child process where a module hook makes the driver unresolvable.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createPostgresTestDatabase, testPostgresUrlVariable } from '../testing/test-databases.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const hook = path.join(here, 'test-support/hide-drivers.mjs');
const core = path.join(here, '../index.ts');

/** Starts and closes a kernel on `database` in a child process with `hidden` packages unresolvable; its stdout. */
async function startKernel(database: string, hidden: string): Promise<string> {
  const script = [
    `import { createPreloop, createLogger } from ${JSON.stringify(core)};`,
    `try {`,
    `  const preloop = await createPreloop({ database: ${JSON.stringify(database)}, secretKey: 'k'.repeat(32), logger: createLogger({ level: 'silent' }) });`,
    `  await preloop.close();`,
    `  console.log('started');`,
    `} catch (error) { console.log(error.code + ': ' + error.message); }`,
  ].join('\n');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--import', hook, '--input-type=module', '-e', script], {
    env: { ...process.env, PRELOOP_HIDE_MODULES: hidden },
    timeout: 60_000,
  });
  return stdout.trim();
}

describe('database drivers on demand', () => {
  it('a SQLite kernel starts without pg installed', async () => {
    expect(await startKernel(':memory:', 'pg')).toBe('started');
  });

  it('SQLite without better-sqlite3 is a configuration error naming the package', async () => {
    const output = await startKernel(':memory:', 'better-sqlite3');
    expect(output).toMatch(/^CONFIGURATION_ERROR: database: SQLite needs the "better-sqlite3" package/);
    expect(output).toContain('npm install better-sqlite3');
  });

  const postgresUrl = process.env[testPostgresUrlVariable];
  it.runIf(postgresUrl)('a PostgreSQL kernel starts without better-sqlite3 installed', async () => {
    const database = await createPostgresTestDatabase(postgresUrl!);
    try {
      expect(await startKernel(database.url, 'better-sqlite3')).toBe('started');
    } finally {
      await database.drop();
    }
  });
});
