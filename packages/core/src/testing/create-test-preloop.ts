import { createPreloop } from '../kernel/create-preloop.js';
import type { PreloopOptions } from '../kernel/options.js';
import type { Preloop } from '../kernel/preloop.js';
import { createLogger } from '../logger.js';
import type { TestDialect } from './test-databases.js';

/** A fixed secret key for tests (never use it anywhere else). */
export const testSecretKey = 'test-secret-key-0123456789abcdef0123456789abcdef';

/** A kernel on a throwaway database, with the URL so a second kernel can share it. */
export interface TestPreloop {
  preloop: Preloop;
  /** The database URL (share it to start another kernel on the same database). */
  url: string;
  /** Closes the kernel and drops its database. */
  cleanup(): Promise<void>;
}

/**
 * Builds a kernel on a fresh database of `dialect`, silent unless
 * `PRELOOP_TEST_LOGS` is set, with `validateResponses` on: an admin API answer
 * that its route's contract does not describe fails the test with a 500
 * `RESPONSE_SCHEMA_MISMATCH`.
 *
 * @example
 * ```ts
 * const { preloop, cleanup } = await createTestPreloop(dialect, { plugins: [approvals()] });
 * ```
 */
export async function createTestPreloop(dialect: TestDialect, options: Partial<PreloopOptions> = {}): Promise<TestPreloop> {
  const database = await dialect.create();
  const preloop = await createPreloop({
    secretKey: testSecretKey,
    logger: createLogger({ level: process.env.PRELOOP_TEST_LOGS ? 'debug' : 'silent' }),
    validateResponses: true,
    ...options,
    database: database.url,
  });
  return {
    preloop,
    url: database.url,
    async cleanup() {
      await preloop.close();
      await database.drop();
    },
  };
}
