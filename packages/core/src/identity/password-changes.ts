import { randomBytes } from 'node:crypto';
import { PreloopError } from '../errors.js';
import { hashSessionToken } from './console-sessions.js';
import { type IdentityActor, type IdentityContext, systemActor } from './identity-context.js';
import type { LoginThrottle } from './login-throttle.js';
import { hashPassword, maxPasswordLength, minPasswordLength } from './passwords.js';
import type { User, Users } from './users.js';

/** What {@link PasswordChanges.change} takes. */
export interface ChangePasswordInput {
  /** The password the user has now (checked, and counted by the login throttle when wrong). */
  currentPassword: string;
  /** The new password, {@link minPasswordLength} to {@link maxPasswordLength} characters, not the current one. */
  newPassword: string;
  /** The console session token to keep (the one making the change); every other session of the user ends. */
  keepSessionToken?: string | null;
  /** The client's network address, for the login throttle's per-address counters. */
  address?: string | null;
}

/** What {@link PasswordChanges.reset} takes. */
export interface ResetPasswordInput {
  /** The new password; omit it to have one generated and returned once. */
  password?: string | null;
}

/** The outcome of a password change or reset. */
export interface PasswordChangeResult {
  user: User;
  /** How many console sessions of the user were ended. */
  endedSessions: number;
}

/** The outcome of a reset: with `generatedPassword` when the server chose it (shown this once, never stored or logged). */
export interface PasswordResetResult extends PasswordChangeResult {
  generatedPassword: string | null;
}

/** Password changes: a user changing their own, an admin resetting another's. Both end console sessions and are audited. */
export interface PasswordChanges {
  /**
   * Changes the user's own password after checking the current one. A wrong
   * current password is a `FORBIDDEN` (403) counted as a failed login by the
   * login throttle (so guesses through this route share the login budget:
   * `RATE_LIMITED` 429 after too many); a user without a password is a `CONFLICT`.
   * Ends every other console session of the user.
   */
  change(accountId: string, userId: string, input: ChangePasswordInput, actor?: IdentityActor): Promise<PasswordChangeResult>;
  /** Sets a user's password (or generates one), ending all their console sessions; their API keys keep working. */
  reset(accountId: string, userId: string, input?: ResetPasswordInput, actor?: IdentityActor): Promise<PasswordResetResult>;
}

function checkLength(path: string, password: string): void {
  if (typeof password !== 'string' || password.length < minPasswordLength || password.length > maxPasswordLength) {
    const message = `must be ${minPasswordLength} to ${maxPasswordLength} characters`;
    throw new PreloopError('VALIDATION_ERROR', `${path}: ${message}`, { details: { issues: [{ path, message }] } });
  }
}

/**
 * A generated one-time password: 24 URL-safe characters (144 random bits).
 *
 * @example
 * ```ts
 * generatePassword(); // "q3F0…" (24 characters)
 * ```
 */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Creates the password-change service over the user store and the login throttle.
 *
 * @example
 * ```ts
 * const passwords = createPasswordChanges(context, users, throttle);
 * await passwords.change('acc_default', userId, { currentPassword: 'old password', newPassword: 'a new long password' });
 * ```
 */
export function createPasswordChanges(context: IdentityContext, users: Users, throttle: LoginThrottle): PasswordChanges {
  const { db } = context;

  /** Stores the hash and ends the user's console sessions (but `keepTokenHash`'s), in one transaction. */
  async function store(userId: string, password: string, keepTokenHash: string | null): Promise<number> {
    const passwordHash = await hashPassword(password);
    const now = Date.now();
    const ended = await db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', userId).execute();
      let revoke = trx
        .updateTable('console_sessions')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null);
      if (keepTokenHash) revoke = revoke.where('token_hash', '<>', keepTokenHash);
      return Number((await revoke.executeTakeFirst()).numUpdatedRows);
    });
    await context.invalidate([userId]);
    return ended;
  }

  return {
    async change(accountId, userId, input, actor = systemActor) {
      checkLength('newPassword', input.newPassword);
      if (input.newPassword === input.currentPassword) {
        throw new PreloopError('VALIDATION_ERROR', 'newPassword: must differ from the current password', {
          details: { issues: [{ path: 'newPassword', message: 'must differ from the current password' }] },
        });
      }
      const user = await users.get(accountId, userId);
      if (!user.hasPassword)
        throw new PreloopError('CONFLICT', 'This user signs in through the host’s authentication and has no password to change.');
      const target = { type: 'user', id: userId };
      let attempt;
      try {
        attempt = await throttle.begin(user.email, input.address ?? null);
      } catch (error) {
        await context.record({
          accountId,
          actor,
          action: 'user.password_change',
          target,
          outcome: 'refused',
          data: { reason: 'throttled' },
        });
        throw error;
      }
      if (!(await users.verifyCredentials(user.email, input.currentPassword))) {
        await context.record({
          accountId,
          actor,
          action: 'user.password_change',
          target,
          outcome: 'failure',
          data: { reason: 'wrong_current_password' },
        });
        throw new PreloopError('FORBIDDEN', 'The current password is wrong.', {
          details: { issues: [{ path: 'currentPassword', message: 'is wrong' }] },
        });
      }
      await attempt.succeed();
      const endedSessions = await store(
        userId,
        input.newPassword,
        input.keepSessionToken ? hashSessionToken(input.keepSessionToken) : null,
      );
      context.events.emit('user-changed', { accountId, userId, change: 'updated' });
      await context.record({ accountId, actor, action: 'user.password_change', target, outcome: 'success', data: { endedSessions } });
      return { user: await users.get(accountId, userId), endedSessions };
    },

    async reset(accountId, userId, input = {}, actor = systemActor) {
      const given = typeof input.password === 'string' ? input.password : null;
      if (given !== null) checkLength('password', given);
      await users.get(accountId, userId);
      const password = given ?? generatePassword();
      const endedSessions = await store(userId, password, null);
      context.events.emit('user-changed', { accountId, userId, change: 'updated' });
      await context.record({
        accountId,
        actor,
        action: 'user.password_reset',
        target: { type: 'user', id: userId },
        outcome: 'success',
        data: { generated: given === null, endedSessions },
      });
      return { user: await users.get(accountId, userId), endedSessions, generatedPassword: given === null ? password : null };
    },
  };
}
