import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';

/**
 * Argon2id parameters: OWASP's first recommended configuration
 * (19 MiB of memory, 2 passes, 1 lane).
 */
export const passwordHashOptions: Options = {
  algorithm: 2 as Algorithm, // Argon2id (a const enum, so spelled as its value)
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/** The shortest password accepted. */
export const minPasswordLength = 8;
/** The longest password accepted (bounds the hashing work an attacker can ask for). */
export const maxPasswordLength = 1024;

/**
 * Hashes a password with argon2id; the result is a PHC string that carries its salt and parameters.
 *
 * @example
 * ```ts
 * const passwordHash = await hashPassword('correct horse battery staple');
 * ```
 */
export async function hashPassword(password: string): Promise<string> {
  return hash(password, passwordHashOptions);
}

/**
 * Checks a password against a hash from {@link hashPassword}. A malformed hash
 * verifies as false, never throws.
 *
 * @example
 * ```ts
 * if (!(await verifyPassword(user.passwordHash, attempt))) throw unauthenticated();
 * ```
 */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | null = null;

/**
 * Computes the throwaway hash used by {@link verifyAgainstDummy} ahead of the
 * first login, so that first failed login is not slower than the others.
 *
 * @example
 * ```ts
 * void prepareDummyHash();
 * ```
 */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('base64url'));
  return dummyHash;
}

/**
 * Spends the time of one password verification against a throwaway hash, so a
 * login for an unknown email takes as long as one with a wrong password.
 *
 * @example
 * ```ts
 * if (!user) { await verifyAgainstDummy(password); return null; }
 * ```
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(await prepareDummyHash(), password);
  return false;
}
