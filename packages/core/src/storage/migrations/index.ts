import type { PreloopMigration } from '../migrations.js';
import { kernelMigration } from './0001-kernel.js';
import { identityMigration } from './0002-identity.js';

/** The kernel's own migrations, in order. */
export const coreMigrations: PreloopMigration[] = [kernelMigration, identityMigration];
