import { describe, it } from 'vitest';
import { postgresOnly, testPostgresUrlVariable, type TestDialect } from './test-databases.js';

/**
 * Declares a suite that needs PostgreSQL (several kernels on one database, the
 * Bus, LISTEN/NOTIFY). With `PRELOOP_TEST_POSTGRES_URL` set it runs `suite` on a
 * PostgreSQL dialect; without it the suite is reported as skipped with the
 * reason, so `npm test` passes on a machine without PostgreSQL and says what it
 * did not run. Under CI (`CI=true`) a missing URL fails, as with `testDialects`.
 *
 * @param title - The suite's title.
 * @param suite - Declares the suite's tests for the PostgreSQL dialect.
 * @example
 * ```ts
 * describePostgres('two kernels on one database', (dialect) => {
 *   it('sees the other kernel’s writes', async () => {  });
 * });
 * ```
 */
export function describePostgres(title: string, suite: (dialect: TestDialect) => void): void {
  const [dialect] = postgresOnly();
  if (dialect) {
    describe(`${title} (postgres)`, () => suite(dialect));
    return;
  }
  describe.skip(`${title} (needs PostgreSQL: set ${testPostgresUrlVariable} to run it)`, () => {
    it('runs on PostgreSQL only', () => {});
  });
}
