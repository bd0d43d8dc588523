import { createPreloop } from '../kernel/create-preloop.js';
import type { Preloop } from '../kernel/preloop.js';
import { createLogger } from '../logger.js';
import { resolveLocalSetup } from '../node/local-setup.js';

/** Global CLI flags. */
export interface CliGlobals {
  /** `--database <url>`; else `DATABASE_URL`; else the local SQLite file. */
  database?: string;
}

/** Where CLI output goes (so tests can capture it). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/**
 * Opens the kernel the way the reference server does (same database and
 * secret key resolution), quietly, runs `action` and closes it.
 *
 * @example
 * ```ts
 * await withKernel({ database: 'sqlite:./preloop.db' }, async (preloop) => preloop.audit.verify(preloop.accountId));
 * ```
 */
export async function withKernel<T>(
  globals: CliGlobals,
  action: (preloop: Preloop) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const setup = resolveLocalSetup({ databaseUrl: globals.database });
  const preloop = await createPreloop({
    database: setup.databaseUrl,
    secretKey: setup.secretKey,
    logger: createLogger({ level: 'warn', format: 'pretty' }),
    migrate: options.migrate ?? true,
  });
  try {
    return await action(preloop);
  } finally {
    await preloop.close();
  }
}
