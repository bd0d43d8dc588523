import { loadPostgresDriver } from '../storage/drivers.js';
import { createToken } from '../ids.js';

/** A throwaway database for one test. */
export interface TestDatabase {
  /** The URL to pass as the `database` option. */
  url: string;
  /** Drops the database (PostgreSQL) or nothing (SQLite in memory). */
  drop(): Promise<void>;
}

/** A dialect the test suite runs on, with a factory for throwaway databases. */
export interface TestDialect {
  name: 'sqlite' | 'postgres';
  create(): Promise<TestDatabase>;
}

/** The environment variable naming the PostgreSQL server used by tests. */
export const testPostgresUrlVariable = 'PRELOOP_TEST_POSTGRES_URL';

/**
 * The dialects to run the suite on: SQLite always, PostgreSQL when
 * `PRELOOP_TEST_POSTGRES_URL` is set. Under CI (`CI=true`) a missing URL is an
 * error, so the PostgreSQL half can never be silently skipped.
 *
 * @example
 * ```ts
 * describe.each(testDialects())('audit on $name', ({ create }) => {  });
 * ```
 */
export function testDialects(): TestDialect[] {
  const postgresUrl = process.env[testPostgresUrlVariable];
  if (!postgresUrl && process.env.CI) {
    throw new Error(`${testPostgresUrlVariable} must be set under CI so the suite also runs on PostgreSQL.`);
  }
  const dialects: TestDialect[] = [{ name: 'sqlite', create: async () => ({ url: ':memory:', drop: async () => {} }) }];
  if (postgresUrl) dialects.push({ name: 'postgres', create: () => createPostgresTestDatabase(postgresUrl) });
  return dialects;
}

/**
 * The PostgreSQL dialect alone, for tests that need several kernels on one
 * database (Bus, cross-instance approvals). Empty when no PostgreSQL URL is set.
 *
 * @example
 * ```ts
 * describe.each(postgresOnly())('bus on $name', ({ create }) => {  });
 * ```
 */
export function postgresOnly(): TestDialect[] {
  return testDialects().filter((dialect) => dialect.name === 'postgres');
}

/**
 * Creates a fresh PostgreSQL database on the server of `serverUrl`.
 *
 * @example
 * ```ts
 * const { url, drop } = await createPostgresTestDatabase(process.env.PRELOOP_TEST_POSTGRES_URL!);
 * ```
 */
export async function createPostgresTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `preloop_test_${createToken(9)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;
  const pg = await loadPostgresDriver();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new (await loadPostgresDriver()).Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
