import type { PreloopPlugin } from '../plugins/define-plugin.js';
import type { PreloopDatabase } from '../storage/database.js';
import { runMigrations } from '../storage/migrations.js';
import { coreMigrations } from '../storage/migrations/index.js';

/**
 * Applies core's migrations, then each plugin's, in dependency order.
 * Returns the names applied, prefixed with their owner.
 *
 * @example
 * ```ts
 * const applied = await migrateDatabase(database, plugins);
 * ```
 */
export async function migrateDatabase(database: PreloopDatabase, plugins: readonly PreloopPlugin[]): Promise<string[]> {
  const context = { db: database.db, dialect: database.dialect };
  const applied = (await runMigrations(context, 'core', coreMigrations)).map((name) => `core/${name}`);
  for (const plugin of plugins) {
    if (!plugin.migrations?.length) continue;
    const names = await runMigrations(context, plugin.id, plugin.migrations);
    applied.push(...names.map((name) => `${plugin.id}/${name}`));
  }
  return applied;
}
