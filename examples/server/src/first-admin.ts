import { randomBytes } from 'node:crypto';
import type { Preloop } from '@preloop/core';

/** How the first owner logs in, when one was just created. */
export interface FirstAdmin {
  email: string;
  /** The generated password, or null when it came from `PRELOOP_ADMIN_PASSWORD`. */
  generatedPassword: string | null;
}

/**
 * Creates the first owner when the default account has no user yet. Returns
 * how to log in (so it can be printed once), or null when users already exist.
 *
 * @example
 * ```ts
 * const admin = await ensureFirstAdmin(preloop, process.env);
 * ```
 */
export async function ensureFirstAdmin(preloop: Preloop, env: NodeJS.ProcessEnv): Promise<FirstAdmin | null> {
  const existing = await preloop.identity.users.list(preloop.accountId, { limit: 1 });
  if (existing.items.length > 0) return null;
  const email = env.PRELOOP_ADMIN_EMAIL ?? 'admin@localhost';
  const generatedPassword = env.PRELOOP_ADMIN_PASSWORD ? null : randomBytes(12).toString('base64url');
  const password = env.PRELOOP_ADMIN_PASSWORD ?? generatedPassword!;
  try {
    await preloop.identity.users.create(preloop.accountId, { email, name: 'Administrator', role: 'owner', password });
  } catch (error) {
    // Another instance created it at the same moment.
    if ((error as { code?: string }).code === 'CONFLICT') return null;
    throw error;
  }
  return { email, generatedPassword };
}
