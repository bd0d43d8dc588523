import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { isPreloopError } from '../errors.js';
import { createLogger } from '../logger.js';
import type { KernelTables } from '../storage/schema.js';
import { definePlugin } from '../plugins/define-plugin.js';
import { testSecretKey } from '../testing/create-test-preloop.js';
import { createPreloop } from './create-preloop.js';

const silent = createLogger({ level: 'silent' });
const configurationError = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isPreloopError(error, 'CONFIGURATION_ERROR')).toBe(true);
  return (error as Error).message;
};

describe('createPreloop options', () => {
  it('names the offending option', async () => {
    expect(await configurationError(createPreloop({ database: ':memory:', secretKey: 'short', logger: silent }))).toMatch(
      /option "secretKey"/,
    );
    expect(await configurationError(createPreloop({ database: ':memory:', runtimeCredentialTtlSeconds: 5, logger: silent }))).toMatch(
      /option "runtimeCredentialTtlSeconds"/,
    );
    expect(await configurationError(createPreloop({ database: 'mysql://x', secretKey: testSecretKey, logger: silent }))).toMatch(
      /database: "mysql:\/\/x" is not a database URL/,
    );
  });

  it('requires a secret key for a persistent database', async () => {
    expect(await configurationError(createPreloop({ database: 'sqlite:/tmp/never-created.db', logger: silent }))).toMatch(
      /"secretKey" is required/,
    );
  });

  it('refuses a plugin with a missing dependency or a duplicate id at start-up', async () => {
    expect(
      await configurationError(
        createPreloop({ database: ':memory:', logger: silent, plugins: [definePlugin({ id: 'slack', dependencies: ['approvals'] })] }),
      ),
    ).toMatch(/"slack" depends on "approvals"/);
    expect(
      await configurationError(
        createPreloop({ database: ':memory:', logger: silent, plugins: [definePlugin({ id: 'a' }), definePlugin({ id: 'a' })] }),
      ),
    ).toMatch(/duplicate plugin id "a"/);
  });

  it('does not leak the password of a database URL it cannot reach', async () => {
    const message = await configurationError(
      createPreloop({ database: 'postgres://someone:hunter2secret@127.0.0.1:1/db', secretKey: testSecretKey, logger: silent }),
    );
    expect(message).not.toContain('hunter2secret');
    expect(message).toContain('postgres://someone:***@127.0.0.1:1/db');
  });
});

describe('createPreloop on a SQLite file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'preloop-kernel-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates once, keeps data across restarts and runs plugin migrations and init in dependency order', async () => {
    const database = `sqlite:${path.join(dir, 'kernel.db')}`;
    const calls: string[] = [];
    const plugins = () => [
      definePlugin({ id: 'child', dependencies: ['parent'], init: () => void calls.push('child') }),
      definePlugin({
        id: 'parent',
        migrations: [
          { name: '0001-widgets', up: async ({ db }) => void (await db.schema.createTable('widgets').addColumn('id', 'text').execute()) },
        ],
        init: () => void calls.push('parent'),
      }),
    ];
    const first = await createPreloop({ database, secretKey: testSecretKey, logger: silent, plugins: plugins() });
    await first.db.withTables<{ widgets: { id: string } }>().insertInto('widgets').values({ id: 'w1' }).execute();
    await first.close();
    const second = await createPreloop({ database, secretKey: testSecretKey, logger: silent, plugins: plugins() });
    expect(await second.db.withTables<{ widgets: { id: string } }>().selectFrom('widgets').selectAll().execute()).toEqual([{ id: 'w1' }]);
    expect(await second.db.selectFrom('accounts').select('id').execute()).toEqual([{ id: 'acc_default' }]);
    await second.close();
    expect(calls).toEqual(['parent', 'child', 'parent', 'child']);
  });
});

describe('preloop.db', () => {
  it('is typed with the kernel tables; a plugin adds its own with withTables', async () => {
    const preloop = await createPreloop({ database: ':memory:', logger: silent });
    try {
      expectTypeOf(preloop.db).toEqualTypeOf<Kysely<KernelTables>>();
      // @ts-expect-error a table the kernel does not have needs withTables
      expect(() => preloop.db.selectFrom('widgets')).not.toThrow();
      const account = await preloop.db
        .selectFrom('accounts')
        .select(['id', 'name'])
        .where('id', '=', preloop.accountId)
        .executeTakeFirstOrThrow();
      expectTypeOf(account).toEqualTypeOf<{ id: string; name: string }>();
      expect(account).toEqual({ id: 'acc_default', name: 'Default' });
    } finally {
      await preloop.close();
    }
  });
});
